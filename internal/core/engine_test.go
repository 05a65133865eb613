package core_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestServiceRecoveryEndToEnd: on demo data, a detractor answer opens an
// alert and enrolls the customer in service recovery; the runner creates
// the owner's call task and queues the apology in the customer's language;
// a later order ends the enrollment as recovered and the recovery rate
// counts it.
func TestServiceRecoveryEndToEnd(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			if _, err := demo.Generate(ctx, db, demo.Options{Customers: 200, Seed: 11, AsOf: now}); err != nil {
				t.Fatal(err)
			}
			// Old signals are history: mark them seen before the playbooks exist.
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			if n, err := core.InstallBuiltins(ctx, db, false); err != nil || n != 16 {
				t.Fatalf("installed %d built-ins: %v", n, err)
			}
			if err := db.SetPlaybookEnabled(ctx, retain.System("test"), "service_recovery", true); err != nil {
				t.Fatal(err)
			}
			cust := bengaliCustomer(t, db)

			// The answer comes in at once: later, an order's expected
			// delivery could pass and raise alerts of its own.
			var b store.Batch
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "nps-e2e",
				CustomerRef: cust.ExternalID, Kind: "nps", Score: 2, Comment: "ডেলিভারি অনেক দেরি হয়েছে", RespondedAt: now}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			det, err := core.Detect(ctx, db, core.DetectOptions{})
			if err != nil || det.Raised != 1 || det.Enrolled != 1 {
				t.Fatalf("detect: %+v %v", det, err)
			}
			runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
			st, err := runner.RunDue(ctx)
			if err != nil || st.Tasks != 1 || st.Messages != 1 {
				t.Fatalf("run: %+v %v", st, err)
			}
			tasks, err := db.Tasks(ctx, store.TaskFilter{CustomerID: cust.ID})
			// The task is in the owner's language, the message in the customer's.
			inOwners := map[string]string{"bn": "২৪ ঘণ্টার মধ্যে", "ne": "२४ घण्टाभित्र"}[cust.OwnerLocale[:min(2, len(cust.OwnerLocale))]]
			if inOwners == "" {
				inOwners = "within 24 hours"
			}
			if err != nil || len(tasks) != 1 || !strings.Contains(tasks[0].Title, inOwners) || tasks[0].DueAt.Sub(now) != 24*time.Hour {
				t.Fatalf("tasks %+v %v", tasks, err)
			}
			if !tasks[0].RemindAt.Equal(tasks[0].DueAt.Add(-time.Hour)) {
				t.Errorf("reminder at %v for a task due %v", tasks[0].RemindAt, tasks[0].DueAt)
			}
			if cust.OwnerID != 0 && tasks[0].OwnerID != cust.OwnerID {
				t.Errorf("task owner %d, customer owner %d", tasks[0].OwnerID, cust.OwnerID)
			}
			claimed, err := db.ClaimMessages(ctx, "test", time.Minute, 10)
			if err != nil || len(claimed) != 1 || !strings.Contains(claimed[0].Body, "Dhaka Tea House") || !strings.Contains(claimed[0].Body, "দুঃখিত") {
				t.Fatalf("apology %+v %v", claimed, err)
			}
			// Running again before the week's wait does nothing more.
			if st, err := runner.RunDue(ctx); err != nil || st.Claimed != 0 {
				t.Fatalf("second run: %+v %v", st, err)
			}

			// Tone: while the recovery is open, a welcome (onboarding) is held
			// back with the reason; a service message of another playbook is not.
			for key, held := range map[string]bool{"onboarding": true, "post_purchase": false} {
				p, err := core.CurrentPlaybook(ctx, db, key)
				if err != nil {
					t.Fatal(err)
				}
				steps, err := core.Simulate(ctx, runner, p, cust.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range steps {
					if a.Type != "message" {
						continue
					}
					if got := a.Note == core.HeldForRecovery && a.Channel == ""; got != held {
						t.Errorf("%s during a recovery: message held %v (%q on %q), want %v", key, got, a.Note, a.Channel, held)
					}
					break
				}
			}

			// Three days later the customer orders: the enrollment ends as recovered.
			now = now.Add(72 * time.Hour)
			b = store.Batch{}
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "after-recovery", CustomerRef: cust.ExternalID,
				Currency: "BDT", Total: 120000, HasTotal: true, PlacedAt: now}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			if st, err := runner.RunDue(ctx); err != nil || st.Ended != 1 {
				t.Fatalf("after the order: %+v %v", st, err)
			}
			ens, _ := db.Enrollments(ctx, cust.ID)
			if len(ens) != 1 || ens[0].Status != "done" || ens[0].Outcome != core.OutcomeSucceeded {
				t.Fatalf("enrollments %+v", ens)
			}
			rec, err := core.Outcomes(ctx, db)
			if err != nil || rec.Recovered != 1 || rec.Ended != 1 || rec.Rate != 1 {
				t.Fatalf("recovery %+v %v", rec, err)
			}
			// By the cause the detractor's comment gave: late delivery.
			if len(rec.ByCause) != 1 || rec.ByCause[0] != (store.CauseOutcome{Cause: "delivery", Recovered: 1, Ended: 1}) {
				t.Errorf("recovery by cause: %+v", rec.ByCause)
			}
		})
	}
}

