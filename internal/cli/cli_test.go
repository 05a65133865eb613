package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/cli"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestMain lets the test binary act as the retain command, so tests can run
// it as a child process (and kill it) without building anything.
func TestMain(m *testing.M) {
	if v := os.Getenv(storetest.ChildClockEnv); v != "" { // a child: the parent test's pinned clock
		off, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", storetest.ChildClockEnv, v, err)
			os.Exit(2)
		}
		cli.Clock = storetest.OffsetClock(off)
	}
	if os.Getenv("RETAIN_TEST_AS_CLI") == "1" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if db := os.Getenv("RETAIN_TEST_CONSUMER_DB"); db != "" {
		os.Exit(consumeUntilDone(db)) // detectkill_test.go
	}
	os.Exit(m.Run())
}

// run runs the CLI in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("retain %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// cdnowFile returns a CDNOW file from the repository's testdata/cdnow.
func cdnowFile(t *testing.T, name string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	path := filepath.Join(dir, "testdata", "cdnow", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("CDNOW data: %v", err)
	}
	return path
}

type report struct {
	Customers, Orders, OrderLines, OrderEvents, Tickets, SurveyResponses, RepeatCustomers int64
	FirstOrderAt, LastOrderAt                                                             string
}

func reportJSON(t *testing.T, db string) (report, map[string]any) {
	t.Helper()
	out := mustRun(t, "report", "--json", "--db", db)
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	var r report
	num := func(k string) int64 { v, _ := raw[k].(float64); return int64(v) }
	r.Customers, r.Orders, r.OrderLines, r.OrderEvents = num("customers"), num("orders"), num("order_lines"), num("order_events")
	r.Tickets, r.SurveyResponses, r.RepeatCustomers = num("tickets"), num("survey_responses"), num("repeat_customers")
	r.FirstOrderAt, _ = raw["first_order_at"].(string)
	r.LastOrderAt, _ = raw["last_order_at"].(string)
	return r, raw
}

func TestImportCDNOWMaster(t *testing.T) {
	path := cdnowFile(t, "CDNOW_master.txt")
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "r.db") },
		"postgres": storetest.PostgresDSN,
	} {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			out := mustRun(t, "import", "orders", "--format", "cdnow", path, "--db", db)
			if !strings.Contains(out, "imported 69659 of 69659") {
				t.Errorf("summary line: %s", out)
			}
			first, raw := reportJSON(t, db)
			if first.Customers != 23570 || first.Orders != 69659 {
				t.Fatalf("customers %d orders %d, want 23570 and 69659", first.Customers, first.Orders)
			}
			for _, k := range []string{"customers", "orders", "order_lines", "order_events", "tickets", "survey_responses",
				"repeat_customers", "first_order_at", "last_order_at"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("report --json has no key %q", k)
				}
			}
			if !strings.HasPrefix(first.FirstOrderAt, "1997-01-01") || !strings.HasPrefix(first.LastOrderAt, "1998-06-30") {
				t.Errorf("order range %s … %s", first.FirstOrderAt, first.LastOrderAt)
			}
			mustRun(t, "import", "orders", "--format", "cdnow", path, "--db", db)
			if second, _ := reportJSON(t, db); second != first {
				t.Errorf("second import changed counts: %+v → %+v", first, second)
			}
		})
	}
}

func TestImportCDNOWSampleHasSampleIDs(t *testing.T) {
	path := cdnowFile(t, "CDNOW_sample.txt")
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "import", "orders", "--format", "cdnow", path, "--db", db)
	r, _ := reportJSON(t, db)
	if r.Customers != 2357 || r.Orders != 6919 {
		t.Fatalf("customers %d orders %d, want 2357 and 6919", r.Customers, r.Orders)
	}
}

