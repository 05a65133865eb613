package store

import (
	"context"
	"fmt"
	"time"
)

// Named jobs: one row per background job, with a lease and a fencing token
// like messages and enrollments, so that several serve processes on one
// database run each job once per period and never two runs of one job at
// a time.

// JobStatus is a job's row.
type JobStatus struct {
	Name           string
	LeaseOwner     string
	LeaseUntil     time.Time
	NextDueAt      time.Time
	LastStartedAt  time.Time
	LastFinishedAt time.Time
	LastSeconds    float64
	LastError      string
	LastResult     string
	Runs, Failures int64
}

// EnsureJobs creates the rows of jobs that have none, due now.
func (db *DB) EnsureJobs(ctx context.Context, names []string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		for _, n := range names {
			if _, err := tx.exec(ctx, `INSERT INTO jobs (name, next_due_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, n, tx.now); err != nil {
				return fmt.Errorf("store: job %s: %w", n, err)
			}
		}
		return nil
	})
}

// AcquireJob leases a job for owner until now+lease when it is due (or
// force is set) and no lease on it is live, and returns the lease's fencing
// token; ok is false when the job is not due or someone else holds it.
func (db *DB) AcquireJob(ctx context.Context, name, owner string, lease time.Duration, force bool) (fence int64, ok bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE jobs SET lease_owner = $2, lease_until = $3, fence = fence + 1, last_started_at = $4
			WHERE name = $1 AND (lease_until IS NULL OR lease_until < $4) AND (next_due_at <= $4 OR $5)
			RETURNING fence`, name, owner, tx.now.Add(lease), tx.now, force)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			ok = true
			return rows.Scan(&fence)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: acquire job %s: %w", name, err)
	}
	return fence, ok, nil
}

// JobDueIn is how long until a job is due and its lease free (≤ 0: now),
// read without a write transaction: what a waiting process polls.
func (db *DB) JobDueIn(ctx context.Context, name string) (time.Duration, error) {
	var next, lease nullTime
	err := db.read.QueryRowContext(ctx, `SELECT next_due_at, lease_until FROM jobs WHERE name = $1`, name).Scan(&next, &lease)
	if err != nil {
		return 0, fmt.Errorf("store: job %s: %w", name, err)
	}
	now := db.Now()
	wait := next.T.Sub(now)
	if !lease.T.IsZero() {
		wait = max(wait, lease.T.Sub(now))
	}
	return wait, nil
}

// ExtendJob keeps a running job's lease alive; false when the lease was
// lost (it ran out and another process took the job).
func (db *DB) ExtendJob(ctx context.Context, name string, fence int64, lease time.Duration) (bool, error) {
	var n int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE jobs SET lease_until = $3 WHERE name = $1 AND fence = $2`, name, fence, tx.now.Add(lease))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: extend job %s: %w", name, err)
	}
	return n == 1, nil
}

// JobRun is how a run ended.
type JobRun struct {
	Owner   string
	Started time.Time
	Next    time.Time // when the job is due again
	Err     string
	Result  string
}

// FinishJob records a run and releases the lease, if it is still this
// run's (fence).
func (db *DB) FinishJob(ctx context.Context, name string, fence int64, r JobRun) error {
	failed := 0
	if r.Err != "" {
		failed = 1
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE jobs SET lease_owner = '', lease_until = NULL, next_due_at = $3, last_finished_at = $4,
			last_seconds = $5, last_error = $6, last_result = $7, runs = runs + 1, failures = failures + $8
			WHERE name = $1 AND fence = $2`,
			name, fence, r.Next.UTC(), tx.now, tx.now.Sub(r.Started).Seconds(), r.Err, r.Result, failed)
		if err != nil {
			return fmt.Errorf("store: finish job %s: %w", name, err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO job_runs (name, owner, started_at, finished_at, error) VALUES ($1, $2, $3, $4, $5)`,
			name, r.Owner, r.Started.UTC(), tx.now, r.Err); err != nil {
			return fmt.Errorf("store: job run %s: %w", name, err)
		}
		_, err = tx.exec(ctx, `DELETE FROM job_runs WHERE name = $1 AND id <= (SELECT id FROM job_runs WHERE name = $1 ORDER BY id DESC LIMIT 1 OFFSET 100)`, name)
		return err
	})
}

// JobRunRecord is one run of a job as kept in its history.
type JobRunRecord struct {
	Name, Owner, Err  string
	Started, Finished time.Time
}

// JobRuns returns the kept runs of every job, oldest first.
func (db *DB) JobRuns(ctx context.Context) ([]JobRunRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, owner, started_at, finished_at, error FROM job_runs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: job runs: %w", err)
	}
	defer rows.Close()
	var out []JobRunRecord
	for rows.Next() {
		var r JobRunRecord
		var started, finished nullTime
		if err := rows.Scan(&r.Name, &r.Owner, &started, &finished, &r.Err); err != nil {
			return nil, fmt.Errorf("store: job runs: %w", err)
		}
		r.Started, r.Finished = started.T, finished.T
		out = append(out, r)
	}
	return out, rows.Err()
}

// Jobs lists the jobs' rows by name.
func (db *DB) Jobs(ctx context.Context) ([]JobStatus, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, lease_owner, lease_until, next_due_at, last_started_at, last_finished_at,
		last_seconds, last_error, last_result, runs, failures FROM jobs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	defer rows.Close()
	var out []JobStatus
	for rows.Next() {
		var j JobStatus
		var lease, next, started, finished nullTime
		if err := rows.Scan(&j.Name, &j.LeaseOwner, &lease, &next, &started, &finished, &j.LastSeconds, &j.LastError, &j.LastResult,
			&j.Runs, &j.Failures); err != nil {
			return nil, fmt.Errorf("store: jobs: %w", err)
		}
		j.LeaseUntil, j.NextDueAt, j.LastStartedAt, j.LastFinishedAt = lease.T, next.T, started.T, finished.T
		out = append(out, j)
	}
	return out, rows.Err()
}
