package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskMergeSplit: a customer's e-mail and WhatsApp message about one
// parcel merge into one ticket, every message kept, the merged one closed
// and out of the report, its widget conversation handed over; a new
// subject in the thread splits into a ticket of its own with the messages
// from there on; tags, a team and the customer's own order link and clear,
// and another customer's order or an unknown team is refused by field.
func TestDeskMergeSplit(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Week, p.TimeZone = "always", "UTC"
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "rina@shop.test", Name: "Rina", Role: "agent"}, "x")
			if err != nil {
				t.Fatal(err)
			}
			agent := retain.StaffActor(u.ID, u.Email, retain.RoleAgent, 0)
			work := core.Work{DB: db}
			take := func(in core.Inbound) store.TicketRow {
				t.Helper()
				ref, err := core.TakeInbound(ctx, db, in)
				if err != nil {
					t.Fatal(err)
				}
				tk, err := db.TicketByRef(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				return tk
			}
			// One customer (the same phone) writes on WhatsApp, then by SMS.
			a := take(core.Inbound{ID: "wa-1", Channel: "whatsapp", Phone: "+8801712345678", Text: "Parcel late", At: now})
			now = now.Add(time.Hour)
			b := take(core.Inbound{ID: "sms-1", Channel: "sms", Phone: "+8801712345678", Text: "Where is my parcel?", At: now})
			other := take(core.Inbound{ID: "sms-2", Channel: "sms", Phone: "+8801799999999", Text: "Hello", At: now})
			if a.ID == b.ID || a.CustomerID != b.CustomerID {
				t.Fatalf("two tickets of one customer: %+v %+v", a, b)
			}
			// New tickets (nobody has answered) are open ones in the health
			// score's service signals and the summary.
			sum, err := db.Summary(ctx)
			if err != nil || sum.OpenTickets != 3 {
				t.Errorf("open tickets in the summary: %d, want 3 (%v)", sum.OpenTickets, err)
			}
			signals, err := db.CustomerSignals(ctx, now.AddDate(0, 0, -1))
			if err != nil || signals[a.CustomerID] == nil || signals[a.CustomerID].OpenTickets != 2 {
				t.Errorf("the customer's open tickets: %+v (%v)", signals[a.CustomerID], err)
			}
			if err := db.SetWidgetToken(ctx, b.ExternalID, "tok"); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Minute)
			if err := work.ReplyTicket(ctx, agent, b.ID, "Checking with the courier", false, core.TicketChange{}); err != nil {
				t.Fatal(err)
			}
			if err := work.MergeTicket(ctx, agent, a.ID, other.ID); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("merging into another customer's ticket: %v", err)
			}
			if err := work.MergeTicket(ctx, agent, a.ID, a.ID); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("merging a ticket into itself: %v", err)
			}
			if err := work.MergeTicket(ctx, agent, b.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := core.ConsumeDesk(ctx, db); err != nil {
				t.Fatal(err)
			}
			merged, _ := db.Ticket(ctx, b.ID)
			into, _ := db.Ticket(ctx, a.ID)
			if merged.Status != "closed" || merged.MergedIntoID != a.ID || merged.Messages != 0 {
				t.Errorf("the merged ticket: %+v", merged)
			}
			if into.Messages != 3 || !into.LastCustomerAt.Equal(now.Add(-time.Minute)) || into.FirstResponseAt.IsZero() {
				t.Errorf("the ticket merged into: %d messages, last customer %v, first response %v", into.Messages, into.LastCustomerAt, into.FirstResponseAt)
			}
			if got, err := db.TicketByWidgetToken(ctx, "tok"); err != nil || got.ID != a.ID {
				t.Errorf("the widget conversation follows the merge: %+v %v", got, err)
			}
			if err := work.MergeTicket(ctx, agent, b.ID, a.ID); retain.ErrorCode(err) != retain.ECONFLICT {
				t.Errorf("merging a merged ticket again: %v", err)
			}
			var opened int
			if err := db.TicketFacts(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1), func(store.TicketFact) error { opened++; return nil }); err != nil {
				t.Fatal(err)
			}
			if opened != 2 { // a and other; the merged one is not counted twice
				t.Errorf("tickets in the report: %d, want 2", opened)
			}

			// The customer raises a new subject: split from there.
			now = now.Add(time.Hour)
			if _, err := core.TakeInbound(ctx, db, core.Inbound{ID: "wa-2", Channel: "whatsapp", Phone: "+8801712345678",
				Text: "Also: the invoice is wrong", At: now}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Minute)
			if err := work.ReplyTicket(ctx, agent, a.ID, "We will fix the invoice", false, core.TicketChange{}); err != nil {
				t.Fatal(err)
			}
			thread, _ := db.Thread(ctx, a.ID)
			if _, err := work.SplitTicket(ctx, agent, a.ID, thread[0].ID); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("splitting at the first message: %v", err)
			}
			ref, err := work.SplitTicket(ctx, agent, a.ID, thread[3].ID)
			if err != nil {
				t.Fatal(err)
			}
			split, err := db.TicketByRef(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			left, _ := db.Thread(ctx, a.ID)
			moved, _ := db.Thread(ctx, split.ID)
			if len(left) != 3 || len(moved) != 2 || moved[0].Body != "Also: the invoice is wrong" {
				t.Fatalf("after the split: %d left, %d moved (%+v)", len(left), len(moved), moved)
			}
			if split.Subject != "Also: the invoice is wrong" || split.Status != "open" || split.CustomerID != a.CustomerID ||
				!split.OpenedAt.Equal(moved[0].SentAt) || !split.FirstResponseAt.Equal(now) {
				t.Errorf("the split ticket: %+v", split)
			}

			// Tags, team and order.
			if _, err := db.SaveTeam(ctx, retain.System("test"), 0, "Dhaka"); err != nil {
				t.Fatal(err)
			}
			var ob store.Batch
			ob.Orders = append(ob.Orders,
				store.Row[retain.Order]{V: retain.Order{ExternalID: "o1", CustomerRef: a.CustomerRef, Currency: "BDT", Total: 50000, HasTotal: true, PlacedAt: now}},
				store.Row[retain.Order]{V: retain.Order{ExternalID: "o2", CustomerRef: other.CustomerRef, Currency: "BDT", Total: 50000, HasTotal: true, PlacedAt: now}})
			if _, err := db.Apply(ctx, &ob); err != nil {
				t.Fatal(err)
			}
			tags, team, order := retain.NormalizeTags("Late delivery, courier ,late delivery"), "Dhaka", "o1"
			if err := work.UpdateTicket(ctx, agent, a.ID, core.TicketChange{Tags: &tags, Team: &team, Order: &order}); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Ticket(ctx, a.ID)
			if len(got.Tags) != 2 || got.Tags[0] != "late-delivery" || got.Tags[1] != "courier" || got.Team != "Dhaka" || got.OrderRef != "o1" {
				t.Errorf("tags %q team %q order %q", got.Tags, got.Team, got.OrderRef)
			}
			if rows, err := db.Tickets(ctx, store.TicketFilter{View: "all", Tag: "courier"}); err != nil || len(rows) != 1 || rows[0].ID != a.ID {
				t.Errorf("by tag: %d tickets, %v", len(rows), err)
			}
			for field, change := range map[string]core.TicketChange{
				"order_id": {Order: ptr("o2")}, "team": {Team: ptr("Kathmandu")}, "tags": {Tags: &[]string{"Bad Tag"}},
			} {
				err := work.UpdateTicket(ctx, agent, a.ID, change)
				var re *retain.Error
				if !errors.As(err, &re) || re.Fields[field].Text == "" {
					t.Errorf("%s: %v", field, err)
				}
			}
			none, empty := []string{}, ""
			if err := work.UpdateTicket(ctx, agent, a.ID, core.TicketChange{Tags: &none, Team: &empty, Order: &empty}); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.Ticket(ctx, a.ID); len(got.Tags) != 0 || got.Team != "" || got.OrderRef != "" {
				t.Errorf("cleared: tags %q team %q order %q", got.Tags, got.Team, got.OrderRef)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
