package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDemoLoyalty: the demo's fifteen months of loyalty leave points
// earned, redeemed and expired, rewards bought and coupons used, tea cards
// filled, friends referred (most completed, some not, self-referrals
// refused), a ledger that verifies, members whose effect can be measured,
// and the database's clock as it was.
func TestDemoLoyalty(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	asOf := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	clock := db.Now
	st, err := demo.Generate(ctx, db, demo.Options{Customers: 400, Seed: 5, AsOf: asOf, Loyalty: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rewards == 0 || st.CouponsUsed == 0 || st.CouponsUsed >= st.Rewards {
		t.Errorf("rewards %d, coupons used %d: want some of each, not every coupon used", st.Rewards, st.CouponsUsed)
	}
	if a, b := db.Now(), clock(); a.Sub(b).Abs() > time.Minute {
		t.Errorf("the clock after the demo reads %v, before it %v", a, b)
	}
	f, err := db.LoyaltyFigures(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if f.Members == 0 || f.Earned == 0 || f.Redeemed == 0 || f.Expired == 0 || f.Live == 0 || f.CouponsUsed == 0 {
		t.Errorf("figures: %+v", f)
	}
	coupons, err := db.Coupons(ctx, store.CouponFilter{Limit: 10000})
	teas := 0
	for _, c := range coupons {
		if c.Reward == "stamps:tea" {
			teas++
		}
	}
	if err != nil || teas == 0 {
		t.Errorf("no tea card filled (%d coupons): %v", len(coupons), err)
	}
	if f.Referrals == 0 || f.ReferralsCompleted == 0 || f.ReferralsCompleted >= f.Referrals || f.ReferralsRefused["self"] == 0 {
		t.Errorf("referrals: %d made, %d completed, refused %v: want some completed, some not, self-referrals refused", f.Referrals, f.ReferralsCompleted, f.ReferralsRefused)
	}
	if v, err := core.VerifyLoyalty(ctx, db); err != nil || len(v) != 0 {
		t.Fatalf("verify: %+v %v", v, err)
	}
	db.Now = func() time.Time { return asOf }
	e, err := core.ProgramEffect(ctx, db)
	if err != nil || e.Members == 0 {
		t.Errorf("effect: %+v %v", e, err)
	}
	t.Logf("%v; %+v; effect %+v", st, f, e)
}
