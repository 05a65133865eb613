package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskConversation: a message from a number nobody has becomes a new
// customer and a ticket with its SLA due times; the agent's reply goes out
// on SMS and is the first response; the customer's answer lands in the
// same thread and starts the next-response clock; pending on the customer
// pauses the resolution clock and no alert fires while it waits; a
// deadline missed raises an alert to the assignee.
func TestDeskConversation(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Week, p.TimeZone = "always", "UTC" // every hour counts: the test reads the same on any date
			p.Targets["normal"] = desk.Target{FirstResponse: 60, NextResponse: 120, Resolution: 600}
			p.WhatsAppTemplate = &desk.Template{Name: "support_reply", Language: "bn"}
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "rina@shop.test", Name: "Rina", Role: "agent"}, "x")
			if err != nil {
				t.Fatal(err)
			}
			agent := retain.StaffActor(u.ID, u.Email, retain.RoleAgent, 0)
			work := core.Work{DB: db}
			consume := func() {
				t.Helper()
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			in := core.Inbound{ID: "sms-1", Channel: "sms", Phone: "+8801712345678", Text: "আমার পার্সেল এখনো আসেনি\nঅর্ডার ১২৩", At: now}
			ref, err := core.TakeInbound(ctx, db, in)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := core.TakeInbound(ctx, db, in); err != nil || again != ref {
				t.Fatalf("the same message again: %q %v", again, err)
			}
			consume()
			tk, err := db.TicketByRef(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status != "new" || tk.CustomerPhone != "+8801712345678" || tk.Subject != "আমার পার্সেল এখনো আসেনি" || tk.Messages != 1 {
				t.Fatalf("the new ticket: %+v", tk)
			}
			if !tk.FirstResponseDue.Equal(now.Add(time.Hour)) || !tk.ResolutionDue.Equal(now.Add(10*time.Hour)) {
				t.Errorf("due: first %v resolution %v", tk.FirstResponseDue, tk.ResolutionDue)
			}
			if err := work.UpdateTicket(ctx, agent, tk.ID, core.TicketChange{Assignee: u.ID, RootCause: "price_value"}); err != nil {
				t.Fatal(err)
			}

			// The agent answers after 30 minutes: on SMS, the first response.
			now = now.Add(30 * time.Minute)
			if err := work.ReplyTicket(ctx, agent, tk.ID, "দুঃখিত! কাল পৌঁছাবে।", false, core.TicketChange{}); err != nil {
				t.Fatal(err)
			}
			if err := work.ReplyTicket(ctx, agent, tk.ID, "courier called", true, core.TicketChange{}); err != nil {
				t.Fatal(err)
			}
			consume()
			consume() // a second pass sends nothing twice
			msgs, err := db.Messages(ctx, store.MessageFilter{})
			if err != nil || len(msgs) != 1 || msgs[0].Channel != retain.ChannelSMS || msgs[0].Recipient != "+8801712345678" ||
				msgs[0].Body != "দুঃখিত! কাল পৌঁছাবে।" || msgs[0].Purpose != retain.PurposeTransactional {
				t.Fatalf("the outbox: %+v %v", msgs, err)
			}
			thread, _ := db.Thread(ctx, tk.ID)
			if len(thread) != 3 || thread[1].Author != "agent" || thread[1].MessageID == 0 || thread[1].Staff != "Rina" ||
				thread[2].Author != "note" || thread[2].MessageID != 0 {
				t.Fatalf("the thread: %+v", thread)
			}
			tk, _ = db.Ticket(ctx, tk.ID)
			if tk.Status != "open" || !tk.FirstResponseAt.Equal(now) || tk.AssigneeRef == "" {
				t.Errorf("after the reply: %+v", tk)
			}

			// The customer writes again: same thread, next response due.
			now = now.Add(time.Hour)
			if r2, err := core.TakeInbound(ctx, db, core.Inbound{ID: "sms-2", Channel: "sms", Phone: "+8801712345678", Text: "ধন্যবাদ, কখন?", At: now}); err != nil || r2 != ref {
				t.Fatalf("the answer went to %q (%v), not %q", r2, err, ref)
			}
			consume()
			tk, _ = db.Ticket(ctx, tk.ID)
			if !tk.NextResponse.Equal(now.Add(2*time.Hour)) || tk.Messages != 4 {
				t.Errorf("next response due %v, messages %d", tk.NextResponse, tk.Messages)
			}

			// Pending on the customer: the resolution clock stops, and its
			// deadline passing raises nothing.
			if err := work.ReplyTicket(ctx, agent, tk.ID, "আপনার ঠিকানাটা দিন", false, core.TicketChange{Status: "pending"}); err != nil {
				t.Fatal(err)
			}
			consume()
			tk, _ = db.Ticket(ctx, tk.ID)
			pausedAt, before := now, tk.ResolutionDue
			if tk.Status != "pending" || !tk.PausedAt.Equal(pausedAt) {
				t.Fatalf("pending: %+v", tk)
			}
			now = now.Add(12 * time.Hour)
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			if a, _ := db.Alerts(ctx, store.AlertFilter{Reason: "sla_breach"}); len(a) != 0 {
				t.Fatalf("an alert while pending on the customer: %+v", a)
			}
			if _, err := core.TakeInbound(ctx, db, core.Inbound{ID: "sms-3", Channel: "sms", Phone: "+8801712345678", Text: "Mirpur 10", At: now}); err != nil {
				t.Fatal(err)
			}
			consume()
			tk, _ = db.Ticket(ctx, tk.ID)
			if want := now.Add(before.Sub(pausedAt)); tk.Status != "open" || !tk.PausedAt.IsZero() || !tk.ResolutionDue.Equal(want) {
				t.Fatalf("resumed: status %s paused %v resolution %v, want %v", tk.Status, tk.PausedAt, tk.ResolutionDue, want)
			}

			// Nobody answers: at 80% a warning, then the breach, to Rina.
			now = now.Add(100 * time.Minute)
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(30 * time.Minute)
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, reason := range []string{"sla_warning", "sla_breach"} {
				a, _ := db.Alerts(ctx, store.AlertFilter{Reason: reason})
				if len(a) != 1 || a[0].OwnerID != u.ID || a[0].RootCause != "price" {
					t.Errorf("%s: %+v", reason, a)
				}
			}

			// Resolved: the clocks stop and a late timer raises nothing more.
			if err := work.UpdateTicket(ctx, agent, tk.ID, core.TicketChange{Status: "resolved"}); err != nil {
				t.Fatal(err)
			}
			consume()
			tk, _ = db.Ticket(ctx, tk.ID)
			if tk.Status != "resolved" || tk.ResolvedAt.IsZero() || !tk.NextResponse.IsZero() {
				t.Errorf("resolved: %+v", tk)
			}
		})
	}
}

