package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestNothingStallsDetection is the stalled-detector bug: while an active
// subscription renews within 30 days, late deliveries, snooze wake-ups and
// new renewal alerts stopped after the first pass. With the change log and
// timers, each happens in the next pass after its time, and never twice.
func TestNothingStallsDetection(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			var b store.Batch
			for _, c := range []string{"renews-soon", "renews-later", "late", "unhappy"} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: c, Name: c}})
			}
			b.Subscriptions = append(b.Subscriptions,
				store.Row[retain.Subscription]{V: retain.Subscription{ExternalID: "s-soon", CustomerRef: "renews-soon", Plan: "Tea club", Status: "active",
					Currency: "BDT", Value: 50000, Interval: "month", StartedAt: now.AddDate(0, -11, 0), RenewsAt: now.AddDate(0, 0, 10)}},
				store.Row[retain.Subscription]{V: retain.Subscription{ExternalID: "s-later", CustomerRef: "renews-later", Plan: "Tea club", Status: "active",
					Currency: "BDT", Value: 50000, Interval: "year", StartedAt: now.AddDate(-1, 0, 0), RenewsAt: now.AddDate(0, 0, 33)}})
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "o-late", CustomerRef: "late", Currency: "BDT",
				Total: 120000, HasTotal: true, PlacedAt: now.Add(-48 * time.Hour), ExpectedDeliveryAt: now.Add(24 * time.Hour)}})
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "nps-1",
				CustomerRef: "unhappy", Kind: "nps", Score: 2, Comment: "the tea was stale", RespondedAt: now}})
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			names := map[int64]string{}
			for _, ext := range []string{"renews-soon", "renews-later", "late", "unhappy"} {
				c, err := db.GetCustomer(ctx, ext)
				if err != nil {
					t.Fatal(err)
				}
				names[c.ID] = ext
			}
			alerts := func() map[string]retain.Alert {
				t.Helper()
				all, err := db.Alerts(ctx, store.AlertFilter{Limit: 100}) // open and snoozed
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]retain.Alert{}
				for _, a := range all {
					out[names[a.CustomerID]+"/"+a.Reason] = a
				}
				return out
			}
			first := alerts()
			if len(first) != 3 || first["renews-soon/renewal_due"].ID == 0 || first["unhappy/detractor"].ID == 0 || first["late/new_customer"].ID == 0 {
				t.Fatalf("first pass: %v, want the near renewal, the detractor and the first order", keys(first))
			}
			if err := db.SnoozeAlert(ctx, retain.System("test"), first["unhappy/detractor"].ID, now.Add(6*time.Hour), "called, waiting for a reply"); err != nil {
				t.Fatal(err)
			}

			// Three days on: the order is two days past its expected
			// delivery, the snooze has ended, the later renewal is 30 days
			// away and the near one 7.
			now = now.AddDate(0, 0, 3).Add(time.Hour)
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			next := alerts()
			for _, k := range []string{"late/late_delivery", "renews-later/renewal_due"} {
				if next[k].ID == 0 || next[k].Occurrences != 1 {
					t.Errorf("%s: %+v, want a new alert in the next pass (have %v)", k, next[k], keys(next))
				}
			}
			if a := next["unhappy/detractor"]; a.Status != "open" {
				t.Errorf("the snoozed alert is %q after its snooze ended", a.Status)
			}
			// The near renewal's 7-day timer: one more occurrence of its
			// open alert.
			if a := next["renews-soon/renewal_due"]; a.Occurrences != 2 {
				t.Errorf("near renewal: %d occurrences, want 2 (30 and 7 days ahead)", a.Occurrences)
			}
			for range 100 {
				now = now.Add(time.Hour)
				if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			after := alerts()
			if len(after) != len(next) {
				t.Errorf("100 more passes changed the alerts: %v → %v", keys(next), keys(after))
			}
			for k, a := range after {
				if a.Occurrences != next[k].Occurrences {
					t.Errorf("%s: %d occurrences after 100 more passes, %d before", k, a.Occurrences, next[k].Occurrences)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
