package core_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

func TestDetectRaisesDeduplicatedAlerts(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return asOf }
			if _, err := demo.Generate(ctx, db, demo.Options{Customers: 400, Seed: 5, AsOf: asOf}); err != nil {
				t.Fatal(err)
			}
			st, err := core.Detect(ctx, db, core.DetectOptions{Lookback: 60 * 24 * time.Hour, Batch: 50})
			if err != nil || st.Signals == 0 || st.Raised == 0 {
				t.Fatalf("first pass: %+v %v", st, err)
			}
			alerts, err := db.Alerts(ctx, store.AlertFilter{Limit: 10000})
			if err != nil || len(alerts) != st.Raised {
				t.Fatalf("%d open alerts for %+v: %v", len(alerts), st, err)
			}
			reasons, causes := map[string]int{}, map[string]int{}
			seen := map[[3]any]bool{}
			for _, a := range alerts {
				reasons[a.Reason]++
				causes[a.RootCause]++
				k := [3]any{a.CustomerID, a.Type, a.Reason}
				if seen[k] {
					t.Errorf("two open alerts for %v", k)
				}
				seen[k] = true
				if a.DueAt.IsZero() || a.Title == "" || a.Severity == "" {
					t.Errorf("alert %+v", a)
				}
			}
			if reasons["detractor"] == 0 || reasons["complaint"] == 0 || len(causes) < 3 || st.Signals < st.Raised+st.Repeated {
				t.Errorf("reasons %v, causes %v, stats %+v", reasons, causes, st)
			}
			// Nothing new: nothing raised.
			if again, err := core.Detect(ctx, db, core.DetectOptions{Lookback: 60 * 24 * time.Hour}); err != nil || again.Signals != 0 {
				t.Errorf("second pass: %+v %v", again, err)
			}
			// Another detractor answer from an alerted customer counts on the same alert.
			a := firstWith(alerts, "detractor")
			var b store.Batch
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "again",
				CustomerRef: a.CustomerRef, Kind: "nps", Score: 2, Comment: "still broken", RespondedAt: asOf}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if st, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil || st.Repeated != 1 || st.Raised != 0 {
				t.Errorf("repeat: %+v %v", st, err)
			}
			// Snooze needs a reason; resolve needs an outcome.
			if err := db.SnoozeAlert(ctx, retain.System("test"), a.ID, asOf.Add(48*time.Hour), ""); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("snooze without a reason: %v", err)
			}
			if err := db.SnoozeAlert(ctx, retain.System("test"), a.ID, asOf.Add(48*time.Hour), "customer travelling"); err != nil {
				t.Fatal(err)
			}
			if err := db.ResolveAlert(ctx, retain.System("test"), a.ID, "called, replaced the item"); err != nil {
				t.Fatal(err)
			}
			if err := db.ResolveAlert(ctx, retain.System("test"), a.ID, "again"); retain.ErrorCode(err) != retain.ENOTFOUND {
				t.Errorf("resolving twice: %v", err)
			}
		})
	}
}

func firstWith(as []retain.Alert, reason string) retain.Alert {
	for _, a := range as {
		if a.Reason == reason {
			return a
		}
	}
	return retain.Alert{}
}

