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

// TestLoyaltyBonuses: a first order placed on a campaign's day earns
// double, and the first-order bonus beside it; the next order, after the
// campaign, earns plainly and no bonus. A survey answer earns its bonus,
// and the review bonus once a comment comes; two visits on one day earn
// one visit's. Birthdays earn on the day, once a year, a 29 February one on
// the 28th when there is no 29th. Every earning is a points.earned change
// naming its source, and a playbook on points_earned enrols the customer.
func TestLoyaltyBonuses(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			p := loyalty.DefaultProgram()
			p.Enabled = true
			p.Bonus = loyalty.Bonus{FirstOrder: 20, Survey: 5, Review: 10, Visit: 3, Birthday: 25}
			day := now.UTC().Format(time.DateOnly)
			p.Campaigns = []loyalty.Campaign{{Key: "boishakh", Name: map[string]string{"en": "Boishakh", "bn": "বৈশাখ", "ne": "वैशाख"}, From: day, To: day, Multiplier: 2}}
			if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
				t.Fatal(err)
			}
			pb := []byte(`{"key": "points_thanks", "name": {"en": "Points", "bn": "পয়েন্ট", "ne": "पोइन्ट"}, "trigger": {"event": "points_earned"},
				"once_per_days": 1, "channels": ["sms"], "success_days": 30,
				"steps": [{"id": "t", "type": "task", "title": {"en": "Thank", "bn": "ধন্যবাদ", "ne": "धन्यवाद"}, "due_hours": 24}]}`)
			if _, err := retain.ParsePlaybook(pb); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.SavePlaybook(ctx, "points_thanks", pb, true); err != nil {
				t.Fatal(err)
			}
			birthday := now.AddDate(0, 0, 10)
			var b store.Batch
			b.Customers = append(b.Customers,
				store.Row[retain.Customer]{V: retain.Customer{ExternalID: "mina", Name: "Mina Roy", Attributes: map[string]string{"birthday": "1990-" + birthday.Format("01-02")}}},
				store.Row[retain.Customer]{V: retain.Customer{ExternalID: "leap", Name: "Leap Day", Attributes: map[string]string{"birthday": "02-29"}}})
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "B1", CustomerRef: "mina", Currency: "BDT", Total: 100000, HasTotal: true, PlacedAt: now}},
				store.Row[retain.Order]{V: retain.Order{ExternalID: "B2", CustomerRef: "mina", Currency: "BDT", Total: 100000, HasTotal: true, PlacedAt: now.AddDate(0, 0, 1)}})
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "S1", CustomerRef: "mina", Kind: "nps", Score: 9, RespondedAt: now}})
			for _, id := range []string{"V1", "V2"} {
				b.Interactions = append(b.Interactions, store.Row[retain.Interaction]{V: retain.Interaction{ExternalID: id, CustomerRef: "mina", Kind: "visit", Direction: "inbound", OccurredAt: now}})
			}
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			work := core.Work{DB: db}
			points := func(ref string) int64 {
				t.Helper()
				for range 2 {
					if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
						t.Fatal(err)
					}
					if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				pts, err := work.CustomerPoints(ctx, admin, ref)
				if err != nil {
					t.Fatal(err)
				}
				return pts.Balance
			}
			if got := points("mina"); got != 5+3 {
				t.Fatalf("after a survey answer and two visits: %d points, want 5 + 3", got)
			}
			var c store.Batch // the comment follows the one-tap score
			c.SurveyResponses = append(c.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "S1", CustomerRef: "mina", Kind: "nps", Score: 9,
				Comment: "Lovely tea", RespondedAt: now}})
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&c)); err != nil {
				t.Fatal(err)
			}
			if got := points("mina"); got != 5+3+10 {
				t.Fatalf("after the review: %d points, want 18", got)
			}
			now = now.AddDate(0, 0, 9) // both return windows over: B1 double (20) and its first-order bonus (20), B2 plain (10)
			if got := points("mina"); got != 18+20+20+10 {
				t.Fatalf("after both orders earned: %d points, want 68", got)
			}
			now = birthday
			for range 2 {
				if _, err := core.GiveBirthdayBonuses(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			if got := points("mina"); got != 68+25 {
				t.Errorf("on her birthday: %d points, want 93", got)
			}
			now = time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC) // no 29 February in 2027
			if _, err := core.GiveBirthdayBonuses(ctx, db); err != nil {
				t.Fatal(err)
			}
			if got := points("leap"); got != 25 {
				t.Errorf("a 29 February birthday on 28 February 2027: %d points, want 25", got)
			}
			sources := map[string]int{}
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				changes, err := tx.Changes(ctx, 0, 1000)
				for _, ch := range changes {
					if ch.Kind == store.ChangePointsEarned {
						sources[ch.Detail]++
					}
				}
				return err
			})
			want := map[string]int{"survey": 1, "visit": 1, "review": 1, "order": 2, "first_order": 1, "birthday": 2}
			if err != nil || len(sources) != len(want) {
				t.Fatalf("points.earned by source: %v %v, want %v", sources, err, want)
			}
			for k, n := range want {
				if sources[k] != n {
					t.Errorf("points.earned from %s: %d, want %d", k, sources[k], n)
				}
			}
			ens, err := db.Enrollments(ctx, 1)
			if err != nil || len(ens) == 0 || ens[0].PlaybookKey != "points_thanks" {
				t.Errorf("points_earned enrolled mina in: %+v %v", ens, err)
			}
		})
	}
}

