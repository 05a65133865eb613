package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestReferrals: a customer's code credits a new friend (who gets a
// welcome coupon at once); the referrer themselves, a second record with
// their phone, one at their address written differently, and a customer
// who had ordered are refused with why, and kept. The friend's first
// order marks the referral ordered; when its return window ends, kept, it
// completes — both earn their points, referral.completed enrols the
// referrer in the thank-you playbook, whose message shows their points.
// A friend who orders in another currency than the programme's completes
// too; one who returns the first order is refused (returned), and past the
// referrer's monthly cap one is refused (cap) and earns nothing for it.
func TestReferrals(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			p := loyalty.DefaultProgram()
			p.Enabled = true
			p.Referral = &loyalty.Referral{Enabled: true, ReferrerPoints: 100, FriendPoints: 50, MaxPerMonth: 2,
				FriendCoupon: &retain.CouponSpec{Kind: retain.CouponAmount, Amount: 20000}}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPlaybookEnabled(ctx, admin, "loyalty_thanks", true); err != nil {
				t.Fatal(err)
			}
			var b store.Batch
			add := func(id, phone, address string) {
				c := retain.Customer{ExternalID: id, Name: strings.ToUpper(id[:1]) + id[1:] + " Das", Phone: phone}
				if address != "" {
					c.Attributes = map[string]string{"address": address}
				}
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: c})
			}
			add("asha", "+8801711000001", "House 12, Road 5, Dhanmondi")
			add("asha2", "+8801711000001", "")
			add("home", "+8801711000003", "house 12 road 5 dhanmondi")
			add("old", "+8801711000004", "")
			for i := range 4 {
				add(fmt.Sprint("friend", i), fmt.Sprintf("+88017120000%02d", i), "")
			}
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "OLD-1", CustomerRef: "old", Currency: "BDT", Total: 100000, HasTotal: true,
				PlacedAt: now.AddDate(0, -2, 0)}})
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			work := core.Work{DB: db}
			live := &core.LiveSettings{DB: db}
			code, err := work.ReferralCode(ctx, admin, live, "asha")
			if err != nil || len(code.Code) != loyalty.ReferralCodeLength || !strings.HasSuffix(code.Link, "/r/"+code.Code) {
				t.Fatalf("code: %+v %v", code, err)
			}
			if again, _ := work.ReferralCode(ctx, admin, live, "asha"); again.Code != code.Code {
				t.Fatalf("a second ask made another code: %s, %s", again.Code, code.Code)
			}
			for friend, why := range map[string]string{"asha": loyalty.RefusedSelf, "asha2": loyalty.RefusedPhone, "home": loyalty.RefusedAddress, "old": loyalty.RefusedNotNew} {
				r, err := work.Refer(ctx, admin, strings.ToLower(code.Code), friend) // typed in lower case: the same code
				if err != nil || r.Status != loyalty.ReferralRefused || r.Reason != why || r.CouponCode != "" {
					t.Errorf("%s: %+v %v, want refused for %s", friend, r, err, why)
				}
			}
			friends := map[string]core.ReferralResult{}
			for i := range 4 {
				id := fmt.Sprint("friend", i)
				r, err := work.Refer(ctx, admin, code.Code, id)
				if err != nil || r.Status != loyalty.ReferralPending || r.CouponCode == "" || r.Referrer != "asha" {
					t.Fatalf("%s: %+v %v", id, r, err)
				}
				friends[id] = r
			}
			if _, err := work.Refer(ctx, admin, code.Code, "friend0"); retain.ErrorCode(err) != retain.ECONFLICT {
				t.Errorf("referred twice: %v, want a conflict", err)
			}
			if _, err := work.Refer(ctx, admin, "NOSUCHCODE", "friend0"); fieldOf(err) != "code" {
				t.Errorf("an unknown code: %v, want a problem at code", err)
			}
			if cs, err := work.Coupons(ctx, admin, "friend0", "", 10); err != nil || len(cs) != 1 || cs[0].Amount != 20000 || cs[0].Code != friends["friend0"].CouponCode {
				t.Errorf("friend0's welcome coupon: %+v %v", cs, err)
			}
			step := func() {
				t.Helper()
				for range 2 { // the timers' changes are read by the next pass
					if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
						t.Fatal(err)
					}
					if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Every friend orders at once; friend1 then returns the whole order.
			var o store.Batch
			for i := range 4 {
				currency := "BDT"
				if i == 0 { // a friend across the border: the order earns no points, the referral completes all the same
					currency = "NPR"
				}
				o.Orders = append(o.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprint("F-", i), CustomerRef: fmt.Sprint("friend", i),
					Currency: currency, Total: 150000, HasTotal: true, PlacedAt: now}})
			}
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&o)); err != nil {
				t.Fatal(err)
			}
			step()
			status := func() map[string]store.Referral {
				t.Helper()
				rows, err := db.Referrals(ctx, store.ReferralFilter{})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]store.Referral{}
				for _, r := range rows {
					if r.Status != loyalty.ReferralRefused || r.Reason == loyalty.RefusedReturned || r.Reason == loyalty.RefusedCap {
						out[r.Friend] = r
					}
				}
				return out
			}
			for id, r := range status() {
				if r.Status != loyalty.ReferralOrdered || r.OrderID == 0 {
					t.Errorf("%s after the first order: %+v", id, r)
				}
			}
			now = now.Add(time.Hour)
			if _, err := core.Ingest(ctx, db, admin, core.Input{Events: []core.Event{{ID: "ret-1", Type: "order.returned", OrderID: "F-1"}}}); err != nil {
				t.Fatal(err)
			}
			step()
			now = now.AddDate(0, 0, 8)
			step()
			got := status()
			completed := 0
			for id, r := range got {
				switch {
				case id == "friend1":
					if r.Status != loyalty.ReferralRefused || r.Reason != loyalty.RefusedReturned {
						t.Errorf("friend1 returned the order: %+v", r)
					}
				case r.Status == loyalty.ReferralCompleted:
					completed++
				case r.Status != loyalty.ReferralRefused || r.Reason != loyalty.RefusedCap:
					t.Errorf("%s: %+v", id, r)
				}
			}
			if completed != 2 {
				t.Errorf("%d completed, want the cap's 2: %+v", completed, got)
			}
			asha, err := work.CustomerPoints(ctx, admin, "asha")
			if err != nil || asha.Balance != 200 {
				t.Errorf("asha: %d points, want 2 × 100: %v", asha.Balance, err)
			}
			for id, r := range got {
				pts, err := work.CustomerPoints(ctx, admin, id)
				if err != nil {
					t.Fatal(err)
				}
				want := int64(0) // friend1 kept nothing; the capped friend earns its order's 15 points only
				switch {
				case id == "friend0": // NPR
					want = 50
				case r.Status == loyalty.ReferralCompleted:
					want = 15 + 50
				case r.Reason == loyalty.RefusedCap:
					want = 15
				}
				if pts.Balance != want {
					t.Errorf("%s (%s): %d points, want %d", id, r.Status, pts.Balance, want)
				}
			}
			runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}, PublicURL: "https://shop.example"}
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			msgs, err := db.ClaimMessages(ctx, "test", time.Minute, 10)
			var thanks []string
			for _, m := range msgs {
				if m.Kind == "loyalty.thanks" {
					thanks = append(thanks, m.Body)
				}
			}
			if err != nil || len(thanks) != 1 || !strings.Contains(thanks[0], "200 points") || !strings.Contains(thanks[0], "https://shop.example/r/"+code.Code) {
				t.Fatalf("the thank-you (once a day, however many friends): %q %v", thanks, err)
			}
		})
	}
}