func TestDetectFromScores(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return asOf }
	if _, err := demo.Generate(ctx, db, demo.Options{Customers: 500, Seed: 4, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	if st, err := core.DetectFromScores(ctx, db); err != nil || st.Signals != 0 {
		t.Fatalf("before any scoring run: %+v %v", st, err)
	}
	if _, err := core.Score(ctx, db, core.ScoreOptions{CalibrationEnd: asOf}); err != nil {
		t.Fatal(err)
	}
	lowHealth := []byte(`{"key": "low_health", "name": {"en": "Low health"}, "trigger": {"score": {"field": "health", "op": "<", "value": 30}},
		"once_per_days": 30, "success_days": 60, "steps": [{"id": "review", "type": "task", "due_hours": 24,
		"title": {"en": "Look at {{.Name}}", "bn": "{{.Name}}-কে দেখুন", "ne": "{{.Name}} लाई हेर्नुहोस्"}}]}`)
	if _, err := retain.ParsePlaybook(lowHealth); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SavePlaybook(ctx, "low_health", lowHealth, true); err != nil {
		t.Fatal(err)
	}
	st, err := core.DetectFromScores(ctx, db)
	if err != nil || st.Raised == 0 || st.Enrolled == 0 {
		t.Fatalf("first pass: %+v %v", st, err)
	}
	ens, _ := db.Enrollments(ctx, 0)
	for _, e := range ens {
		if f, _ := db.CustomerFacts(ctx, e.CustomerID); e.PlaybookKey == "low_health" && f.Health >= 30 {
			t.Errorf("customer %d with health %v enrolled in low_health", e.CustomerID, f.Health)
		}
	}
	alerts, _ := db.Alerts(ctx, store.AlertFilter{Limit: 10000})
	kinds := map[string]int{}
	for _, a := range alerts {
		kinds[string(a.Type)+"/"+a.Reason]++
		if a.Detail == "" {
			t.Errorf("alert without evidence: %+v", a)
		}
	}
	if kinds["risk/overdue"] == 0 || kinds["opportunity/speeding_up"]+kinds["opportunity/value_rising"]+kinds["opportunity/mix_shift"] == 0 {
		t.Errorf("alerts by kind: %v", kinds)
	}
	if again, err := core.DetectFromScores(ctx, db); err != nil || again.Signals != 0 {
		t.Errorf("the same run twice: %+v %v", again, err)
	}
}

// TestLifecycleAlerts: a first order (new customer), a renewal in ten days
// and an order past its expected delivery each raise their alert once.
func TestLifecycleAlerts(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			var b store.Batch
			b.Orders = append(b.Orders,
				store.Row[retain.Order]{V: retain.Order{ExternalID: "o1", CustomerRef: "k1", Currency: "BDT", Total: 50000, HasTotal: true,
					PlacedAt: now.Add(-72 * time.Hour), ExpectedDeliveryAt: now.Add(-24 * time.Hour)}},
				store.Row[retain.Order]{V: retain.Order{ExternalID: "o2", CustomerRef: "k2", Currency: "BDT", Total: 50000, HasTotal: true,
					PlacedAt: now.Add(-1 * time.Hour), ExpectedDeliveryAt: now.Add(48 * time.Hour)}})
			b.Subscriptions = append(b.Subscriptions, store.Row[retain.Subscription]{V: retain.Subscription{ExternalID: "s1", CustomerRef: "k2",
				Plan: "Tea club", Status: "active", Currency: "BDT", Value: 150000, Interval: "month", StartedAt: now.AddDate(0, -5, 0),
				RenewsAt: now.Add(10 * 24 * time.Hour)}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			alerts, _ := db.Alerts(ctx, store.AlertFilter{})
			got := map[string]int{}
			for _, a := range alerts {
				got[a.CustomerRef+" "+string(a.Type)+"/"+a.Reason]++
			}
			want := map[string]int{"k1 lifecycle/new_customer": 1, "k2 lifecycle/new_customer": 1, "k1 risk/late_delivery": 1, "k2 lifecycle/renewal_due": 1}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("alerts %v, want %v", got, want)
			}
			if st, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil || st.Signals != 0 {
				t.Errorf("second pass: %+v %v", st, err)
			}
		})
	}
}