// TestDeskWhatsAppWindow: a reply within 24 hours of the customer's last
// WhatsApp message is free text; after that, the approved template, or
// SMS to the same number when none is set.
func TestDeskWhatsAppWindow(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Week = "always"
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			work := core.Work{DB: db}
			reply := func(ref, text string) retain.Message {
				t.Helper()
				tk, err := db.TicketByRef(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				if err := work.ReplyTicket(ctx, retain.System("test"), tk.ID, text, false, core.TicketChange{}); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
				thread, _ := db.Thread(ctx, tk.ID)
				m, err := db.GetMessage(ctx, thread[len(thread)-1].MessageID)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: "wa-1", Channel: "whatsapp", Phone: "+9779801234567", Name: "Sita", Text: "नमस्ते", At: now})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(23 * time.Hour)
			if m := reply(ref, "हजुर, भन्नुहोस्"); m.Channel != retain.ChannelWhatsApp || m.Template != nil {
				t.Errorf("inside the window: %+v", m)
			}
			now = now.Add(2 * time.Hour)
			if m := reply(ref, "तपाईंको अर्डर आज आउँछ"); m.Channel != retain.ChannelSMS {
				t.Errorf("outside the window with no template: %+v", m)
			}
			p.WhatsAppTemplate = &desk.Template{Name: "support_reply", Language: "ne"}
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			if m := reply(ref, "धन्यवाद"); m.Channel != retain.ChannelWhatsApp || m.Template == nil || m.Template.Name != "support_reply" || m.Template.Language != "ne" {
				t.Errorf("outside the window with a template: %+v", m)
			}
			c, err := db.GetCustomer(ctx, "contact:+9779801234567")
			if err != nil || c.Name != "Sita" {
				t.Errorf("the new customer: %+v %v", c, err)
			}
		})
	}
}

