package core_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestLoyaltyConcurrent: 64 workers at once give points (some expiring
// within seconds), redeem them (a retried key now and then), take them
// back by hand and fire the expiry timers, on 40 shared customers, and
// hold, confirm and release 30 shared coupons (single-use ones and store
// credit). After it the verifier finds nothing: every balance is the sum
// of its entries and not below zero, every lot's rest is what it earned
// less its draws, every coupon's uses are its redemptions; no redemption
// key moved points twice, no single-use coupon was confirmed twice nor
// store credit spent past its amount, and what the workers saw succeed is
// what the ledger holds. RETAIN_LOYALTY_OPS sets the operations per worker
// (default 150; RETAIN_LOYALTY_OPS=1000 gives the 64,000 of docs/loyalty.md).
func TestLoyaltyConcurrent(t *testing.T) {
	perWorker := 150
	if v, err := strconv.Atoi(os.Getenv("RETAIN_LOYALTY_OPS")); err == nil && v > 0 {
		perWorker = v
	}
	if testing.Short() {
		perWorker = 50
	}
	if raceEnabled { // the same 64 workers at once, fewer operations each: the detector needs the overlap, not the volume
		perWorker = 20
	}
	const workers, customers, coupons = 64, 40, 30
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			clockStart := storetest.ClockStart(t)
			var ticks atomic.Int64 // a millisecond an operation: a clock the workers share and move
			db.Now = func() time.Time { return clockStart.Add(time.Duration(ticks.Load()) * time.Millisecond) }
			var b store.Batch
			for i := range customers {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("L", i), Name: fmt.Sprint("Customer ", i)}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			work, actor := core.Work{DB: db}, retain.System("till")
			// Coupons the workers race for: single-use ones, and store credit
			// of BDT 1,000 each spent BDT 1–300 at a time.
			var codes []string
			for i := range coupons {
				spec := retain.CouponSpec{Kind: retain.CouponAmount, Amount: 5000}
				if i%3 == 0 {
					spec = retain.CouponSpec{Kind: retain.CouponStoreCredit, Amount: 100000}
				}
				c, _, err := work.IssueCoupon(ctx, actor, core.CouponIssue{CouponSpec: spec, Key: fmt.Sprint("race-", i)})
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, c.Code)
			}
			var confirmedMu sync.Mutex
			confirmed := map[string][]int64{} // code → the discounts the workers saw confirmed
			var given, spent, taken, replays, refused, usedUp atomic.Int64
			var wg sync.WaitGroup
			var timersJob sync.Mutex // the timers job runs under its lease: one run at a time, beside any number of requests
			errs := make(chan error, workers)
			loadStart := time.Now() // wall time, for the throughput logged only: the test's own clock is the ticks
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 7))
					var keys []string
					for i := range perWorker {
						ticks.Add(1)
						ref := fmt.Sprint("L", rng.IntN(customers))
						key := fmt.Sprintf("w%d-%d", w, i)
						var err error
						switch op := rng.IntN(100); {
						case op < 12: // a coupon held for a cart, then confirmed or released
							code := codes[rng.IntN(len(codes))]
							var r core.CouponRedemption
							r, err = work.HoldCoupon(ctx, actor, core.CouponUse{Code: code, Total: int64(100 + rng.IntN(30000)), Currency: "BDT"}, key, 0)
							if fieldOf(err) == "code" {
								usedUp.Add(1) // used up: refused whole, nothing held
								err = nil
								break
							}
							if err != nil {
								break
							}
							if rng.IntN(4) == 0 {
								_, err = work.ReleaseCoupon(ctx, actor, key)
								break
							}
							if r, err = work.ConfirmCoupon(ctx, actor, key, "W-"+key); err == nil {
								confirmedMu.Lock()
								confirmed[code] = append(confirmed[code], r.Discount)
								confirmedMu.Unlock()
							}
						case op < 40: // points given, a third of them expiring within two seconds
							var expires time.Time
							if rng.IntN(3) == 0 {
								expires = db.Now().Add(time.Duration(1+rng.IntN(2000)) * time.Millisecond)
							}
							var m core.PointsMove
							if m, err = work.AdjustPoints(ctx, actor, ref, int64(1+rng.IntN(50)), key, "bonus", expires); err == nil {
								given.Add(m.Points)
							}
						case op < 70: // a redemption; now and then a retried one
							if len(keys) > 0 && rng.IntN(10) == 0 {
								var m core.PointsMove
								if m, err = work.RedeemPoints(ctx, actor, ref, 1, keys[rng.IntN(len(keys))], ""); err == nil && !m.Replayed {
									err = fmt.Errorf("a retried key redeemed again: %+v", m)
								} else if err == nil {
									replays.Add(1)
								}
								break
							}
							var m core.PointsMove
							if m, err = work.RedeemPoints(ctx, actor, ref, int64(1+rng.IntN(60)), key, ""); err == nil {
								spent.Add(m.Points)
								keys = append(keys, key)
							}
						case op < 94: // taken back by hand
							var m core.PointsMove
							if m, err = work.AdjustPoints(ctx, actor, ref, -int64(1+rng.IntN(30)), key, "correction", time.Time{}); err == nil {
								taken.Add(-m.Points)
							}
						case op < 95: // the expiry timers that are due (the timers job runs every 15 s: rarely, next to the rest)
							var st core.DetectStats
							timersJob.Lock()
							err = core.FireTimers(ctx, db, core.DetectOptions{}, &st)
							timersJob.Unlock()
						default:
							_, err = work.CustomerPoints(ctx, actor, ref)
						}
						var re *retain.Error
						if errors.As(err, &re) && re.Code == retain.EINVALID && re.Fields["points"].Text != "" {
							refused.Add(1) // not enough points: refused whole, nothing written
							err = nil
						}
						if err != nil {
							errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(loadStart)
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			ticks.Add(int64(time.Hour / time.Millisecond)) // every lot due to expire has
			var st core.DetectStats
			if err := core.FireTimers(ctx, db, core.DetectOptions{}, &st); err != nil {
				t.Fatal(err)
			}
			violations, err := core.VerifyLoyalty(ctx, db)
			if err != nil || len(violations) != 0 {
				t.Fatalf("the ledger after the load: %v %+v", err, violations)
			}
			confirmations := 0
			for i, code := range codes { // what the workers saw confirmed: once for a single-use coupon, within the credit for store credit
				var sum int64
				confirmations += len(confirmed[code])
				for _, d := range confirmed[code] {
					sum += d
				}
				if n := len(confirmed[code]); (i%3 != 0 && n > 1) || sum > 100000 {
					t.Errorf("coupon %s confirmed %d times, %d off in all", code, n, sum)
				}
			}
			var balances, expired int64
			for i := range customers {
				p, err := work.CustomerPoints(ctx, actor, fmt.Sprint("L", i))
				if err != nil {
					t.Fatal(err)
				}
				if p.Balance < 0 || p.Redeemed < 0 {
					t.Fatalf("customer %d: %+v", i, p)
				}
				for _, l := range p.Lots {
					if l.ExpiresAt != nil && !l.ExpiresAt.After(db.Now()) {
						t.Fatalf("customer %d keeps %d points past their expiry", i, l.Points)
					}
				}
				balances += p.Balance
				expired += p.Expired
			}
			if balances != given.Load()-spent.Load()-taken.Load()-expired {
				t.Errorf("balances %d, want given %d − spent %d − taken %d − expired %d", balances, given.Load(), spent.Load(), taken.Load(), expired)
			}
			ops := int64(workers * perWorker)
			t.Logf("%s: %d operations by %d workers in %v (%.0f a second): %d points given, %d redeemed, %d taken back, %d expired; %d refused for want of points, %d retried keys answered again; %d coupon redemptions confirmed, %d holds refused as used up",
				name, ops, workers, elapsed.Round(time.Millisecond), float64(ops)/elapsed.Seconds(), given.Load(), spent.Load(), taken.Load(), expired,
				refused.Load(), replays.Load(), confirmations, usedUp.Load())
		})
	}
}

