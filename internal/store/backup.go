package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/retainhq/retain"
)

// Backup writes a consistent copy of a SQLite database to path with VACUUM
// INTO, which reads one snapshot (WAL content included) while writers carry
// on; a raw file copy could miss the WAL. PostgreSQL is backed up with its
// own tools.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return retain.Errorf(retain.EINVALID, "retain backup copies SQLite databases; for PostgreSQL use pg_dump (for example: pg_dump --format=custom --file=retain.dump \"$RETAIN_DB\")")
	}
	if _, err := os.Stat(path); err == nil {
		return retain.Errorf(retain.ECONFLICT, "%s already exists; choose a new file name", path)
	}
	// Its own connection: the readers are query_only, which forbids VACUUM
	// INTO, and the writer must stay free for writes while the copy runs.
	conn, err := sql.Open("sqlite", db.sqliteDSN)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity_check and returns its verdict ("ok").
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.dialect != SQLite {
		return "ok", nil
	}
	var v string
	if err := db.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&v); err != nil {
		return "", fmt.Errorf("store: integrity check: %w", err)
	}
	return v, nil
}
