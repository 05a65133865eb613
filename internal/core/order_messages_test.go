package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestOrderStatusMessages: with the order-status playbooks on, a Bengali
// customer's order placed, handed to the courier (with its tracking page)
// and out for delivery (with the rider's number) sends three messages in
// Bengali: the order's number, total and expected day; the tracking link;
// the rider's number and the amount to keep ready — on both databases.
func TestOrderStatusMessages(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			orderNewsOn(t, db)
			events := []core.Event{
				{ID: "c", Type: "customer.upsert", Customer: &core.CustomerBody{ExternalID: "nila", Name: "নীলা সেন", Phone: "+8801711000555", Locale: "bn"}},
				{ID: "o", Type: "order.placed", Order: &core.OrderBody{ExternalID: "D-1042", CustomerID: "nila", Currency: "BDT", Total: "1250",
					PlacedAt: now, ExpectedDeliveryAt: ptr(now.AddDate(0, 0, 3))}},
			}
			runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
			sent := 0
			step := func(evs ...core.Event) string {
				t.Helper()
				if _, err := core.Ingest(ctx, db, admin, core.Input{Events: evs}); err != nil {
					t.Fatal(err)
				}
				if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := runner.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				msgs, err := db.Messages(ctx, store.MessageFilter{Limit: 10})
				if err != nil || len(msgs) != sent+1 {
					t.Fatalf("messages: %d, want %d: %v", len(msgs), sent+1, err)
				}
				sent++
				return msgs[0].Kind + ": " + msgs[0].Body // the newest
			}
			placed := step(events...)
			if !strings.HasPrefix(placed, "order.placed: ") || !strings.Contains(placed, "D-1042") || !strings.Contains(placed, "১,২৫০") || !strings.Contains(placed, "পৌঁছানোর কথা") {
				t.Errorf("placed: %q", placed)
			}
			now = now.Add(24 * time.Hour)
			shipped := step(core.Event{ID: "s", Type: "order.shipped", OrderID: "D-1042", TrackingURL: "https://courier.example/t/ABC123"})
			if !strings.HasPrefix(shipped, "order.shipped: ") || !strings.Contains(shipped, "https://courier.example/t/ABC123") {
				t.Errorf("shipped: %q", shipped)
			}
			now = now.Add(24 * time.Hour)
			out := step(core.Event{ID: "f", Type: "order.out_for_delivery", OrderID: "D-1042", RiderPhone: "01819-555123"})
			if !strings.HasPrefix(out, "order.arriving: ") || !strings.Contains(out, "01819-555123") || !strings.Contains(out, "১,২৫০") {
				t.Errorf("out for delivery: %q", out)
			}
			if _, err := core.Ingest(ctx, db, admin, core.Input{Events: []core.Event{{ID: "bad", Type: "order.shipped", OrderID: "D-1042", TrackingURL: "javascript:alert(1)"}}}); fieldOf(err) != "events[0].tracking_url" {
				t.Errorf("a tracking link that is no web address: %v", err)
			}
		})
	}
}

// TestOrderNewsOneAtATime: a placed message still queued (held back, say
// by quiet hours) when the shipped one comes is replaced by it — the
// customer gets the latest only; and a message about the order right after
// one went out waits until ten minutes after it.
func TestOrderNewsOneAtATime(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	admin := retain.System("test")
	orderNewsOn(t, db)
	runner := &core.Runner{DB: db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
	step := func(evs ...core.Event) []store.MessageRow {
		t.Helper()
		if _, err := core.Ingest(ctx, db, admin, core.Input{Events: evs}); err != nil {
			t.Fatal(err)
		}
		if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.Messages(ctx, store.MessageFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	msgs := step(core.Event{ID: "c", Type: "customer.upsert", Customer: &core.CustomerBody{ExternalID: "raj", Name: "Raj Rai", Phone: "+9779801000111"}},
		core.Event{ID: "o", Type: "order.placed", Order: &core.OrderBody{ExternalID: "N-7", CustomerID: "raj", Currency: "NPR", Total: "900", PlacedAt: now}})
	if len(msgs) != 1 || msgs[0].Status != retain.MsgQueued {
		t.Fatalf("placed: %+v", msgs)
	}
	now = now.Add(5 * time.Minute)
	msgs = step(core.Event{ID: "s", Type: "order.shipped", OrderID: "N-7", TrackingURL: "https://courier.example/t/N7"})
	if len(msgs) != 2 || msgs[0].Kind != "order.shipped" || msgs[0].Status != retain.MsgQueued || msgs[1].Status != retain.MsgSuppressed ||
		!strings.Contains(msgs[1].LastError, "newer message about the same order") {
		t.Fatalf("shipped while placed was queued: %+v", msgs)
	}
	// The shipped message goes out; out for delivery a minute later waits.
	claimed, err := db.ClaimMessages(ctx, "test", time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	attempt, verdict, err := db.BeginSend(ctx, store.SendCheck{ID: claimed[0].ID, Fence: claimed[0].Fence, HoldUntil: now.Add(30 * time.Second)})
	if err != nil || verdict != store.SendGo {
		t.Fatalf("begin: %v %v", verdict, err)
	}
	if _, err := db.FinishSend(ctx, claimed[0].ID, claimed[0].Fence, attempt, store.SendResult{Status: retain.MsgSent}); err != nil {
		t.Fatal(err)
	}
	sentAt := now
	now = now.Add(time.Minute)
	msgs = step(core.Event{ID: "f", Type: "order.out_for_delivery", OrderID: "N-7", RiderPhone: "9801000222"})
	if len(msgs) != 3 || msgs[0].Kind != "order.arriving" || !msgs[0].DueAt.Equal(sentAt.Add(retain.AboutGap)) {
		t.Errorf("out for delivery a minute after the shipped message: %+v, want due %v", msgs[0].Message, sentAt.Add(retain.AboutGap))
	}
}

// orderNewsOn installs the built-in playbooks and switches the three
// order-status ones on.
func orderNewsOn(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"order_placed", "order_shipped", "order_out_for_delivery"} {
		if err := db.SetPlaybookEnabled(ctx, retain.System("test"), k, true); err != nil {
			t.Fatal(err)
		}
	}
}
