package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCouponCommands: a coupon issued for a customer is checked, held and
// confirmed by its key, and a second hold of it is refused naming code; a
// batch comes out as CSV with distinct codes, and again the same; verify
// passes, and exits 1 when a coupon's uses are tampered with.
func TestCouponCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "demo", "--customers", "20", "--loyalty=false", "--db", db)
	out := mustRun(t, "coupon", "issue", "--kind", "amount", "--amount", "২০০", "--min-spend", "1000", "--customer", "C00001", "--key", "sorry-1", "--valid-days", "30", "--db", db)
	code, _, _ := strings.Cut(strings.TrimSpace(out), " ")
	if len(code) != 17 || !strings.Contains(out, "amount BDT 200.00, min BDT 1000.00") {
		t.Fatalf("issue: %q", out)
	}
	if code, _, errOut := run(t, "coupon", "check", code, "500", "--customer", "C00001", "--db", db); code != 2 || !strings.Contains(errOut, "total") {
		t.Errorf("below the minimum spend: exit %d %q", code, errOut)
	}
	if out := mustRun(t, "coupon", "check", strings.ToLower(code), "1500", "--customer", "C00001", "--db", db); !strings.Contains(out, "200.00 off") {
		t.Errorf("check: %q", out)
	}
	if out := mustRun(t, "coupon", "hold", code, "1500", "--customer", "C00001", "--key", "r-1", "--db", db); !strings.Contains(out, "r-1: held, 200.00 off, held until") {
		t.Errorf("hold: %q", out)
	}
	if out := mustRun(t, "coupon", "confirm", "r-1", "--order", "O-77", "--db", db); !strings.Contains(out, "r-1: confirmed") {
		t.Errorf("confirm: %q", out)
	}
	if code, _, errOut := run(t, "coupon", "hold", code, "1500", "--customer", "C00001", "--key", "r-2", "--db", db); code != 2 || !strings.Contains(errOut, "code") {
		t.Errorf("a used coupon held again: exit %d %q", code, errOut)
	}
	first := mustRun(t, "coupon", "generate", "--kind", "percent", "--percent", "15", "--batch", "fair", "--count", "5", "--valid-days", "7", "--db", db)
	rows, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "code" || rows[1][2] != "15%" {
		t.Fatalf("generate: %v %q", err, first)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[0]] = true
	}
	if len(seen) != 5 {
		t.Errorf("codes not distinct: %v", seen)
	}
	if again := mustRun(t, "coupon", "generate", "--kind", "percent", "--percent", "15", "--batch", "fair", "--count", "5", "--db", db); again != first {
		t.Errorf("the batch again:\n%s\nwant\n%s", again, first)
	}
	if out := mustRun(t, "coupon", "list", "--customer", "C00001", "--db", db); !strings.Contains(out, "1/1") || !strings.Contains(out, "manual") {
		t.Errorf("list: %q", out)
	}
	// A reward of the catalogue, bought with points.
	program := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(program, []byte(`{"enabled": true, "currency": "BDT", "earn_per_minor": 10000, "return_window_days": 7, "expire_months": 12,
		"point_value_minor": 100, "rewards": [{"key": "tea", "name": {"en": "Free tea", "bn": "ফ্রি চা", "ne": "निःशुल्क चिया"}, "points": 40,
		"coupon": {"kind": "free_item", "item": "Masala tea", "valid_days": 30}}]}`), 0o600)
	mustRun(t, "loyalty", "program", program, "--db", db)
	mustRun(t, "loyalty", "adjust", "C00002", "50", "--reason", "welcome", "--key", "w2", "--db", db)
	if out := mustRun(t, "loyalty", "reward", "C00002", "tea", "--key", "till-5", "--db", db); !strings.Contains(out, "40 points for tea, balance 10; coupon") ||
		!strings.Contains(out, "free_item Masala tea") {
		t.Errorf("reward: %q", out)
	}
	if code, _, errOut := run(t, "loyalty", "reward", "C00002", "tea", "--key", "till-6", "--db", db); code != 2 || !strings.Contains(errOut, "costs 40 points") {
		t.Errorf("a reward beyond the balance: exit %d %q", code, errOut)
	}
	if out := mustRun(t, "loyalty", "verify", "--db", db); !strings.Contains(out, "every coupon's uses") {
		t.Errorf("verify: %s", out)
	}
	// A coupon's amounts are in the programme's currency unless told.
	os.WriteFile(program, []byte(`{"enabled": true, "currency": "NPR", "earn_per_minor": 10000, "return_window_days": 7, "expire_months": 12, "point_value_minor": 100}`), 0o600)
	mustRun(t, "loyalty", "program", program, "--db", db)
	if out := mustRun(t, "coupon", "issue", "--kind", "amount", "--amount", "50", "--key", "np-1", "--db", db); !strings.Contains(out, "amount NPR 50.00") {
		t.Errorf("a coupon of a programme in rupees: %q", out)
	}
	raw := storetest.RawSQLite(t, db)
	if _, err := raw.Exec(`UPDATE coupons SET uses = 0 WHERE source = 'manual'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if code, out, _ := run(t, "loyalty", "verify", "--db", db); code != 1 || !strings.Contains(out, "coupon_uses") {
		t.Errorf("verify a tampered coupon: exit %d\n%s", code, out)
	}
}

// TestLoyaltyReportCommand: on the demo's fifteen months of loyalty, the
// report shows members, the points outstanding and their worth by expiry
// month, redemption and coupons, and the effect's comparison; its JSON
// carries the liability; stamps fill a card from the command line.
func TestLoyaltyReportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "demo", "--customers", "200", "--db", db)
	out := mustRun(t, "report", "loyalty", "--db", db)
	for _, want := range []string{"Members", "Points outstanding", "expiring 20", "redeemed", "Coupons (12 months)", "Effect (90 days after joining)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report loyalty lacks %q:\n%s", want, out)
		}
	}
	var rep struct {
		Members   int   `json:"members"`
		Liability int64 `json:"liability_minor"`
		Effect    struct {
			WindowDays int `json:"window_days"`
		} `json:"effect"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "report", "loyalty", "--json", "--db", db)), &rep); err != nil || rep.Members == 0 || rep.Liability <= 0 || rep.Effect.WindowDays != 90 {
		t.Errorf("report loyalty --json: %+v %v", rep, err)
	}
	mustRun(t, "loyalty", "verify", "--db", db)
	program := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(program, []byte(`{"enabled": true, "currency": "BDT", "earn_per_minor": 10000, "return_window_days": 7, "expire_months": 12,
		"point_value_minor": 100, "stamp_cards": [{"key": "coffee", "name": {"en": "Coffee card", "bn": "কফি কার্ড", "ne": "कफी कार्ड"}, "stamps": 5,
		"per": "visit", "reward": {"kind": "free_item", "item": "Coffee", "valid_days": 30}}]}`), 0o600)
	mustRun(t, "loyalty", "program", program, "--db", db)
	if out := mustRun(t, "loyalty", "stamp", "C00003", "coffee", "--count", "6", "--key", "s1", "--db", db); !strings.Contains(out, "holds 1 of 5") ||
		!strings.Contains(out, "full: reward coupon") {
		t.Errorf("stamp: %q", out)
	}
	if out := mustRun(t, "loyalty", "show", "C00003", "--db", db); !strings.Contains(out, "stamp card coffee: 1 of 5") {
		t.Errorf("show: %q", out)
	}
	if out := mustRun(t, "loyalty", "card", "C00003", "--db", db); !strings.Contains(out, "/card/") || len(strings.TrimSpace(out)) < len("/card/")+22 {
		t.Errorf("card: %q", out)
	}
}

