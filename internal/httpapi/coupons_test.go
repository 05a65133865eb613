package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCouponsAPI: an admin key issues a coupon, a till's write key checks
// it, holds it for an order and confirms it (the retried hold answers the
// first); a second hold of the used coupon is a 400 naming code; a write
// key cannot issue; a batch comes back whole; and a key trying codes that
// are not coupons is stopped with 429 after 30 in a minute, while a real
// code still answers once the minute has passed.
func TestCouponsAPI(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			f.db.Now = func() time.Time { return now }
			_, till, err := f.db.CreateAPIKey(ctx, retain.System("test"), "till", []retain.Scope{retain.ScopeWrite})
			if err != nil {
				t.Fatal(err)
			}
			if code, out := f.call(t, f.key, "POST", "/api/v1/events", map[string]any{"events": []any{
				map[string]any{"id": "c1", "type": "customer.upsert", "customer": map[string]any{"external_id": "C1", "name": "Sita"}}}}); code != 200 {
				t.Fatalf("customer: %d %v", code, out)
			}
			code, c := f.call(t, f.key, "POST", "/api/v1/coupons", map[string]any{"kind": "amount", "amount_minor": 15000, "customer_id": "C1", "key": "sorry-1", "valid_days": 30})
			if code != 200 || c["max_uses"].(float64) != 1 || c["customer_id"] != "C1" {
				t.Fatalf("issue: %d %v", code, c)
			}
			use := map[string]any{"code": c["code"], "customer_id": "C1", "total_minor": 90000, "currency": "BDT"}
			if code, q := f.call(t, till, "POST", "/api/v1/coupons/check", use); code != 200 || q["discount_minor"].(float64) != 15000 {
				t.Fatalf("check: %d %v", code, q)
			}
			hold := map[string]any{"key": "pos-7", "hold_minutes": 5}
			for k, v := range use {
				hold[k] = v
			}
			for i := range 2 {
				if code, h := f.call(t, till, "POST", "/api/v1/coupons/holds", hold); code != 200 || h["status"] != "held" || h["replayed"] != (i == 1) {
					t.Fatalf("hold %d: %d %v", i, code, h)
				}
			}
			if code, h := f.call(t, till, "POST", "/api/v1/coupons/holds/pos-7/confirm", map[string]any{"order_id": "O-9"}); code != 200 || h["status"] != "confirmed" || h["order_id"] != "O-9" {
				t.Fatalf("confirm: %d %v", code, h)
			}
			hold["key"] = "pos-8"
			for _, c := range []struct {
				key, path string
				body      map[string]any
				code      int
				field     string
			}{
				{till, "/api/v1/coupons/holds", hold, 400, "body.code"},
				{till, "/api/v1/coupons/holds/nope/release", nil, 400, "key"},
				{till, "/api/v1/coupons", map[string]any{"kind": "amount", "amount_minor": 100, "key": "free"}, 403, ""},
				{f.key, "/api/v1/coupons", map[string]any{"kind": "percent", "percent": 150, "key": "big"}, 400, "percent"},
				{f.key, "/api/v1/coupons", map[string]any{"kind": "gift", "key": "gift"}, 400, "kind"},
				{f.key, "/api/v1/customers/C1/rewards", map[string]any{"reward": "tea", "key": "r1"}, 400, "reward"},
			} {
				code, out := f.call(t, c.key, "POST", c.path, c.body)
				if raw, _ := json.Marshal(out); code != c.code || !strings.Contains(string(raw), c.field) {
					t.Errorf("%s %v: %d %s, want %d naming %s", c.path, c.body, code, raw, c.code, c.field)
				}
			}
			if code, out := f.callList(t, f.key, "POST", "/api/v1/coupons/batches", map[string]any{"batch": "fair", "count": 40,
				"coupon": map[string]any{"kind": "free_item", "item": "Tea", "valid_days": 7}}); code != 200 || len(out) != 40 {
				t.Fatalf("batch: %d %d", code, len(out))
			}
			if code, out := f.callList(t, till, "GET", "/api/v1/coupons?batch=fair&limit=1000", nil); code != 200 || len(out) != 40 {
				t.Fatalf("the batch listed: %d %d", code, len(out))
			}

			if code, out := f.call(t, till, "POST", "/api/v1/customers/C1/card-link", map[string]any{"send": true}); code != 200 ||
				!strings.Contains(fmt.Sprint(out["link"]), "/card/") || out["channel"] != nil {
				t.Errorf("card link: %d %v", code, out)
			}
			// Opening balances: a CSV, its bad row named by line and field.
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/loyalty/balances?source=old-shop", strings.NewReader("customer_id,points\nC1,75\nghost,5\n"))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer "+f.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var imp struct {
				Rows, Points int
				Rejects      []struct {
					Line  int
					Field string
				}
			}
			json.NewDecoder(resp.Body).Decode(&imp)
			resp.Body.Close()
			if resp.StatusCode != 200 || imp.Rows != 2 || imp.Points != 75 || len(imp.Rejects) != 1 || imp.Rejects[0].Line != 3 || imp.Rejects[0].Field != "customer_id" {
				t.Errorf("balances: %d %+v", resp.StatusCode, imp)
			}
			// Guessing: the 31st wrong code in a minute is refused unread.
			wrong := map[string]any{"code": "", "total_minor": 100, "currency": "BDT"}
			for i := range 30 {
				wrong["code"] = fmt.Sprintf("GUESS%05d", i)
				if code, _ := f.call(t, till, "POST", "/api/v1/coupons/check", wrong); code != 400 {
					t.Fatalf("guess %d: %d", i, code)
				}
			}
			if code, _ := f.call(t, till, "POST", "/api/v1/coupons/check", use); code != 429 {
				t.Fatalf("after 30 wrong codes: %d, want 429", code)
			}
			now = now.Add(time.Minute)
			if code, out := f.call(t, till, "POST", "/api/v1/coupons/check", use); code != 400 || !strings.Contains(fmt.Sprint(out), "code") {
				t.Fatalf("a minute later, the used coupon: %d %v", code, out)
			}
		})
	}
}