// TestAlertCauseEvidence: a low score with a comment, or a return with the
// customer's reason in words, is an alert whose root cause comes with the
// words that named it, on both databases ("ভালো না": praise under a
// negation is a complaint); a cause from a reason code carries none.
func TestAlertCauseEvidence(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return asOf }
			var b store.Batch
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "ev-1", Name: "Rahim"}},
				store.Row[retain.Customer]{V: retain.Customer{ExternalID: "ev-2", Name: "Sita"}})
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "ev-s1",
				CustomerRef: "ev-1", Kind: "csat", Score: 1, Comment: "পণ্য ভালো না, টাকা নষ্ট", RespondedAt: asOf.Add(-time.Hour)}})
			b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: retain.Ticket{ExternalID: "ev-t1", CustomerRef: "ev-2", Subject: "Box arrived",
				RootCause: "damaged", Status: "open", Priority: "normal", OpenedAt: asOf.Add(-time.Hour)}})
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "ev-3", Name: "Gita"}})
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "ev-o1", CustomerRef: "ev-3", Currency: "NPR", Total: 150000,
				HasTotal: true, PlacedAt: asOf.Add(-72 * time.Hour)}})
			b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: "ev-e1", OrderRef: "ev-o1",
				Type: "returned", Reason: "पहिलो धुलाइमै रङ उड्यो", OccurredAt: asOf.Add(-time.Hour)}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{Lookback: 24 * time.Hour}); err != nil {
				t.Fatal(err)
			}
			alerts, err := db.Alerts(ctx, store.AlertFilter{Limit: 10, Type: "risk"})
			if err != nil || len(alerts) < 3 {
				t.Fatalf("%d alerts, %v", len(alerts), err)
			}
			seen := map[string]bool{}
			for _, a := range alerts {
				seen[a.CustomerRef+" "+a.Reason] = true
				switch a.CustomerRef {
				case "ev-1":
					if a.RootCause != "quality" || !slices.Contains(a.CauseEvidence, "ভালো না") {
						t.Errorf("the comment's alert: %q with %q", a.RootCause, a.CauseEvidence)
					}
				case "ev-2":
					if a.RootCause != "quality" || len(a.CauseEvidence) != 0 {
						t.Errorf("the reason code's alert: %q with %q", a.RootCause, a.CauseEvidence)
					}
				case "ev-3":
					if a.Reason == "return" && (a.RootCause != "quality" || len(a.CauseEvidence) == 0) {
						t.Errorf("the return's alert: %q with %q", a.RootCause, a.CauseEvidence)
					}
				}
			}
			if !seen["ev-1 low_csat"] || !seen["ev-2 complaint"] || !seen["ev-3 return"] {
				t.Errorf("alerts raised: %v", seen)
			}
		})
	}
}

// TestEntryRulesKeepOutOnePlaybookOnly: two playbooks start on a first
// order and on a promoter's alert; the first of each (by key) admits only
// customers with more than five orders. A new customer is kept out of it
// and still enrolled in the second: one playbook's entry rules do not stop
// the others.
func TestEntryRulesKeepOutOnePlaybookOnly(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	admin := retain.System("test")
	for _, pb := range []string{
		`{"key": "a_first_regulars", "name": {"en": "A", "bn": "A", "ne": "A"}, "trigger": {"event": "first_order"}, "entry": [{"field": "orders", "op": ">", "value": 5}], "once_per_days": 1, "channels": ["sms"], "success_days": 30, "steps": [{"id": "t", "type": "task", "title": {"en": "A", "bn": "A", "ne": "A"}, "due_hours": 1}]}`,
		`{"key": "b_first_all", "name": {"en": "B", "bn": "B", "ne": "B"}, "trigger": {"event": "first_order"}, "once_per_days": 1, "channels": ["sms"], "success_days": 30, "steps": [{"id": "t", "type": "task", "title": {"en": "B", "bn": "B", "ne": "B"}, "due_hours": 1}]}`,
		`{"key": "c_promoter_regulars", "name": {"en": "C", "bn": "C", "ne": "C"}, "trigger": {"alerts": ["promoter"]}, "entry": [{"field": "orders", "op": ">", "value": 5}], "once_per_days": 1, "channels": ["sms"], "success_days": 30, "steps": [{"id": "t", "type": "task", "title": {"en": "C", "bn": "C", "ne": "C"}, "due_hours": 1}]}`,
		`{"key": "d_promoter_all", "name": {"en": "D", "bn": "D", "ne": "D"}, "trigger": {"alerts": ["promoter"]}, "once_per_days": 1, "channels": ["sms"], "success_days": 30, "steps": [{"id": "t", "type": "task", "title": {"en": "D", "bn": "D", "ne": "D"}, "due_hours": 1}]}`,
	} {
		p, err := retain.ParsePlaybook([]byte(pb))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SavePlaybook(ctx, p.Key, []byte(pb), true); err != nil {
			t.Fatal(err)
		}
	}
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "new", Name: "New One"}})
	b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "E1", CustomerRef: "new", Currency: "BDT", Total: 1000, HasTotal: true, PlacedAt: now}})
	b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "E-S1", CustomerRef: "new", Kind: "nps", Score: 10, RespondedAt: now}})
	if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := db.GetCustomer(ctx, "new")
	ens, err := db.Enrollments(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, e := range ens {
		in[e.PlaybookKey] = true
	}
	if !in["b_first_all"] || !in["d_promoter_all"] || in["a_first_regulars"] || in["c_promoter_regulars"] {
		t.Errorf("enrolled in %v, want b_first_all and d_promoter_all only", in)
	}
}
