package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/retainhq/retain"
)

// PlaybookRow is a playbook's current version and state.
type PlaybookRow struct {
	Key        string
	Version    int
	Enabled    bool
	Definition []byte // JSON
	// Enrollments by status and by outcome.
	Active   int
	Outcomes map[string]int
}

// SavePlaybook stores a definition as the playbook's next version, unless
// it equals the current one. A new playbook starts disabled unless enabled.
func (db *DB) SavePlaybook(ctx context.Context, key string, definition []byte, enabled bool) (version int, created bool, err error) {
	return playbookDefs.save(ctx, db, key, definition, enabled)
}

// sameJSON compares a stored definition with a new one by value
// (PostgreSQL's JSONB changes spacing and key order).
func sameJSON(a string, b []byte) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// SetPlaybookEnabled turns a playbook on or off.
func (db *DB) SetPlaybookEnabled(ctx context.Context, by retain.Actor, key string, enabled bool) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if err := playbookDefs.setEnabled(ctx, tx, key, enabled); err != nil {
			return err
		}
		return tx.Audit(ctx, by, AuditPlaybookState, "playbook:"+key, fmt.Sprint(enabled))
	})
}

// Playbooks lists every playbook with its enrollment counts.
func (db *DB) Playbooks(ctx context.Context) ([]PlaybookRow, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.key, p.version, p.enabled, v.definition FROM playbooks p
		JOIN playbook_versions v ON v.key = p.key AND v.version = p.version ORDER BY p.key`)
	if err != nil {
		return nil, fmt.Errorf("store: playbooks: %w", err)
	}
	var out []PlaybookRow
	index := map[string]int{}
	for rows.Next() {
		var p PlaybookRow
		var def string
		if err := rows.Scan(&p.Key, &p.Version, &p.Enabled, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: playbooks: %w", err)
		}
		p.Definition, p.Outcomes = []byte(def), map[string]int{}
		index[p.Key] = len(out)
		out = append(out, p)
	}
	rows.Close()
	rows, err = db.read.QueryContext(ctx, `SELECT playbook_key, status, outcome, COUNT(*) FROM enrollments GROUP BY playbook_key, status, outcome`)
	if err != nil {
		return nil, fmt.Errorf("store: playbooks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, status, outcome string
		var n int
		if err := rows.Scan(&key, &status, &outcome, &n); err != nil {
			return nil, fmt.Errorf("store: playbooks: %w", err)
		}
		i, ok := index[key]
		if !ok {
			continue
		}
		if status == "active" {
			out[i].Active += n
		} else {
			out[i].Outcomes[outcome] += n
		}
	}
	return out, rows.Err()
}

// CurrentPlaybook returns a playbook's current definition.
func (db *DB) CurrentPlaybook(ctx context.Context, key string) ([]byte, error) {
	p, err := db.PlaybookHead(ctx, key)
	return p.Definition, err
}

// PlaybookHead is a playbook's current version, definition and state,
// without the enrollment counts Playbooks adds up.
func (db *DB) PlaybookHead(ctx context.Context, key string) (PlaybookRow, error) {
	p := PlaybookRow{Key: key}
	var err error
	p.Version, p.Enabled, p.Definition, err = playbookDefs.current(ctx, db, key)
	return p, err
}

// PlaybookVersion returns one version's definition.
func (db *DB) PlaybookVersion(ctx context.Context, key string, version int) ([]byte, error) {
	return playbookDefs.version(ctx, db, key, version)
}

// Enroll starts an enrollment with the playbook's current version, unless
// the customer is already in it or was enrolled within oncePerDays (the
// frequency rule). created tells which.
func (tx *Tx) Enroll(ctx context.Context, key string, customerID int64, oncePerDays int, trigger string, alertID int64, successDays int) (int64, bool, error) {
	var recent int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrollments WHERE playbook_key = $1 AND customer_id = $2
		AND (status = 'active' OR started_at > $3)`, key, customerID, tx.now.AddDate(0, 0, -oncePerDays)).Scan(&recent); err != nil {
		return 0, false, fmt.Errorf("store: enroll: %w", err)
	}
	if recent > 0 {
		return 0, false, nil
	}
	var version int
	err := tx.tx.QueryRowContext(ctx, `SELECT version FROM playbooks WHERE key = $1 AND enabled`, key).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil // disabled
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: enroll: %w", err)
	}
	var id int64
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO enrollments (playbook_key, playbook_version, customer_id, status, step, next_run_at,
		trigger_ref, alert_id, success_by, started_at) VALUES ($1, $2, $3, 'active', 0, $4, $5, $6, $7, $4)
		ON CONFLICT (playbook_key, customer_id) WHERE status = 'active' DO NOTHING RETURNING id`,
		key, version, customerID, tx.now, trigger, nullID(alertID), tx.now.AddDate(0, 0, successDays)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: enroll: %w", err)
	}
	return id, true, nil
}

const enrollmentColumns = `id, playbook_key, playbook_version, customer_id, status, step, next_run_at, fence, trigger_ref,
	COALESCE(alert_id, 0), outcome, started_at, success_by`

func scanEnrollment(r interface{ Scan(...any) error }) (retain.Enrollment, error) {
	var e retain.Enrollment
	var next, started, success nullTime
	err := r.Scan(&e.ID, &e.PlaybookKey, &e.PlaybookVersion, &e.CustomerID, &e.Status, &e.Step, &next, &e.Fence, &e.TriggerRef,
		&e.AlertID, &e.Outcome, &started, &success)
	e.NextRunAt, e.StartedAt, e.SuccessBy = next.T, started.T, success.T
	return e, err
}

// ClaimEnrollments claims up to n active enrollments whose next step is
// due, with a lease and a new fencing token, as ClaimMessages does.
func (db *DB) ClaimEnrollments(ctx context.Context, owner string, lease time.Duration, n int) ([]retain.Enrollment, error) {
	var out []retain.Enrollment
	skip := ""
	if db.dialect == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	const due = `(status = 'active' AND next_run_at <= $1 AND (lease_until IS NULL OR lease_until < $1))`
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.query(ctx, `UPDATE enrollments SET lease_owner = $2, lease_until = $3, fence = fence + 1
			WHERE id IN (SELECT id FROM enrollments WHERE `+due+` ORDER BY next_run_at, id LIMIT $4`+skip+`) AND `+due+`
			RETURNING `+enrollmentColumns, tx.now, owner, tx.now.Add(lease), n)
		if err != nil {
			return fmt.Errorf("store: claim enrollments: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEnrollment(rows)
			if err != nil {
				return fmt.Errorf("store: claim enrollments: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Enrollments lists a customer's enrollments, newest first (0: everyone's).
func (db *DB) Enrollments(ctx context.Context, customerID int64) ([]retain.Enrollment, error) {
	q, args := `SELECT `+enrollmentColumns+` FROM enrollments ORDER BY id DESC`, []any{}
	if customerID != 0 {
		q, args = `SELECT `+enrollmentColumns+` FROM enrollments WHERE customer_id = $1 ORDER BY id DESC`, []any{customerID}
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: enrollments: %w", err)
	}
	defer rows.Close()
	var out []retain.Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: enrollments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// HoldsEnrollment checks, inside a step's transaction, that the claim still
// holds; every write of the step is made only if it does.
func (tx *Tx) HoldsEnrollment(ctx context.Context, id, fence int64) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrollments WHERE id = $1 AND fence = $2 AND status = 'active' AND lease_until >= $3`,
		id, fence, tx.now).Scan(&n)
	return n == 1, err
}

