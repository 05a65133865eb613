package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestRenewalRecap: the renewal playbook's value recap tells a customer
// their points and what their coupons saved them, in their language; a
// customer with neither reads the recap without those words.
func TestRenewalRecap(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	admin := retain.System("test")
	p := loyalty.DefaultProgram()
	p.Enabled = true
	if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rina", Name: "Rina Das", Phone: "+8801711000999", Locale: "bn"}},
		store.Row[retain.Customer]{V: retain.Customer{ExternalID: "karim", Name: "Karim Mia", Phone: "+8801711000998", Locale: "en"}})
	if _, err := db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	work := core.Work{DB: db}
	if _, err := work.AdjustPoints(ctx, admin, "rina", 80, "w", "Welcome", time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, _, err := work.IssueCoupon(ctx, admin, core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 20000}, Customer: "rina", Key: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := work.HoldCoupon(ctx, admin, core.CouponUse{Code: c.Code, Customer: "rina", Total: 100000, Currency: "BDT"}, "h", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := work.ConfirmCoupon(ctx, admin, "h", "O-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	playbook, err := core.CurrentPlaybook(ctx, db, "renewal")
	if err != nil {
		t.Fatal(err)
	}
	runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
	recap := func(ref string) string {
		t.Helper()
		cust, err := db.GetCustomer(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		steps, err := core.Simulate(ctx, runner, playbook, cust.ID, "renewal_due")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if s.Type == "message" {
				return s.Text
			}
		}
		t.Fatal("no message in the renewal playbook")
		return ""
	}
	if got := recap("rina"); !strings.Contains(got, "80 পয়েন্ট") || !strings.Contains(got, "৳২০০.০০") {
		t.Errorf("rina's recap: %q", got)
	}
	if got := recap("karim"); strings.Contains(got, "points") || strings.Contains(got, "saved") {
		t.Errorf("karim's recap mentions what he has not: %q", got)
	}
}