// bengaliCustomer picks a demo customer whose language is Bengali and who
// has a phone number.
func bengaliCustomer(t *testing.T, db *store.DB) store.Facts {
	t.Helper()
	for i := 1; i <= 200; i++ {
		f, err := db.CustomerFacts(context.Background(), int64(i))
		if err == nil && strings.HasPrefix(f.Locale, "bn") && f.Phone != "" {
			return f
		}
	}
	t.Fatal("no Bengali-speaking demo customer with a phone")
	return store.Facts{}
}

// TestRunnersInParallel: four runners (as four serve processes would) work
// through the same enrollments at once; every step takes effect once.
func TestRunnersInParallel(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			const n = 300
			var b store.Batch
			for i := range n {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("c", i), Phone: "+8801711000000"}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			core.InstallBuiltins(ctx, db, true)
			db.WithTx(ctx, func(tx *store.Tx) error {
				for i := 1; i <= n; i++ {
					if _, _, err := tx.Enroll(ctx, "service_recovery", int64(i), 30, "test", 0, 90); err != nil {
						return err
					}
				}
				return nil
			})
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					r := &core.Runner{DB: db, Channels: map[string]bool{"sms": true}, Owner: fmt.Sprint("runner-", w)}
					if _, err := r.RunDue(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			tasks, _ := db.Tasks(ctx, store.TaskFilter{Limit: 1000})
			msgs, _ := db.MessageCounts(ctx)
			if len(tasks) != n || msgs[string(retain.MsgQueued)] != n {
				t.Fatalf("%d tasks and %v messages for %d enrollments", len(tasks), msgs, n)
			}
		})
	}
}

// TestBusinessLanguage: a customer whose language is not known is written
// to in the business's language, one with a language in their own.
func TestBusinessLanguage(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var b store.Batch
	for _, c := range []retain.Customer{{ExternalID: "nolang", Name: "Rahim Uddin", Phone: "+8801711000001"}, {ExternalID: "en", Name: "Jane Roy", Phone: "+8801711000002", Locale: "en"}} {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: c})
	}
	if _, err := db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	p, err := core.CurrentPlaybook(ctx, db, "post_purchase")
	if err != nil {
		t.Fatal(err)
	}
	runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}, Language: "bn"}
	for ref, want := range map[string]string{"nolang": "হ্যালো", "en": "Hi "} {
		c, err := db.GetCustomer(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		steps, err := core.Simulate(ctx, runner, p, c.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range steps {
			if a.Type == "message" || a.Type == "survey" {
				found = true
				if !strings.HasPrefix(a.Text, want) {
					t.Errorf("%s: %q, want it to start %q", ref, a.Text, want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no message simulated", ref)
		}
	}
}