// TestTiersBySpend: a programme whose tiers go by net spend moves a
// customer up when their kept spend in the window reaches a tier's, and a
// return that takes it back below does not move them down before the
// review; the card's view says what is left to spend in money.
func TestTiersBySpend(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	admin := retain.System("test")
	p := loyalty.DefaultProgram()
	p.Enabled, p.TierBy, p.TierMonths = true, loyalty.TierBySpend, 12
	name := func(s string) map[string]string { return map[string]string{"en": s, "bn": s, "ne": s} }
	p.Tiers = []loyalty.Tier{{Key: "member", Name: name("Member"), Multiplier: 1}, {Key: "gold", Name: name("Gold"), MinSpend: 500000, Multiplier: 2}}
	if err := core.SaveLoyaltyProgram(ctx, db, admin, p); err != nil {
		t.Fatal(err)
	}
	bad := p
	bad.Tiers = []loyalty.Tier{{Key: "member", Name: name("Member"), Multiplier: 1}, {Key: "gold", Name: name("Gold"), MinPoints: 100, Multiplier: 2}}
	if err := core.SaveLoyaltyProgram(ctx, db, admin, bad); fieldOf(err) != "tiers[1].min_spend_minor" {
		t.Errorf("a tier by spend with no spend: %v, want a problem at tiers[1].min_spend_minor", err)
	}
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "raj", Name: "Raj"}})
	for i, total := range []int64{300000, 300000} {
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: []string{"T1", "T2"}[i], CustomerRef: "raj", Currency: "BDT", Total: total, HasTotal: true,
			PlacedAt: now.AddDate(0, 0, i)}})
	}
	if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	run := func() {
		t.Helper()
		if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	now = now.AddDate(0, 0, 7) // T1's window over (BDT 3,000 kept): still a member
	run()
	c, _ := db.GetCustomer(ctx, "raj")
	tv, err := work(db).CustomerTier(ctx, admin, c.ID, "en")
	if err != nil || tv.Tier != "member" || tv.By != loyalty.TierBySpend || tv.ToNext != 200000 || tv.Currency != "BDT" {
		t.Fatalf("after BDT 3,000: %+v %v", tv, err)
	}
	now = now.AddDate(0, 0, 1) // T2's too: BDT 6,000 in the window
	run()
	if tv, err = work(db).CustomerTier(ctx, admin, c.ID, "en"); err != nil || tv.Tier != "gold" {
		t.Fatalf("after BDT 6,000: %+v %v", tv, err)
	}
	if _, err := core.Ingest(ctx, db, admin, core.Input{Events: []core.Event{{ID: "r1", Type: "order.refunded", OrderID: "T2", Amount: "2000", Currency: "BDT"}}}); err != nil {
		t.Fatal(err)
	}
	run()
	if tv, err = work(db).CustomerTier(ctx, admin, c.ID, "en"); err != nil || tv.Tier != "gold" || tv.Earned != 400000 {
		t.Errorf("after a BDT 2,000 refund: %+v %v, want gold kept until the review, BDT 4,000 in the window", tv, err)
	}
}

func work(db *store.DB) core.Work { return core.Work{DB: db} }
