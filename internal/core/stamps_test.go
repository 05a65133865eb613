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

// TestStampCards: "buy 5 coffees, get 1 free". An order's coffees stamp the
// card at the end of its return window (its tea does not), the counter's
// stamps fill it — the full card issues the free coffee and keeps the rest
// — a retried key and a replayed order stamp nothing twice, and a card
// counting visits takes one stamp an order.
func TestStampCards(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := loyalty.DefaultProgram()
			p.Enabled = true
			names := map[string]string{"en": "Coffee card", "bn": "কফি কার্ড", "ne": "कफी कार्ड"}
			free := retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Coffee", ValidDays: 30}
			p.StampCards = []loyalty.StampCard{
				{Key: "coffee", Name: names, Stamps: 5, Per: loyalty.StampPerItem, Categories: []string{"coffee"}, Reward: free},
				{Key: "visits", Name: names, Stamps: 10, Per: loyalty.StampPerVisit, Reward: free},
			}
			admin, till := retain.System("test"), retain.KeyActor(3, "till", []retain.Scope{retain.ScopeWrite})
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			bad := p
			bad.StampCards = []loyalty.StampCard{{Key: "x", Name: names, Stamps: 5, Per: loyalty.StampPerItem, Reward: free}}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, bad); fieldOf(err) != "stamp_cards[0].skus" {
				t.Errorf("a card of items naming none: %v", err)
			}
			order := func(id string) *store.Batch {
				b := &store.Batch{}
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rina", Name: "Rina", Phone: "+8801711000111"}})
				b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: "rina", Currency: "BDT", PlacedAt: now,
					Lines: []retain.OrderLine{{ExternalID: id + "-cap", SKU: "cap", Name: "Cappuccino", Category: "Coffee", Quantity: 3, UnitPrice: 25000, Total: 75000},
						{ExternalID: id + "-tea", SKU: "tea", Name: "Tea", Category: "Tea", Quantity: 2, UnitPrice: 8000, Total: 16000}}}})
				return b
			}
			run := func(b *store.Batch) {
				t.Helper()
				if b != nil {
					if res, err := core.Ingest(ctx, db, admin, core.Rows(b)); err != nil || len(res.Rejects) > 0 {
						t.Fatal(err, res.Rejects)
					}
				}
				if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
					t.Fatal(err)
				}
				var st core.DetectStats
				if err := core.FireTimers(ctx, db, core.DetectOptions{}, &st); err != nil {
					t.Fatal(err)
				}
			}
			cards := func() map[string]int {
				t.Helper()
				pts, err := core.Work{DB: db}.CustomerPoints(ctx, admin, "rina")
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]int{}
				for _, c := range pts.Stamps {
					out[c.Card] = c.Stamps
				}
				return out
			}
			run(order("C1"))
			if got := cards(); got["coffee"] != 0 {
				t.Fatalf("stamped before the return window ended: %v", got)
			}
			now = now.AddDate(0, 0, 8)
			run(nil)
			if got := cards(); got["coffee"] != 3 || got["visits"] != 1 {
				t.Fatalf("after the window: %v, want 3 coffees and 1 visit", got)
			}
			run(order("C1")) // the same order again: no new stamps
			work := core.Work{DB: db}
			r, err := work.AddStamps(ctx, till, "rina", "coffee", 3, "till-1")
			if err != nil || r.Stamps != 1 || len(r.Rewards) != 1 || r.Rewards[0].Item != "Coffee" || r.Rewards[0].Customer != "rina" {
				t.Fatalf("filling the card: %+v %v", r, err)
			}
			if again, err := work.AddStamps(ctx, till, "rina", "coffee", 3, "till-1"); err != nil || !again.Replayed || again.Stamps != 1 || len(again.Rewards) != 0 {
				t.Fatalf("the key again: %+v %v", again, err)
			}
			if got := cards(); got["coffee"] != 1 || got["visits"] != 1 {
				t.Errorf("cards at the end: %v", got)
			}
			if _, err := work.AddStamps(ctx, till, "rina", "tea", 1, "till-2"); fieldOf(err) != "card" {
				t.Errorf("an unknown card: %v", err)
			}
			if v, err := core.VerifyLoyalty(ctx, db); err != nil || len(v) != 0 {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}
