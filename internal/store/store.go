// Package store is the only package that speaks SQL. One concrete *DB serves
// both SQLite (embedded, the default) and PostgreSQL; the few statements that
// differ between them live side by side in dialect_sqlite.go and
// dialect_postgres.go, everything else is portable SQL written with $N
// placeholders (modernc's SQLite driver binds $N by ordinal, like pgx).
//
// Errors are *retain.Error for the cases a caller handles (ENOTFOUND,
// ECONFLICT, EMISMATCH) and wrapped driver errors, prefixed "store:", otherwise.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/retainhq/retain"
)

// Dialect names a database engine.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a Retain database. Writes go through a pool of one connection on
// SQLite (the database has one writer; queueing in Go beats SQLITE_BUSY) and
// reads through a separate read-only pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	dsn     string // for messages; never contains a password
	path    string // SQLite file path

	sqliteDSN string // SQLite connection string, without the pool-specific keys

	// Now is the clock; tests replace it. A transaction reads it once.
	Now func() time.Time
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or else a SQLite file path (its directory is created if missing). It does
// not migrate; see Migrate and SchemaStatus.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	if IsPostgresURL(dsn) {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	db.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Dialect returns the database engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// String describes the database without secrets.
func (db *DB) String() string { return db.dsn }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Tx is a write transaction. Now is fixed when it begins, so every row it
// writes carries the same instant.
type Tx struct {
	tx   *sql.Tx
	conn *sql.Conn
	db   *DB
	now  time.Time
}

// Now returns the transaction's clock reading.
func (tx *Tx) Now() time.Time { return tx.now }

// WithTx runs fn in a write transaction, committing when fn returns nil.
// On PostgreSQL a transaction that lost a deadlock or a serialization
// conflict is run again (fn must only touch the database, as every caller
// here does), up to three times.
func (db *DB) WithTx(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.withTxOnce(ctx, fn)
		if err == nil || attempt == 3 || !retryable(err) {
			return err
		}
	}
}

func (db *DB) withTxOnce(ctx context.Context, fn func(*Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connect: %w", err)
	}
	defer conn.Close()
	sqltx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: sqltx, conn: conn, db: db, now: db.Now()}
	if err := fn(tx); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// retryable reports a PostgreSQL deadlock (40P01) or serialization failure (40001).
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, query, args...)
}

// notFound turns sql.ErrNoRows into ENOTFOUND.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return retain.Errorf(retain.ENOTFOUND, format, args...)
	}
	return err
}

// notFoundAs turns sql.ErrNoRows into an error with the given code.
func notFoundAs(err error, code, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return retain.Errorf(code, format, args...)
	}
	return err
}

// nullTime scans a timestamp that may be NULL, a time.Time (both drivers for
// typed columns) or text (SQLite, for an aggregate over a DATETIME column).
type nullTime struct{ T time.Time }

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.T = time.Time{}
	case time.Time:
		n.T = x.UTC()
	case string:
		return n.parse(x)
	case []byte:
		return n.parse(string(x))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", v)
	}
	return nil
}

func (n *nullTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			n.T = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("store: cannot parse time %q", s)
}

// timeArg turns a zero time into NULL.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// strArg turns "" into NULL.
func strArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scanIDs reads a one-column result of ids and closes it.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
