package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver; keep its import in this file only
)

// openSQLite opens the writer and reader pools on one file.
//
// Pragma order matters and the driver applies its shorthand keys in this
// order: busy_timeout first, so that switching to WAL (which takes a lock)
// waits instead of failing with SQLITE_BUSY; then journal_mode=WAL, then
// synchronous=FULL (NORMAL could roll back the last commits after a power cut
// or OS crash; see docs/reliability.md DR1) and foreign_keys. _txlock=immediate
// makes the writer take the write lock when a transaction begins, so a
// transaction never fails upgrading a read lock.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	common := "_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_time_format=sqlite"
	// The writer keeps a 64 MiB page cache (SQLite's default is 2 MiB): index
	// inserts on a large table then hit memory instead of re-reading pages,
	// which kept bulk imports fast past the first few hundred thousand rows.
	// Its temporary tables (the staging tables of Apply) live in memory, not
	// in a temp file.
	write, err := sql.Open("sqlite", base+"?"+common+"&_txlock=immediate&_pragma=cache_size(-65536)&_pragma=temp_store(memory)")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// The writer connects first, so the WAL switch happens before readers open.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"?"+common+"&_query_only=1")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	return &DB{dialect: SQLite, write: write, read: read, dsn: path, path: path, sqliteDSN: base + "?" + common}, nil
}

// Pragmas reads back the settings that durability depends on (DR1), so that
// startup and tests can check them.
func (db *DB) Pragmas(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	if db.dialect != SQLite {
		return out, nil
	}
	for _, p := range []string{"journal_mode", "synchronous", "busy_timeout", "foreign_keys"} {
		var v string
		if err := db.write.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err != nil {
			return nil, fmt.Errorf("store: read pragma %s: %w", p, err)
		}
		out[p] = v
	}
	return out, nil
}
