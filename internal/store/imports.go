package store

import (
	"context"
	"fmt"
)

// ImportRun records one run of `retain import`.
type ImportRun struct {
	ID           int64
	Kind, Format string
	FileName     string
	FileSHA256   string
	RejectsPath  string
}

// StartImport records that an import began and returns its id.
func (db *DB) StartImport(ctx context.Context, r ImportRun) (int64, error) {
	var id int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `INSERT INTO imports (kind, format, file_name, file_sha256, status, rejects_path, started_at)
			VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING id`,
			r.Kind, r.Format, r.FileName, r.FileSHA256, r.RejectsPath, tx.now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: start import: %w", err)
	}
	return id, nil
}

// FinishImport records an import's counts and outcome; errText empty means done.
func (db *DB) FinishImport(ctx context.Context, id int64, read, ok, rejected int64, errText string) error {
	status := "done"
	if errText != "" {
		status = "failed"
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE imports SET status = $1, rows_read = $2, rows_ok = $3, rows_rejected = $4, error = $5, finished_at = $6
			WHERE id = $7`, status, read, ok, rejected, errText, tx.now, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish import: %w", err)
	}
	return nil
}
