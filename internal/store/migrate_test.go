package store

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestMigrationsMatch: every migration exists for both dialects, with the
// same number and name, so the two schemas never drift apart silently.
func TestMigrationsMatch(t *testing.T) {
	names := func(d Dialect) []string {
		entries, err := fs.ReadDir(migrationFS, "migrations/"+string(d))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names(SQLite), names(Postgres)
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("sqlite migrations %v, postgres %v", lite, pg)
	}
	for i := range lite {
		if lite[i] != pg[i] {
			t.Errorf("migration %d: sqlite %s, postgres %s", i+1, lite[i], pg[i])
		}
	}
	for _, d := range []Dialect{SQLite, Postgres} {
		if _, err := migrations(d); err != nil {
			t.Error(err)
		}
	}
}

func TestPragmas(t *testing.T) {
	db, err := Open(t.Context(), t.TempDir()+"/p.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Pragmas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "busy_timeout": "10000", "foreign_keys": "1"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("PRAGMA %s = %s, want %s", k, p[k], v)
		}
	}
}

func TestRetryable(t *testing.T) {
	for code, want := range map[string]bool{"40P01": true, "40001": true, "23505": false} {
		err := fmt.Errorf("store: merge: %w", &pgconn.PgError{Code: code})
		if got := retryable(err); got != want {
			t.Errorf("retryable(%s) = %v, want %v", code, got, want)
		}
	}
	if retryable(errors.New("plain")) {
		t.Error("a plain error is retryable")
	}
}
