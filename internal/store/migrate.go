package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered, embedded, forward-only SQL files, one folder per
// dialect with the same numbers in each (migrate_test.go checks). Each runs in
// one transaction together with the row that records it, so a crash leaves
// the schema at a consistent version. Mistakes are fixed by a new number,
// never by editing an applied file.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func migrations(d Dialect) ([]migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration file %s is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1, 2, 3…; found %04d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// SchemaStatus tells how the database's schema compares with this binary's.
type SchemaStatus struct {
	Current int  // highest applied version; 0 for a new database
	Latest  int  // highest version this binary knows
	Empty   bool // the database has no tables at all (a new file or database)
}

// Behind reports whether migrations are pending.
func (s SchemaStatus) Behind() bool { return s.Current < s.Latest }

// Ahead reports whether the database was migrated by a newer Retain.
func (s SchemaStatus) Ahead() bool { return s.Current > s.Latest }

// SchemaStatus reads the applied version.
func (db *DB) SchemaStatus(ctx context.Context) (SchemaStatus, error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return SchemaStatus{}, err
	}
	st := SchemaStatus{Latest: len(ms)}
	var tables int
	if err := db.read.QueryRowContext(ctx, db.q(qCountTables)).Scan(&tables); err != nil {
		return st, fmt.Errorf("store: read schema: %w", err)
	}
	if tables == 0 {
		st.Empty = true
		return st, nil
	}
	var hasVersions int
	if err := db.read.QueryRowContext(ctx, db.q(qHasMigrationsTable)).Scan(&hasVersions); err != nil {
		return st, fmt.Errorf("store: read schema: %w", err)
	}
	if hasVersions == 0 {
		return st, nil
	}
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&st.Current); err != nil {
		return st, fmt.Errorf("store: read schema version: %w", err)
	}
	return st, nil
}

// Migrate applies pending migrations and returns the versions it applied.
// On PostgreSQL it holds an advisory lock, so several processes starting at
// once apply each migration once; on SQLite the single writer serializes.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	return db.migrateTo(ctx, 1<<30)
}

// migrateTo applies the pending migrations up to version last (a test
// stops before one to write rows in the old schema).
func (db *DB) migrateTo(ctx context.Context, last int) ([]int, error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	ms = ms[:min(last, len(ms))]
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7265746169)`); err != nil {
			return nil, fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7265746169)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var applied []int
	for _, m := range ms {
		version, err := db.migrateOne(ctx, conn, m)
		if err != nil {
			return applied, err
		}
		if version != 0 {
			applied = append(applied, version)
		}
	}
	return applied, nil
}

// foreignKeysOff marks a SQLite migration that rebuilds a table (SQLite
// cannot alter a constraint in place): it runs with foreign keys off, so
// dropping the old table neither cascades nor fails, and they are checked
// before it commits.
const foreignKeysOff = "-- retain:foreign-keys-off"

// migrateOne applies m unless it already is, and returns its version when
// it applied it.
func (db *DB) migrateOne(ctx context.Context, conn *sql.Conn, m migration) (int, error) {
	rebuild := db.dialect == SQLite && strings.HasPrefix(m.sql, foreignKeysOff)
	if rebuild {
		// A no-op inside a transaction: it must precede BEGIN.
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return 0, fmt.Errorf("store: migration %04d_%s: %w", m.version, m.name, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return 0, fmt.Errorf("store: migration %04d_%s: %w", m.version, m.name, err)
	}
	if rebuild {
		var broken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&broken); err != nil || broken > 0 {
			return 0, fmt.Errorf("store: migration %04d_%s: %d rows break a foreign key (%v)", m.version, m.name, broken, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, db.Now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		return 0, fmt.Errorf("store: migrate: record %04d: %w", m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: migration %04d_%s: commit: %w", m.version, m.name, err)
	}
	return m.version, nil
}