// TestDeskPendingReminder: a ticket waiting on the customer gets one
// reminder in their language after two days and is resolved after five;
// one whose customer answers meanwhile gets neither.
func TestDeskPendingReminder(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			var b store.Batch
			for _, c := range []struct{ id, phone string }{{"C1", "+8801711111111"}, {"C2", "+8801722222222"}} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: c.id, Phone: c.phone, Locale: "bn"}})
			}
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			work := core.Work{DB: db}
			step := func() {
				t.Helper()
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
				if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			var ids []int64
			for i, phone := range []string{"+8801711111111", "+8801722222222"} {
				ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: fmt.Sprint("p", i), Channel: "sms", Phone: phone, Text: "সাইজ বদলাব", At: now})
				if err != nil {
					t.Fatal(err)
				}
				tk, _ := db.TicketByRef(ctx, ref)
				ids = append(ids, tk.ID)
				if err := work.ReplyTicket(ctx, retain.System("test"), tk.ID, "কোন সাইজ?", false, core.TicketChange{Status: "pending"}); err != nil {
					t.Fatal(err)
				}
			}
			step()
			now = now.Add(24 * time.Hour)
			if _, err := core.TakeInbound(ctx, db, core.Inbound{ID: "answer", Channel: "sms", Phone: "+8801722222222", Text: "XL", At: now}); err != nil {
				t.Fatal(err)
			}
			step()
			now = now.Add(25 * time.Hour) // two days and an hour after the wait began
			step()
			step() // nothing twice
			reminders := 0
			msgs, _ := db.Messages(ctx, store.MessageFilter{})
			for _, m := range msgs {
				if m.Kind == "ticket.reminder" {
					reminders++
					if m.Recipient != "+8801711111111" || !strings.Contains(m.Body, "উত্তরের অপেক্ষায়") || !strings.Contains(m.Body, "৩ দিনের") {
						t.Errorf("the reminder: %+v", m)
					}
				}
			}
			if reminders != 1 {
				t.Fatalf("%d reminders, want 1", reminders)
			}
			now = now.Add(3 * 24 * time.Hour)
			step()
			if tk, _ := db.Ticket(ctx, ids[0]); tk.Status != "resolved" {
				t.Errorf("the unanswered ticket after five days: %s", tk.Status)
			}
			if tk, _ := db.Ticket(ctx, ids[1]); tk.Status != "open" {
				t.Errorf("the answered ticket: %s", tk.Status)
			}
		})
	}
}

// TestDeskAssignment: with round robin, new tickets go to the agents in
// turn, a Bengali-writing customer's to the agent who reads Bengali.
func TestDeskAssignment(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Assign = "round_robin"
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			names := map[int64]string{}
			for _, u := range []store.User{{Email: "a@shop.test", Name: "A", Role: "agent"}, {Email: "b@shop.test", Name: "B", Role: "agent"}} {
				got, err := db.AddUser(ctx, retain.System("test"), u, "x")
				if err != nil {
					t.Fatal(err)
				}
				names[got.ID] = got.Name
			}
			var b store.Batch
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "bn-1", Phone: "+8801799999999", Locale: "bn"}})
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range 4 {
				now = now.Add(time.Minute)
				ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: fmt.Sprint("r", i), Channel: "sms", Phone: fmt.Sprintf("+88017000000%02d", i), Text: "hello", At: now})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
				tk, _ := db.TicketByRef(ctx, ref)
				got = append(got, names[tk.AssigneeID])
			}
			if strings.Join(got, "") != "ABAB" {
				t.Errorf("round robin: %v", got)
			}
			var staff store.Batch // B reads Bengali
			staff.Staff = append(staff.Staff, store.Row[retain.Staff]{V: retain.Staff{ExternalID: "user:b@shop.test", Name: "B", Email: "b@shop.test",
				Role: retain.RoleAgent, CanLogin: true, Locale: "bn"}})
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&staff)); err != nil {
				t.Fatal(err)
			}
			ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: "bn", Channel: "sms", Phone: "+8801799999999", Text: "সাহায্য", At: now})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := core.ConsumeDesk(ctx, db); err != nil {
				t.Fatal(err)
			}
			if tk, _ := db.TicketByRef(ctx, ref); names[tk.AssigneeID] != "B" {
				t.Errorf("the Bengali customer's ticket went to %q", names[tk.AssigneeID])
			}
		})
	}
}

