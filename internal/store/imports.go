package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/retainhq/retain"
)

// ImportRun records one import: a run of `retain import` (recorded as it
// starts), or a file uploaded in the browser (queued, then run by the
// "imports" job).
type ImportRun struct {
	ID           int64
	Kind, Format string
	FileName     string
	FileSHA256   string
	RejectsPath  string
	Status       string // queued, running, done, failed

	// A queued import: the file to read, what to do with it (the
	// importer's options as JSON), who asked, and when.
	SourcePath  string
	Options     string
	RequestedBy string
	QueuedAt    time.Time

	// How far it has got, and how it ended.
	RowsRead, RowsOK, RowsRejected int64
	BytesRead, BytesTotal          int64
	Refused                        string // the first refused rows with their reasons, as JSON
	Error                          string
	StartedAt, FinishedAt          time.Time
}

// StartImport records that an import began and returns its id.
func (db *DB) StartImport(ctx context.Context, r ImportRun) (int64, error) {
	var id int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `INSERT INTO imports (kind, format, file_name, file_sha256, status, rejects_path, started_at, bytes_total)
			VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) RETURNING id`,
			r.Kind, r.Format, r.FileName, r.FileSHA256, r.RejectsPath, tx.now, r.BytesTotal).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: start import: %w", err)
	}
	return id, nil
}

// QueueImport records an import for the imports job to run and returns its
// id.
func (db *DB) QueueImport(ctx context.Context, r ImportRun) (int64, error) {
	var id int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `INSERT INTO imports (kind, format, file_name, file_sha256, status, rejects_path, started_at,
				queued_at, source_path, options, requested_by, bytes_total)
			VALUES ($1, $2, $3, $4, 'queued', $5, $6, $6, $7, $8, $9, $10) RETURNING id`,
			r.Kind, r.Format, r.FileName, r.FileSHA256, r.RejectsPath, tx.now, r.SourcePath, r.Options, r.RequestedBy, r.BytesTotal).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue import: %w", err)
	}
	return id, nil
}

// QueuedImports are the browser's imports that are queued, or running
// (Status says which), oldest first: ID, Status and SourcePath.
func (db *DB) QueuedImports(ctx context.Context) ([]ImportRun, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, status, source_path FROM imports
		WHERE status IN ('queued', 'running') AND queued_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: queued imports: %w", err)
	}
	defer rows.Close()
	var out []ImportRun
	for rows.Next() {
		var r ImportRun
		if err := rows.Scan(&r.ID, &r.Status, &r.SourcePath); err != nil {
			return nil, fmt.Errorf("store: queued imports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClaimImport marks queued import id running and returns it; ok is false
// when it is no longer queued. Only the imports job calls it, under its
// lease, so no two processes claim one import.
func (db *DB) ClaimImport(ctx context.Context, id int64) (r ImportRun, ok bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE imports SET status = 'running', started_at = $1 WHERE id = $2 AND status = 'queued'`, tx.now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		r, err = scanImport(tx.tx.QueryRowContext(ctx, importColumns+` WHERE id = $1`, id))
		ok = err == nil
		return err
	})
	if err != nil {
		return ImportRun{}, false, fmt.Errorf("store: claim import: %w", err)
	}
	return r, ok, nil
}

// AbandonImports fails the queued imports left running by a process that
// is gone (the imports job's lease was free when it started, so nothing
// else is running them) and returns how many.
func (db *DB) AbandonImports(ctx context.Context, why string) (int64, error) {
	var n int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE imports SET status = 'failed', error = $1, finished_at = $2
			WHERE status = 'running' AND queued_at IS NOT NULL`, why, tx.now)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: abandon imports: %w", err)
	}
	return n, nil
}

// ImportProgress records how far a running import has got.
func (db *DB) ImportProgress(ctx context.Context, id, rows, bytes int64) error {
	err := db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE imports SET rows_read = $1, bytes_read = $2 WHERE id = $3`, rows, bytes, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: import progress: %w", err)
	}
	return nil
}

// FinishImport records an import's counts and outcome: r's rows and bytes,
// rejects path and first refusals; errText empty means done.
func (db *DB) FinishImport(ctx context.Context, id int64, r ImportRun, errText string) error {
	status := "done"
	if errText != "" {
		status = "failed"
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE imports SET status = $1, rows_read = $2, rows_ok = $3, rows_rejected = $4, error = $5, finished_at = $6,
				rejects_path = $7, refused = $8, bytes_read = CASE WHEN $9 > bytes_read THEN $9 ELSE bytes_read END
			WHERE id = $10`, status, r.RowsRead, r.RowsOK, r.RowsRejected, errText, tx.now, r.RejectsPath, r.Refused, r.BytesRead, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish import: %w", err)
	}
	return nil
}

// Import reads one import.
func (db *DB) Import(ctx context.Context, id int64) (ImportRun, error) {
	r, err := scanImport(db.read.QueryRowContext(ctx, importColumns+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ImportRun{}, retain.Errorf(retain.ENOTFOUND, "no import %d", id)
	}
	if err != nil {
		return ImportRun{}, fmt.Errorf("store: import %d: %w", id, err)
	}
	return r, nil
}

// Imports lists the latest imports, newest first.
func (db *DB) Imports(ctx context.Context, limit int) ([]ImportRun, error) {
	rows, err := db.read.QueryContext(ctx, importColumns+` ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: imports: %w", err)
	}
	defer rows.Close()
	var out []ImportRun
	for rows.Next() {
		r, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: imports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExpireRejects forgets the rejects files of queued imports that finished
// before cutoff and returns their paths, for the imports job to remove.
func (db *DB) ExpireRejects(ctx context.Context, cutoff time.Time) ([]string, error) {
	var out []string
	err := db.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT rejects_path FROM imports WHERE queued_at IS NOT NULL AND rejects_path <> '' AND finished_at < $1`, cutoff)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE imports SET rejects_path = '' WHERE queued_at IS NOT NULL AND rejects_path <> '' AND finished_at < $1`, cutoff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: expire rejects: %w", err)
	}
	return out, nil
}

const importColumns = `SELECT id, kind, format, file_name, file_sha256, status, rejects_path, source_path, options, requested_by, queued_at,
	rows_read, rows_ok, rows_rejected, bytes_read, bytes_total, refused, error, started_at, finished_at FROM imports`

func scanImport(row interface{ Scan(...any) error }) (ImportRun, error) {
	var r ImportRun
	var queued, started, finished nullTime
	err := row.Scan(&r.ID, &r.Kind, &r.Format, &r.FileName, &r.FileSHA256, &r.Status, &r.RejectsPath, &r.SourcePath, &r.Options, &r.RequestedBy, &queued,
		&r.RowsRead, &r.RowsOK, &r.RowsRejected, &r.BytesRead, &r.BytesTotal, &r.Refused, &r.Error, &started, &finished)
	r.QueuedAt, r.StartedAt, r.FinishedAt = queued.T, started.T, finished.T
	return r, err
}