// TestLoyaltyImportCommand: opening balances from a CSV — points with
// their expiry, stamps — are taken; a bad number and an unknown customer
// are refused with their line and field (exit 1); the same file again
// gives nobody anything twice.
func TestLoyaltyImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "20", "--loyalty=false", "--db", db)
	program := filepath.Join(dir, "p.json")
	os.WriteFile(program, []byte(`{"enabled": true, "currency": "BDT", "earn_per_minor": 10000, "return_window_days": 7, "expire_months": 12,
		"point_value_minor": 100, "stamp_cards": [{"key": "coffee", "name": {"en": "Coffee card", "bn": "কফি কার্ড", "ne": "कफी कार्ड"}, "stamps": 5,
		"per": "visit", "reward": {"kind": "free_item", "item": "Coffee", "valid_days": 30}}]}`), 0o600)
	mustRun(t, "loyalty", "program", program, "--db", db)
	file := filepath.Join(dir, "old shop.csv")
	os.WriteFile(file, []byte("customer_id,points,expires_at,card,stamps\nC00001,১২০,2099-06-30,,\nC00002,abc,,,\nnobody,5,,,\nC00003,,,coffee,3\n"), 0o600)
	code, out, errOut := run(t, "loyalty", "import", file, "--db", db)
	if code != 1 || !strings.Contains(out, "4 rows: 120 points and 3 stamps given") || !strings.Contains(errOut, "line 3: points") || !strings.Contains(errOut, "line 4: customer_id") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	if out := mustRun(t, "loyalty", "show", "C00001", "--db", db); !strings.Contains(out, "C00001: 120 points") || !strings.Contains(out, "expire 2099-06-30") {
		t.Errorf("show: %q", out)
	}
	if _, out, _ := run(t, "loyalty", "import", file, "--db", db); !strings.Contains(out, "0 points and 0 stamps given, 1 given before by old-shop") {
		t.Errorf("the same file again: %q", out)
	}
}
