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

// TestLoyaltyNudge: an order whose points first reach the cheapest reward
// raises reward_available, which enrols the customer in the loyalty-nudge
// playbook, whose message shows the points; points given by hand a month
// and ten days from expiry raise points_expiring ten days on — and not if
// they were spent by then.
func TestLoyaltyNudge(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			p := loyalty.DefaultProgram()
			p.Enabled = true
			p.Rewards = []loyalty.Reward{{Key: "tea", Name: map[string]string{"en": "Tea", "bn": "চা", "ne": "चिया"}, Points: 50,
				Coupon: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Tea"}}}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPlaybookEnabled(ctx, admin, "loyalty_nudge", true); err != nil {
				t.Fatal(err)
			}
			var b store.Batch
			for _, id := range []string{"rina", "karim"} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id, Name: id + " Das", Phone: "+88017110001" + id[:2]}})
			}
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "N1", CustomerRef: "rina", Currency: "BDT", Total: 600000, HasTotal: true, PlacedAt: now}})
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			step := func() core.DetectStats {
				t.Helper()
				if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
					t.Fatal(err)
				}
				det, err := core.Detect(ctx, db, core.DetectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return det
			}
			step()
			now = now.AddDate(0, 0, 8)
			if det := step(); det.Enrolled != 1 {
				t.Fatalf("after the order earned 60 points: %+v", det)
			}
			runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			msgs, err := db.ClaimMessages(ctx, "test", time.Minute, 10)
			if err != nil || len(msgs) != 1 || msgs[0].Kind != "loyalty.reminder" || !strings.Contains(msgs[0].Body, "60 points") {
				t.Fatalf("the nudge: %+v %v", msgs, err)
			}
			work := core.Work{DB: db}
			for _, id := range []string{"rina", "karim"} {
				if _, err := work.AdjustPoints(ctx, admin, id, 30, "soon-"+id, "Eid", now.AddDate(0, 0, 40)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := work.RedeemPoints(ctx, admin, "karim", 30, "spent", ""); err != nil {
				t.Fatal(err)
			}
			now = now.AddDate(0, 0, 11)
			step()
			expiring := map[string]bool{}
			alerts, err := db.Alerts(ctx, store.AlertFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range alerts {
				if a.Reason == "points_expiring" {
					expiring[a.CustomerRef] = true
				}
			}
			if !expiring["rina"] || expiring["karim"] {
				t.Errorf("points_expiring raised for %v, want rina's only (karim spent his)", expiring)
			}
		})
	}
}