// TestDeskRulesEscalation: a rule gives WhatsApp tickets a tighter first
// response than their priority's; the warning and the breach are the
// assignee's alert and a task for the team's manager (once each, however
// often the detector runs), none for a manager of another team, and none
// at all with escalation off.
func TestDeskRulesEscalation(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Week, p.TimeZone = "always", "UTC"
			p.Targets["normal"] = desk.Target{FirstResponse: 240, NextResponse: 480, Resolution: 1440}
			p.Rules = []desk.Rule{{Channel: "whatsapp", Target: desk.Target{FirstResponse: 30, Resolution: 1440}}}
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			add := func(email string, role retain.Role, team string) int64 {
				u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: email, Name: email, Role: role, Team: team}, "x")
				if err != nil {
					t.Fatal(err)
				}
				return u.ID
			}
			agent, lead, elsewhere := add("a@shop.test", retain.RoleAgent, "Dhaka"), add("lead@shop.test", retain.RoleManager, "Dhaka"),
				add("m2@shop.test", retain.RoleManager, "Sylhet")
			work := core.Work{DB: db}
			open := func(id, channel string) store.TicketRow {
				t.Helper()
				ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: id, Channel: channel, Phone: "+88017111111" + id[len(id)-2:], Text: "hello", At: now})
				if err != nil {
					t.Fatal(err)
				}
				tk, _ := db.TicketByRef(ctx, ref)
				if err := work.UpdateTicket(ctx, retain.System("test"), tk.ID, core.TicketChange{Assignee: agent}); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
				tk, _ = db.Ticket(ctx, tk.ID)
				return tk
			}
			wa, sms := open("wa-01", "whatsapp"), open("sms-02", "sms")
			if !wa.FirstResponseDue.Equal(now.Add(30*time.Minute)) || !sms.FirstResponseDue.Equal(now.Add(4*time.Hour)) {
				t.Fatalf("first response due: whatsapp %v, sms %v", wa.FirstResponseDue, sms.FirstResponseDue)
			}
			for range 2 { // the warning at 24 minutes, then the breach; each twice
				now = now.Add(20 * time.Minute)
				for range 2 {
					if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
						t.Fatal(err)
					}
				}
			}
			for owner, want := range map[int64]int{lead: 2, elsewhere: 0, agent: 0} {
				tasks, err := db.Tasks(ctx, store.TaskFilter{OwnerID: owner})
				if err != nil || len(tasks) != want {
					t.Errorf("owner %d: %d tasks, want %d (%+v)", owner, len(tasks), want, tasks)
				}
			}
			if a, _ := db.Alerts(ctx, store.AlertFilter{Reason: "sla_breach"}); len(a) != 1 || a[0].OwnerID != agent {
				t.Errorf("the breach alert: %+v", a)
			}
			p.Escalate = "none"
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			now = now.Add(4 * time.Hour) // the SMS ticket breaches too
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			if tasks, _ := db.Tasks(ctx, store.TaskFilter{OwnerID: lead}); len(tasks) != 2 {
				t.Errorf("with escalation off, the lead has %d tasks, want still 2", len(tasks))
			}
		})
	}
}

// TestDeskChannelTeams: a new e-mail goes to the Online team (the ticket
// has the team, its agent is the team's); other channels keep the rule's
// pool; a team that does not exist is refused by field.
func TestDeskChannelTeams(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	db.Now = func() time.Time { return now }
	ids := map[string]int64{}
	for _, u := range []store.User{{Email: "shop@x.test", Name: "Shop", Role: "agent", Team: "Shop"}, {Email: "web@x.test", Name: "Web", Role: "agent", Team: "Online"}} {
		got, err := db.AddUser(ctx, retain.System("test"), u, "x")
		if err != nil {
			t.Fatal(err)
		}
		ids[u.Name] = got.ID
	}
	p := desk.DefaultPolicy()
	p.Assign, p.ChannelTeams = "least_open", map[string]string{"email": "Nowhere"}
	err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p)
	if re, ok := err.(*retain.Error); !ok || re.Fields["channel_teams.email"].Text == "" {
		t.Errorf("an unknown team: %v", err)
	}
	p.ChannelTeams = map[string]string{"email": "Online"}
	if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
		t.Fatal(err)
	}
	for i, in := range []core.Inbound{{ID: "m1", Channel: "email", Email: "a@c.test", Text: "hi"}, {ID: "m2", Channel: "email", Email: "b@c.test", Text: "hi"}} {
		now = now.Add(time.Minute)
		in.At = now
		ref, err := core.TakeInbound(ctx, db, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := core.ConsumeDesk(ctx, db); err != nil {
			t.Fatal(err)
		}
		if tk, _ := db.TicketByRef(ctx, ref); tk.AssigneeID != ids["Web"] || tk.Team != "Online" {
			t.Errorf("e-mail %d: assignee %d team %q", i, tk.AssigneeID, tk.Team)
		}
	}
}