// TestLoyaltyOrders: an order earns a point per BDT 100 kept, at the end of
// its return window: a return inside the window earns less, a refund after
// it takes back its share of what it earned on (partly for a partial one,
// the refund inside the window not counted twice, from the order's own
// points first), replaying the order earns nothing twice, the points
// expire after 12 months, and the ledger verifies.
func TestLoyaltyOrders(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := loyalty.DefaultProgram()
			p.Enabled = true
			if err := core.SaveLoyaltyProgram(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			ingest := func(b *store.Batch) {
				t.Helper()
				if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(b)); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			fire := func() {
				t.Helper()
				var st core.DetectStats
				if err := core.FireTimers(ctx, db, core.DetectOptions{}, &st); err != nil {
					t.Fatal(err)
				}
			}
			order := func(id string, total int64) store.Row[retain.Order] {
				return store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: "rina", Currency: "BDT", Total: total, HasTotal: true, PlacedAt: now}}
			}
			var b store.Batch
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rina", Name: "Rina"}})
			b.Orders = append(b.Orders, order("O1", 250000), order("O2", 120000), order("O3", 999900))
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "O4", CustomerRef: "rina", Currency: "NPR", Total: 500000, HasTotal: true, PlacedAt: now}})
			ingest(&b)
			// Inside the window O2 comes back in part (BDT 400).
			now = now.Add(48 * time.Hour)
			var ret store.Batch
			ret.OrderEvents = append(ret.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: "E1", OrderRef: "O2", Type: retain.EventRefunded,
				Amount: 40000, OccurredAt: now}})
			ingest(&ret)
			work := core.Work{DB: db}
			if pts, _ := work.CustomerPoints(ctx, retain.System("test"), "rina"); pts.Balance != 0 {
				t.Fatalf("points before the return window ends: %+v", pts)
			}
			now = now.Add(6 * 24 * time.Hour)
			fire()
			// O1 2,500 → 25; O2 1,200 − 400 → 8; O3 9,999 → 99; O4 in NPR → 0.
			pts, err := work.CustomerPoints(ctx, retain.System("test"), "rina")
			if err != nil || pts.Balance != 25+8+99 || len(pts.Lots) != 3 {
				t.Fatalf("earned: %+v %v", pts, err)
			}
			ingest(&b) // the orders again: nothing earned twice
			fire()
			if again, _ := work.CustomerPoints(ctx, retain.System("test"), "rina"); again.Balance != pts.Balance {
				t.Errorf("a replay earned: %d → %d", pts.Balance, again.Balance)
			}
			// After the window O2 is refunded BDT 400 more: half of the BDT 800
			// it earned on, so half of its 8 points (the BDT 400 inside the
			// window is not counted again).
			now = now.Add(time.Hour)
			var r2 store.Batch
			r2.OrderEvents = append(r2.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: "E2", OrderRef: "O2", Type: retain.EventRefunded,
				Amount: 40000, OccurredAt: now}})
			ingest(&r2)
			if got, _ := work.CustomerPoints(ctx, retain.System("test"), "rina"); got.Balance != 25+4+99 {
				t.Errorf("after O2's second refund: %d points, want %d", got.Balance, 25+4+99)
			}
			// After the window O3 is half refunded (BDT 5,000: 50 points), then in full.
			for i, amount := range []int64{500000, 499900} {
				now = now.Add(time.Hour)
				var r store.Batch
				r.OrderEvents = append(r.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: fmt.Sprint("R", i), OrderRef: "O3",
					Type: retain.EventRefunded, Amount: amount, OccurredAt: now}})
				ingest(&r)
			}
			got, _ := work.CustomerPoints(ctx, retain.System("test"), "rina")
			if got.Balance != 25+4 {
				t.Errorf("after O3's refunds: %d points, want %d", got.Balance, 25+4)
			}
			if _, err := work.RedeemPoints(ctx, retain.System("test"), "rina", 30, "till-1", ""); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("redeeming more than there is: %v", err)
			}
			if m, err := work.RedeemPoints(ctx, retain.System("test"), "rina", 26, "till-1", ""); err != nil || m.Balance != 3 {
				t.Errorf("redeem 26: %+v %v", m, err)
			}
			// A year on, the rest expires.
			now = now.AddDate(1, 0, 1)
			fire()
			if got, _ := work.CustomerPoints(ctx, retain.System("test"), "rina"); got.Balance != 0 || got.Expired != 3 {
				t.Errorf("after a year: %+v", got)
			}
			if v, err := core.VerifyLoyalty(ctx, db); err != nil || len(v) != 0 {
				t.Errorf("verify: %+v %v", v, err)
			}
		})
	}
}

