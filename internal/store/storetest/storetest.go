// Package storetest is the store's contract: one suite of behaviours that
// every dialect must pass. store_test.go runs it on SQLite always and on
// PostgreSQL when RETAIN_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/retainhq/retain/internal/store"
)

// PostgresURLEnv names the variable that switches PostgreSQL tests on.
const PostgresURLEnv = "RETAIN_TEST_POSTGRES_URL"

// Opener opens a fresh, migrated database for one test.
type Opener func(t testing.TB) *store.DB

// SQLite opens a new SQLite file in the test's temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "retain.db"))
}

// PostgresDSN returns a URL to a new, empty schema of the test PostgreSQL
// (dropped when the test ends), or skips the test when none is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests are off: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresURLEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresURLEnv, err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a new schema in the test PostgreSQL, or skips.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// Openers lists the dialects to test: SQLite, and PostgreSQL (which skips
// itself when not configured).
func Openers() map[string]Opener {
	return map[string]Opener{"sqlite": SQLite, "postgres": Postgres}
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = Clock(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// ClockEnv names the variable that sets the test clock's start (RFC 3339);
// CI runs the suite with it on the first and on the last day of a month.
const ClockEnv = "RETAIN_TEST_CLOCK"

// DefaultClockStart is where test clocks start when ClockEnv is not set: a
// fixed instant, so that no test depends on the day it runs.
var DefaultClockStart = time.Date(2026, time.March, 18, 9, 30, 0, 0, time.UTC)

// ClockStart is the pinned instant test clocks start from.
func ClockStart(t testing.TB) time.Time {
	t.Helper()
	v := os.Getenv(ClockEnv)
	if v == "" {
		return DefaultClockStart
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatalf("%s=%q: %v", ClockEnv, v, err)
	}
	return at.UTC()
}

// Clock is a test database's clock: it starts at ClockStart and runs at the
// wall clock's pace, so leases and timeouts still pass while the date is
// pinned. Every test database gets one; a test that needs to jump in time
// replaces db.Now itself.
func Clock(t testing.TB) func() time.Time {
	start, wall := ClockStart(t), time.Now()
	return func() time.Time { return start.Add(time.Since(wall)).Truncate(time.Microsecond) }
}

// ChildClockEnv gives a child process (a retain command a test starts) the
// test's clock, as its offset from the wall clock, so that the test and its
// children read the same pinned time.
const ChildClockEnv = "RETAIN_TEST_CLOCK_OFFSET"

// ChildClock is a clock pinned like Clock's, and the environment entry that
// gives a child process the same one (see OffsetClock).
func ChildClock(t testing.TB) (clock func() time.Time, env string) {
	off := time.Until(ClockStart(t))
	return OffsetClock(off), ChildClockEnv + "=" + off.String()
}

// OffsetClock is the wall clock moved by off.
func OffsetClock(off time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(off).UTC().Truncate(time.Microsecond) }
}

// PostgresDSNOrEmpty is PostgresDSN without the skip: "" when PostgreSQL
// tests are off.
func PostgresDSNOrEmpty(t testing.TB) string {
	t.Helper()
	if os.Getenv(PostgresURLEnv) == "" {
		return ""
	}
	return PostgresDSN(t)
}

// RawSQLite opens a SQLite file directly, for tests that must reach past the
// store (to age a schema, or to read while another process writes).
func RawSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	dsn := "file:" + path
	if !strings.Contains(path, "?") {
		dsn += "?"
	} else {
		dsn += "&"
	}
	db, err := sql.Open("sqlite", dsn+"_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