// TestDeskTeamHours: a ticket of the Kathmandu team keeps time on the
// team's own Nepal week in Nepal's zone, not the desk's: written on a
// Saturday (Nepal's weekend), its first answer is due on Sunday.
func TestDeskTeamHours(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := storetest.ClockStart(t)
	for now.Weekday() != time.Saturday {
		now = now.Add(24 * time.Hour)
	}
	now = time.Date(now.Year(), now.Month(), now.Day(), 4, 0, 0, 0, time.UTC) // Saturday 09:45 in Kathmandu
	db.Now = func() time.Time { return now }
	if _, err := db.SaveTeam(ctx, retain.System("test"), 0, "Kathmandu"); err != nil {
		t.Fatal(err)
	}
	p := desk.DefaultPolicy()
	p.Week, p.TimeZone = "always", "UTC"
	p.Targets["normal"] = desk.Target{FirstResponse: 60}
	p.TeamHours = map[string]desk.Hours{"Kathmandu": {Week: "nepal", TimeZone: "Asia/Kathmandu"}}
	if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
		t.Fatal(err)
	}
	bad := p
	bad.TeamHours = map[string]desk.Hours{"Kathmandu": {Week: "mars"}}
	if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), bad); err == nil || !strings.Contains(fmt.Sprint(err.(*retain.Error).Fields), "team_hours.Kathmandu.week") {
		t.Errorf("a team's bad week: %v", err)
	}
	open := func(id string, team string) store.TicketRow {
		ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: id, Channel: "sms", Phone: "+97798011" + id, Text: "namaste", At: now})
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := db.TicketByRef(ctx, ref)
		if team != "" {
			if err := (core.Work{DB: db}).UpdateTicket(ctx, retain.System("test"), tk.ID, core.TicketChange{Team: &team}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := core.ConsumeDesk(ctx, db); err != nil {
			t.Fatal(err)
		}
		tk, _ = db.Ticket(ctx, tk.ID)
		return tk
	}
	desk24, ktm := open("00001", ""), open("00002", "Kathmandu")
	zone, _ := time.LoadLocation("Asia/Kathmandu")
	sunday := time.Date(now.Year(), now.Month(), now.Day()+1, 11, 0, 0, 0, zone) // Sunday 10:00 + 1 business hour
	if !desk24.FirstResponseDue.Equal(now.Add(time.Hour)) || !ktm.FirstResponseDue.Equal(sunday) {
		t.Errorf("first answer due: desk %v (want %v), Kathmandu %v (want %v)", desk24.FirstResponseDue, now.Add(time.Hour), ktm.FirstResponseDue, sunday)
	}
	// The team changing later moves the clock too, both ways.
	work, ktmName, none := core.Work{DB: db}, "Kathmandu", ""
	for _, c := range []struct {
		id   int64
		team *string
		want time.Time
	}{{desk24.ID, &ktmName, sunday}, {ktm.ID, &none, now.Add(time.Hour)}} {
		if err := work.UpdateTicket(ctx, retain.System("test"), c.id, core.TicketChange{Team: c.team}); err != nil {
			t.Fatal(err)
		}
		if _, err := core.ConsumeDesk(ctx, db); err != nil {
			t.Fatal(err)
		}
		if tk, _ := db.Ticket(ctx, c.id); !tk.FirstResponseDue.Equal(c.want) {
			t.Errorf("ticket %d after its team changed to %q: due %v, want %v", c.id, *c.team, tk.FirstResponseDue, c.want)
		}
	}
}
