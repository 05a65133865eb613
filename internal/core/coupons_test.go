package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// fieldOf is the field an EINVALID error names ("" for another error).
func fieldOf(err error) string {
	var re *retain.Error
	if !errors.As(err, &re) || re.Code != retain.EINVALID {
		return ""
	}
	for f := range re.Fields {
		return f
	}
	return ""
}

// TestCoupons: a coupon is held for an order, then confirmed or released;
// a single-use one cannot be held twice, a hold that runs out gives the
// coupon back (on the next use, or by its timer), store credit is spent
// over orders until it is used up, and each refusal names its field. A
// reward bought with points is the customer's own coupon, once per key.
func TestCoupons(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			var b store.Batch
			for _, id := range []string{"rina", "karim"} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id, Name: id}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			p := loyalty.DefaultProgram()
			p.Enabled = true
			p.Rewards = []loyalty.Reward{{Key: "coffee", Name: map[string]string{"en": "A free coffee", "bn": "একটি ফ্রি কফি", "ne": "एउटा निःशुल्क कफी"},
				Points: 50, Coupon: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Coffee", ValidDays: 30}}}
			admin, till := retain.System("test"), retain.KeyActor(7, "till", []retain.Scope{retain.ScopeWrite})
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			work := core.Work{DB: db}

			// A single-use BDT 200 off, minimum spend BDT 1,000, for rina.
			c, created, err := work.IssueCoupon(ctx, admin, core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 20000,
				MinSpend: 100000, ValidDays: 30}, Customer: "rina", Key: "sorry-T1"})
			if err != nil || !created || c.MaxUses != 1 || c.Currency != "BDT" || len(c.Code) != 17 {
				t.Fatalf("issue: %+v %v %v", c, created, err)
			}
			if again, created, err := work.IssueCoupon(ctx, admin, core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 20000},
				Customer: "rina", Key: "sorry-T1"}); err != nil || created || again.Code != c.Code {
				t.Fatalf("issued again with the key: %+v %v %v", again, created, err)
			}
			typed := strings.ToLower(strings.ReplaceAll(c.Code, "-", " ")) // as read over the phone
			refusals := []struct {
				use   core.CouponUse
				field string
			}{
				{core.CouponUse{Code: "NOSUCHCODE", Customer: "rina", Total: 150000, Currency: "BDT"}, "code"},
				{core.CouponUse{Code: "a!b", Customer: "rina", Total: 150000, Currency: "BDT"}, "code"},
				{core.CouponUse{Code: typed, Total: 150000, Currency: "BDT"}, "customer_id"},
				{core.CouponUse{Code: typed, Customer: "karim", Total: 150000, Currency: "BDT"}, "code"},
				{core.CouponUse{Code: typed, Customer: "rina", Total: 50000, Currency: "BDT"}, "total_minor"},
				{core.CouponUse{Code: typed, Customer: "rina", Total: 150000, Currency: "NPR"}, "currency"},
				{core.CouponUse{Code: typed, Customer: "nobody", Total: 150000, Currency: "BDT"}, "customer_id"},
			}
			for _, r := range refusals {
				if _, err := work.CheckCoupon(ctx, till, r.use); fieldOf(err) != r.field {
					t.Errorf("%+v: %v, want a problem with %s", r.use, err, r.field)
				}
			}
			use := core.CouponUse{Code: typed, Customer: "rina", Total: 150000, Currency: "BDT"}
			if q, err := work.CheckCoupon(ctx, till, use); err != nil || q.Discount != 20000 || q.UsesLeft != 1 {
				t.Fatalf("check: %+v %v", q, err)
			}
			held, err := work.HoldCoupon(ctx, till, use, "cart-1", 10*time.Minute)
			if err != nil || held.Status != "held" || held.Discount != 20000 || held.Replayed {
				t.Fatalf("hold: %+v %v", held, err)
			}
			if again, err := work.HoldCoupon(ctx, till, use, "cart-1", 10*time.Minute); err != nil || !again.Replayed || again.Status != "held" {
				t.Fatalf("the same hold again: %+v %v", again, err)
			}
			if _, err := work.HoldCoupon(ctx, till, use, "cart-2", 10*time.Minute); fieldOf(err) != "code" {
				t.Fatalf("a held single-use coupon held again: %v", err)
			}
			now = now.Add(11 * time.Minute) // the till never came back: the hold ran out
			if again, err := work.HoldCoupon(ctx, till, use, "cart-2", 10*time.Minute); err != nil || again.Status != "held" {
				t.Fatalf("held after the first hold ran out: %+v %v", again, err)
			}
			if _, err := work.ConfirmCoupon(ctx, till, "cart-1", "O-1"); fieldOf(err) != "key" {
				t.Fatalf("a run-out hold confirmed: %v", err)
			}
			done, err := work.ConfirmCoupon(ctx, till, "cart-2", "O-2")
			if err != nil || done.Status != "confirmed" || done.Order != "O-2" || done.UsesLeft != 0 {
				t.Fatalf("confirm: %+v %v", done, err)
			}
			if again, err := work.ConfirmCoupon(ctx, till, "cart-2", "O-2"); err != nil || !again.Replayed {
				t.Fatalf("confirm again: %+v %v", again, err)
			}
			if _, err := work.ReleaseCoupon(ctx, till, "cart-2"); fieldOf(err) != "key" {
				t.Fatalf("a confirmed coupon released: %v", err)
			}
			if _, err := work.CheckCoupon(ctx, till, use); fieldOf(err) != "code" {
				t.Fatalf("a used coupon checks: %v", err)
			}

			// Store credit of BDT 500, spent over orders; a hold's timer gives it back.
			credit, _, err := work.IssueCoupon(ctx, admin, core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponStoreCredit, Amount: 50000},
				Customer: "karim", Key: "credit-1"})
			if err != nil || credit.MaxUses != 0 || credit.CreditLeft != 50000 {
				t.Fatalf("store credit: %+v %v", credit, err)
			}
			spend := func(key string, total, want int64) {
				t.Helper()
				h, err := work.HoldCoupon(ctx, till, core.CouponUse{Code: credit.Code, Customer: "karim", Total: total, Currency: "BDT"}, key, 0)
				if err != nil || h.Discount != want {
					t.Fatalf("hold %s: %+v %v, want %d off", key, h, err, want)
				}
			}
			spend("k1", 30000, 30000)
			if _, err := work.ConfirmCoupon(ctx, till, "k1", "O-3"); err != nil {
				t.Fatal(err)
			}
			spend("k2", 90000, 20000) // what is left
			now = now.Add(core.DefaultHold + time.Second)
			var st core.DetectStats
			if err := core.FireTimers(ctx, db, core.DetectOptions{}, &st); err != nil {
				t.Fatal(err)
			}
			if cs, err := work.Coupons(ctx, admin, "karim", "", 10); err != nil || len(cs) != 1 || cs[0].CreditLeft != 20000 || cs[0].Uses != 1 {
				t.Fatalf("after the hold's timer: %+v %v", cs, err)
			}
			spend("k3", 90000, 20000)
			if _, err := work.ReleaseCoupon(ctx, till, "k3"); err != nil {
				t.Fatal(err)
			}

			// A reward bought with points: the customer's own free coffee.
			if _, err := work.AdjustPoints(ctx, admin, "rina", 80, "welcome", "Welcome", time.Time{}); err != nil {
				t.Fatal(err)
			}
			rw, err := work.RedeemReward(ctx, till, "rina", "coffee", "till-9")
			if err != nil || rw.Points != 50 || rw.Balance != 30 || rw.Coupon.Item != "Coffee" || rw.Coupon.Customer != "rina" || rw.Replayed {
				t.Fatalf("reward: %+v %v", rw, err)
			}
			if again, err := work.RedeemReward(ctx, till, "rina", "coffee", "till-9"); err != nil || !again.Replayed || again.Balance != 30 ||
				again.Coupon.Code != rw.Coupon.Code {
				t.Fatalf("the reward again with its key: %+v %v", again, err)
			}
			if _, err := work.RedeemReward(ctx, till, "rina", "coffee", "till-10"); fieldOf(err) != "reward" {
				t.Fatalf("a reward beyond the balance: %v", err)
			}
			if _, err := work.RedeemReward(ctx, till, "rina", "tea", "till-11"); fieldOf(err) != "reward" {
				t.Fatalf("a reward not in the catalogue: %v", err)
			}

			// A batch for a flyer: open coupons, generated again the same.
			batch, err := work.GenerateCoupons(ctx, admin, retain.CouponSpec{Kind: retain.CouponPercent, Percent: 10, ValidDays: 14}, "flyer-dec", 25)
			if err != nil || len(batch) != 25 {
				t.Fatalf("batch: %d %v", len(batch), err)
			}
			codes := map[string]bool{}
			for _, c := range batch {
				codes[c.Code] = true
			}
			again, err := work.GenerateCoupons(ctx, admin, retain.CouponSpec{Kind: retain.CouponPercent, Percent: 10, ValidDays: 14}, "flyer-dec", 25)
			if err != nil || len(codes) != 25 || !codes[again[24].Code] {
				t.Fatalf("the batch again: %d codes, %v", len(codes), err)
			}
			if q, err := work.CheckCoupon(ctx, till, core.CouponUse{Code: batch[0].Code, Total: 12345, Currency: "BDT"}); err != nil || q.Discount != 1234 {
				t.Fatalf("10%% of 123.45: %+v %v", q, err)
			}
			if err := work.VoidCoupon(ctx, admin, batch[1].Code); err != nil {
				t.Fatal(err)
			}
			if _, err := work.CheckCoupon(ctx, till, core.CouponUse{Code: batch[1].Code, Total: 12345, Currency: "BDT"}); fieldOf(err) != "code" {
				t.Fatalf("a void coupon checks: %v", err)
			}
			now = now.AddDate(0, 0, 15)
			if _, err := work.CheckCoupon(ctx, till, core.CouponUse{Code: batch[0].Code, Total: 12345, Currency: "BDT"}); fieldOf(err) != "code" {
				t.Fatalf("an expired coupon checks: %v", err)
			}
			if _, _, err := work.IssueCoupon(ctx, till, core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 1}, Key: "x"}); retain.ErrorCode(err) != retain.EFORBIDDEN {
				t.Fatalf("a till issued a coupon: %v", err)
			}
			if v, err := core.VerifyLoyalty(ctx, db); err != nil || len(v) != 0 {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}