// AdvanceEnrollment records where an enrollment is now and releases the
// claim, conditional on the fence.
func (tx *Tx) AdvanceEnrollment(ctx context.Context, id, fence int64, step int, status string, next time.Time, outcome string) (bool, error) {
	var ended any
	if status != "active" {
		ended = tx.now
	}
	res, err := tx.exec(ctx, `UPDATE enrollments SET step = $3, status = $4, next_run_at = $5, outcome = $6, ended_at = $7,
		lease_owner = '', lease_until = NULL WHERE id = $1 AND fence = $2`, id, fence, step, status, timeArg(next), outcome, ended)
	if err != nil {
		return false, fmt.Errorf("store: advance enrollment: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LogEnrollment adds a line to an enrollment's history.
func (tx *Tx) LogEnrollment(ctx context.Context, id int64, step int, action, detail string) error {
	_, err := tx.exec(ctx, `INSERT INTO enrollment_log (enrollment_id, step, action, detail, at) VALUES ($1, $2, $3, $4, $5)`,
		id, step, action, detail, tx.now)
	return err
}

// OrderedSince reports whether the customer placed an order (not cancelled)
// after since and, if by is set, before by.
func (tx *Tx) OrderedSince(ctx context.Context, customerID int64, since, by time.Time) (bool, error) {
	if by.IsZero() {
		by = tx.now
	}
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE customer_id = $1 AND status <> 'cancelled' AND placed_at > $2 AND placed_at <= $3`,
		customerID, since.UTC(), by.UTC()).Scan(&n)
	return n > 0, err
}

// SetCustomerStage changes a customer's stage (a playbook's set step).
func (tx *Tx) SetCustomerStage(ctx context.Context, customerID int64, stage string) error {
	_, err := tx.exec(ctx, `UPDATE customers SET stage = $2, updated_at = $3 WHERE id = $1`, customerID, stage, tx.now)
	return err
}

// WakeEnrollments makes a customer's active enrollments in the given
// playbooks due now (a new order: those that end on one check at once).
func (tx *Tx) WakeEnrollments(ctx context.Context, customerID int64, keys []string) error {
	for _, k := range keys {
		if _, err := tx.exec(ctx, `UPDATE enrollments SET next_run_at = $3 WHERE customer_id = $1 AND playbook_key = $2 AND status = 'active'`,
			customerID, k, tx.now); err != nil {
			return fmt.Errorf("store: wake enrollments: %w", err)
		}
	}
	return nil
}

// CauseOutcome is how the enrollments started by alerts of one root cause
// ended: how many ended, and how many of those bought again in time.
type CauseOutcome struct {
	Cause     string `json:"cause"` // "" for alerts with no cause
	Recovered int    `json:"recovered"`
	Ended     int    `json:"ended"`
}

// Rate is recovered ÷ ended.
func (c CauseOutcome) Rate() float64 { return ratio(c.Recovered, c.Ended) }

// OutcomesByCause counts the ended enrollments of the playbooks keys by
// the root cause of the alert that started them.
func (db *DB) OutcomesByCause(ctx context.Context, keys []string, succeeded, notConverted string) ([]CauseOutcome, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{succeeded, notConverted}
	for _, k := range keys {
		args = append(args, k)
	}
	in := placeholders(len(args))[len("$1, $2, "):]
	byCause := map[string]*CauseOutcome{}
	var cause, outcome string
	var n int
	err := db.eachRow(ctx, `SELECT COALESCE(a.root_cause, ''), e.outcome, COUNT(*) FROM enrollments e LEFT JOIN alerts a ON a.id = e.alert_id
		WHERE e.outcome IN ($1, $2) AND e.playbook_key IN (`+in+`) GROUP BY 1, 2`, args, []any{&cause, &outcome, &n}, func() {
		c := byCause[cause]
		if c == nil {
			c = &CauseOutcome{Cause: cause}
			byCause[cause] = c
		}
		c.Ended += n
		if outcome == succeeded {
			c.Recovered += n
		}
	})
	out := make([]CauseOutcome, 0, len(byCause))
	for _, c := range byCause {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b CauseOutcome) int { return cmp.Compare(a.Cause, b.Cause) })
	return out, err
}