func TestImportExitStatus(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("order_id,customer_id,placed_at,total\no1,c1,2026-01-01,5\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("order_id,customer_id,placed_at,total\no2,c1,yesterday,5\no3,c1,2026-01-02,7\n"), 0o600)
	if code, out, _ := run(t, "import", "orders", good, "--db", db); code != 0 {
		t.Errorf("clean import: exit %d: %s", code, out)
	}
	code, out, _ := run(t, "import", "orders", bad, "--db", db)
	if code != 1 || !strings.Contains(out, "1 rejected") || !strings.Contains(out, bad+".rejects.csv") {
		t.Errorf("import with a bad row: exit %d, output %q", code, out)
	}
	rej, err := os.ReadFile(bad + ".rejects.csv")
	if err != nil || !strings.Contains(string(rej), "2,") || !strings.Contains(string(rej), "yesterday") {
		t.Errorf("rejects file: %q %v", rej, err)
	}
	if code, _, errOut := run(t, "import", "orders", filepath.Join(dir, "missing.csv"), "--db", db); code != 2 || errOut == "" {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run(t, "import", "widgets", good, "--db", db); code != 2 || !strings.Contains(errOut, "unknown import kind") {
		t.Errorf("unknown kind: exit %d, stderr %q", code, errOut)
	}
	// A custom rejects path.
	custom := filepath.Join(dir, "out", "rej.csv")
	os.MkdirAll(filepath.Dir(custom), 0o750)
	if code, _, _ := run(t, "import", "orders", bad, "--db", db, "--rejects", custom); code != 1 {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(custom); err != nil {
		t.Errorf("--rejects file not written: %v", err)
	}
}

func TestSchemaBehindIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "report", "--db", db) // creates the database
	dbh := storetest.RawSQLite(t, db)
	if _, err := dbh.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	dbh.Close()
	code, _, errOut := run(t, "serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, "retain migrate") {
		t.Fatalf("serve on an old schema: exit %d, stderr %q", code, errOut)
	}
}

func TestBackupMigrateVersion(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "50", "--db", db, "--as-of", "2026-06-01")
	if out := mustRun(t, "migrate", "--db", db); !strings.Contains(out, "up to date") {
		t.Errorf("migrate: %s", out)
	}
	// Money in the report as people write it: grouped, with the symbol.
	if out := mustRun(t, "report", "--db", db); !regexp.MustCompile(`Revenue BDT\s+৳\d{1,3}(,\d{2,3})+\.\d\d`).MatchString(out) {
		t.Errorf("report revenue: %s", out)
	}
	mustRun(t, "backup", filepath.Join(dir, "copy.db"), "--db", db)
	orig, _ := reportJSON(t, db)
	copied, _ := reportJSON(t, filepath.Join(dir, "copy.db"))
	if orig != copied {
		t.Errorf("backup differs: %+v vs %+v", orig, copied)
	}
	if out := mustRun(t, "version"); !strings.HasPrefix(out, "retain ") {
		t.Errorf("version: %q", out)
	}
	code, _, errOut := run(t, "backup", filepath.Join(dir, "x.db"), "--db", storetest.PostgresDSNOrEmpty(t))
	if storetest.PostgresDSNOrEmpty(t) != "" && (code != 2 || !strings.Contains(errOut, "pg_dump")) {
		t.Errorf("postgres backup: exit %d, %q", code, errOut)
	}
}

func TestUsersAndKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	out := mustRun(t, "user", "add", "--email", "ayesha@shop.example", "--name", "Ayesha", "--role", "manager", "--team", "Dhaka", "--db", db)
	if !strings.Contains(out, "password (shown once): ") {
		t.Errorf("user add: %q", out)
	}
	if code, _, errOut := run(t, "user", "add", "--email", "ayesha@shop.example", "--name", "A", "--db", db); code != 2 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate user: exit %d %q", code, errOut)
	}
	if out := mustRun(t, "user", "list", "--db", db); !strings.Contains(out, "ayesha@shop.example") || !strings.Contains(out, "manager") {
		t.Errorf("user list: %q", out)
	}
	key := strings.TrimSpace(mustRun(t, "user", "apikey", "create", "--name", "shop", "--db", db))
	if !strings.HasPrefix(key, "rtn_") || len(key) < 50 {
		t.Errorf("key = %q", key)
	}
	if out := mustRun(t, "user", "apikey", "list", "--db", db); strings.Contains(out, key) || !strings.Contains(out, "shop") {
		t.Errorf("apikey list shows the secret or misses the key: %q", out)
	}
	mustRun(t, "user", "apikey", "revoke", "1", "--db", db)
	if out := mustRun(t, "user", "apikey", "list", "--db", db); !strings.Contains(out, "revoked") {
		t.Errorf("apikey list after revoke: %q", out)
	}
	// Scopes: events:write unless told; chosen with --scopes; a wrong one
	// is refused naming the choices.
	mustRun(t, "user", "apikey", "create", "--name", "reader", "--scopes", "read,events:write", "--db", db)
	if out := mustRun(t, "user", "apikey", "list", "--db", db); !strings.Contains(out, "events:write ") || !strings.Contains(out, "read,events:write") {
		t.Errorf("apikey list scopes: %q", out)
	}
	if code, _, errOut := run(t, "user", "apikey", "create", "--scopes", "root", "--db", db); code != 2 || !strings.Contains(errOut, "events:write,read,write,admin") {
		t.Errorf("an unknown scope: exit %d %q", code, errOut)
	}
	// The audit log names the command line as the actor.
	out = mustRun(t, "audit", "--action", "apikey.", "--db", db)
	if !strings.Contains(out, "system:cli") || !strings.Contains(out, "apikey.create") || !strings.Contains(out, "apikey.revoke") {
		t.Errorf("audit: %q", out)
	}
	if out := mustRun(t, "user", "2fa-reset", "ayesha@shop.example", "--db", db); !strings.Contains(out, "removed") {
		t.Errorf("2fa-reset: %q", out)
	}
	if code, _, _ := run(t, "user", "2fa-reset", "nobody@shop.example", "--db", db); code == 0 {
		t.Error("2fa-reset of an unknown user succeeded")
	}
	// A permission change: audited with the old and the new role.
	mustRun(t, "user", "role", "ayesha@shop.example", "agent", "--db", db)
	if code, _, errOut := run(t, "user", "role", "ayesha@shop.example", "owner", "--db", db); code != 2 || !strings.Contains(errOut, "role") {
		t.Errorf("an unknown role: exit %d %q", code, errOut)
	}
	if out := mustRun(t, "audit", "--action", "user.role", "--db", db); !strings.Contains(out, "manager → agent") || !strings.Contains(out, "system:cli") {
		t.Errorf("audit of the role change: %q", out)
	}
}
