package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestLoyaltyCommands: the programme is set from a file (a bad one is
// refused naming the field), points are given, redeemed once per key, a
// redemption beyond the balance is refused naming points, and verify
// passes on a sound ledger and exits 1 when a balance is tampered with.
func TestLoyaltyCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "20", "--loyalty=false", "--db", db)
	file := filepath.Join(dir, "p.json")
	os.WriteFile(file, []byte(`{"enabled": true, "currency": "BDT", "earn_per_minor": 0}`), 0o600)
	if code, _, errOut := run(t, "loyalty", "program", file, "--db", db); code != 2 || !strings.Contains(errOut, "earn_per_minor") {
		t.Errorf("a bad programme: exit %d, %q", code, errOut)
	}
	os.WriteFile(file, []byte(`{"enabled": true, "currency": "BDT", "earn_per_minor": 10000, "return_window_days": 7, "expire_months": 12, "point_value_minor": 100}`), 0o600)
	mustRun(t, "loyalty", "program", file, "--db", db)
	if out := mustRun(t, "loyalty", "program", "--db", db); !strings.Contains(out, `"enabled": true`) {
		t.Errorf("program: %s", out)
	}
	mustRun(t, "loyalty", "adjust", "C00001", "100", "--reason", "welcome", "--key", "w1", "--db", db)
	if out := mustRun(t, "loyalty", "redeem", "C00001", "30", "--key", "till-1", "--db", db); !strings.Contains(out, "30 points moved, balance 70") {
		t.Errorf("redeem: %s", out)
	}
	if out := mustRun(t, "loyalty", "redeem", "C00001", "30", "--key", "till-1", "--db", db); !strings.Contains(out, "balance 70") || !strings.Contains(out, "nothing moved again") {
		t.Errorf("the same key again: %s", out)
	}
	if code, _, errOut := run(t, "loyalty", "redeem", "C00001", "71", "--key", "till-2", "--db", db); code != 2 || !strings.Contains(errOut, "points") {
		t.Errorf("beyond the balance: exit %d, %q", code, errOut)
	}
	if out := mustRun(t, "loyalty", "show", "C00001", "--db", db); !strings.Contains(out, "C00001: 70 points") {
		t.Errorf("show: %s", out)
	}
	if out := mustRun(t, "loyalty", "verify", "--db", db); !strings.Contains(out, "every balance is the sum") {
		t.Errorf("verify: %s", out)
	}
	raw := storetest.RawSQLite(t, db)
	if _, err := raw.Exec(`UPDATE loyalty_accounts SET balance = balance + 1`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if code, out, _ := run(t, "loyalty", "verify", "--db", db); code != 1 || !strings.Contains(out, "balance") {
		t.Errorf("verify a tampered ledger: exit %d\n%s", code, out)
	}
}