// TestRecoveryCouponEndToEnd: a valuable customer's detractor answer
// enrols them in service recovery; a week on, the playbook gives them 10%
// off and the message carries the code; the customer's next order uses it
// through the redemption API (held, then confirmed); the order ends the
// recovery as succeeded, the recovery rate counts it, and the ledger and
// coupons verify.
func TestRecoveryCouponEndToEnd(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			db, ctx := f.db, context.Background()
			now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			if _, err := demo.Generate(ctx, db, demo.Options{Customers: 200, Seed: 11, AsOf: now}); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Score(ctx, db, core.ScoreOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil { // old signals are history
				t.Fatal(err)
			}
			if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPlaybookEnabled(ctx, retain.System("test"), "service_recovery", true); err != nil {
				t.Fatal(err)
			}
			var cust store.Facts
			for i := int64(1); i <= 200 && cust.ID == 0; i++ {
				if fc, err := db.CustomerFacts(ctx, i); err == nil && fc.Scored && fc.CLV >= 5000 && fc.Phone != "" && fc.Segment != "" {
					if ens, _ := db.Enrollments(ctx, i); len(ens) == 0 {
						cust = fc
					}
				}
			}
			if cust.ID == 0 {
				t.Fatal("no valuable demo customer with a phone")
			}
			var b store.Batch
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "nps-coupon",
				CustomerRef: cust.ExternalID, Kind: "nps", Score: 1, RespondedAt: now}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if det, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil || det.Enrolled != 1 {
				t.Fatalf("detect: %+v %v", det, err)
			}
			runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			now = now.AddDate(0, 0, 7)
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			coupons, err := db.Coupons(ctx, store.CouponFilter{CustomerID: cust.ID})
			if err != nil || len(coupons) != 1 || coupons[0].Percent != 10 || coupons[0].Source != "playbook" {
				t.Fatalf("the goodwill coupon: %+v %v", coupons, err)
			}
			code := coupons[0].Code
			msgs, err := db.ClaimMessages(ctx, "test", time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			var offer string
			for _, m := range msgs {
				if m.Kind == "recovery.goodwill" {
					offer = m.Body
				}
			}
			if !strings.Contains(offer, code[:5]+"-"+code[5:10]+"-"+code[10:]) {
				t.Fatalf("the offer does not carry the code %s: %q (%d messages)", code, offer, len(msgs))
			}

			// The next order, at the e-shop: the coupon held for the cart, then confirmed with the order.
			_, shop, err := db.CreateAPIKey(ctx, retain.System("test"), "e-shop", []retain.Scope{retain.ScopeWrite, retain.ScopeEventsWrite})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(2 * time.Hour)
			c, h := f.call(t, shop, "POST", "/api/v1/coupons/holds", map[string]any{"code": strings.ToLower(code), "customer_id": cust.ExternalID,
				"total_minor": 250000, "currency": "BDT", "key": "cart-881"})
			if c != 200 || h["discount_minor"].(float64) != 25000 {
				t.Fatalf("hold: %d %v", c, h)
			}
			if c, h := f.call(t, shop, "POST", "/api/v1/coupons/holds/cart-881/confirm", map[string]any{"order_id": "W-881"}); c != 200 || h["status"] != "confirmed" {
				t.Fatalf("confirm: %d %v", c, h)
			}
			if c, out := f.call(t, shop, "POST", "/api/v1/events", map[string]any{"events": []any{map[string]any{"id": "o-881", "type": "order.placed",
				"order": map[string]any{"external_id": "W-881", "customer_id": cust.ExternalID, "currency": "BDT", "total": "2250.00",
					"placed_at": now.Format(time.RFC3339)}}}}); c != 200 {
				t.Fatalf("the order: %d %v", c, out)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			if st, err := runner.RunDue(ctx); err != nil || st.Ended != 1 {
				t.Fatalf("after the order: %+v %v", st, err)
			}
			ens, _ := db.Enrollments(ctx, cust.ID)
			if len(ens) != 1 || ens[0].Outcome != core.OutcomeSucceeded {
				t.Fatalf("enrollments %+v", ens)
			}
			if rec, err := core.Outcomes(ctx, db); err != nil || rec.Recovered != 1 {
				t.Fatalf("recovery %+v %v", rec, err)
			}
			if v, err := core.VerifyLoyalty(ctx, db); err != nil || len(v) != 0 {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}
