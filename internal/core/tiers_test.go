package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestTiers: the points an order earns lift its customer to Silver at
// once, and Silver earns half as much again; points within a fifth of Gold
// raise near_tier; a year on, with nothing earned since, the customer keeps
// Silver through the 30-day grace and drops to Member at its end.
func TestTiers(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			p := loyalty.DefaultProgram()
			p.Enabled, p.TierMonths, p.TierGraceDays, p.ExpireMonths = true, 12, 30, 0
			p.Tiers = []loyalty.Tier{
				{Key: "member", Name: map[string]string{"en": "Member", "bn": "সদস্য", "ne": "सदस्य"}, Multiplier: 1},
				{Key: "silver", Name: map[string]string{"en": "Silver", "bn": "সিলভার", "ne": "सिल्भर"}, MinPoints: 100, Multiplier: 1.5},
				{Key: "gold", Name: map[string]string{"en": "Gold", "bn": "গোল্ড", "ne": "गोल्ड"}, MinPoints: 300, Multiplier: 2},
			}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			bad := p
			bad.Tiers = []loyalty.Tier{p.Tiers[1], p.Tiers[0], p.Tiers[2]}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, bad); fieldOf(err) != "tiers[0].min_points" {
				t.Errorf("tiers out of order: %v", err)
			}
			run := func(orders ...store.Row[retain.Order]) {
				t.Helper()
				b := store.Batch{Orders: orders}
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rina", Name: "Rina"}})
				if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
					t.Fatal(err)
				}
				var st core.DetectStats
				if err := core.FireTimers(ctx, db, core.DetectOptions{}, &st); err != nil {
					t.Fatal(err)
				}
			}
			order := func(id string, total int64) store.Row[retain.Order] {
				return store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: "rina", Currency: "BDT", Total: total, HasTotal: true, PlacedAt: now}}
			}
			tier := func() (string, int64) {
				t.Helper()
				pts, err := core.Work{DB: db}.CustomerPoints(ctx, admin, "rina")
				if err != nil || pts.Tier == nil {
					t.Fatalf("points: %+v %v", pts, err)
				}
				return pts.Tier.Tier, pts.Balance
			}
			near := func() int {
				alerts, err := db.Alerts(ctx, store.AlertFilter{Reason: "near_tier"})
				if err != nil {
					t.Fatal(err)
				}
				return len(alerts)
			}
			run(order("T1", 1200000))
			now = now.AddDate(0, 0, 8)
			run()
			if tr, bal := tier(); tr != "silver" || bal != 120 || near() != 0 {
				t.Fatalf("after 120 points: %s with %d (%d near_tier), want silver with 120 and no near_tier", tr, bal, near())
			}
			run(order("T2", 1000000))
			now = now.AddDate(0, 0, 8)
			run()
			if tr, bal := tier(); tr != "silver" || bal != 270 {
				t.Fatalf("a silver order of BDT 10,000: %s with %d, want 150 more at 1.5×", tr, bal)
			}
			if n := near(); n != 1 { // 270 of Gold's 300: within a fifth (120 of 300 was not)
				t.Errorf("near_tier alerts at 270 points: %d, want 1", n)
			}
			now = now.AddDate(1, 0, 10) // past the period, inside the grace
			run()
			if tr, _ := tier(); tr != "silver" {
				t.Errorf("inside the grace: %s", tr)
			}
			now = now.AddDate(0, 0, 25) // past the grace, nothing earned in the window
			run()
			if tr, _ := tier(); tr != "member" {
				t.Errorf("after the grace: %s, want member", tr)
			}
		})
	}
}