// TestLoyaltyRates: tea earns double and phone top-ups nothing; an order
// of BDT 1,000 of tea, a BDT 500 top-up and BDT 500 of snacks earns 25
// points, not 20; a refund of half of it after the window takes back half
// the points as given (12 of 25, rounded down), and the rest the other 13.
func TestLoyaltyRates(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	admin := retain.System("test")
	p := loyalty.DefaultProgram()
	p.Enabled = true
	p.Rates = []loyalty.Rate{{Category: "Tea", Multiplier: 2}, {SKU: "topup", Multiplier: 0}}
	bad := p
	bad.Rates = []loyalty.Rate{{SKU: "x", Category: "y", Multiplier: 2}}
	if err := core.SaveLoyaltyProgram(ctx, db, admin, bad); fieldOf(err) != "rates[0].sku" {
		t.Errorf("a rate naming a SKU and a category: %v", err)
	}
	if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rina", Name: "Rina"}})
	b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "R1", CustomerRef: "rina", Currency: "BDT", PlacedAt: now,
		Lines: []retain.OrderLine{{ExternalID: "R1-tea", SKU: "tea", Name: "Tea", Category: "Tea", Quantity: 1, UnitPrice: 100000, Total: 100000},
			{ExternalID: "R1-topup", SKU: "topup", Name: "Top-up", Category: "Phone", Quantity: 1, UnitPrice: 50000, Total: 50000},
			{ExternalID: "R1-snack", SKU: "chanachur", Name: "Chanachur", Category: "Snacks", Quantity: 1, UnitPrice: 50000, Total: 50000}}}})
	run := func(b *store.Batch) int64 {
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
		pts, err := core.Work{DB: db}.CustomerPoints(ctx, admin, "rina")
		if err != nil {
			t.Fatal(err)
		}
		return pts.Balance
	}
	run(&b)
	now = now.AddDate(0, 0, 8)
	if got := run(nil); got != 25 {
		t.Fatalf("earned %d, want (1,000 × 2 + 500 × 0 + 500) ÷ 100 = 25", got)
	}
	for i, want := range []int64{13, 0} {
		now = now.Add(time.Hour)
		var r store.Batch
		r.OrderEvents = append(r.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: fmt.Sprint("RR", i), OrderRef: "R1", Type: retain.EventRefunded,
			Amount: 100000, OccurredAt: now}})
		if got := run(&r); got != want {
			t.Errorf("after refund %d of BDT 1,000: %d points, want %d", i+1, got, want)
		}
	}
}
