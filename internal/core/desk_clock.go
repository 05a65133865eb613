package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

// DeskConsumer names the support desk's cursor in the change log. For
// each ticket that opened, moved or got a message it recomputes the SLA
// due times and their timers; for each agent reply it puts the message in
// the outbox, on the ticket's channel. Both commit with the cursor.
const DeskConsumer = "desk"

// Messenger: a desk channel (not one playbooks send on), whose customers
// are known by their page-scoped id.
const channelMessenger retain.Channel = "messenger"

// messengerPrefix begins the external id of a customer known by their
// page-scoped id.
const messengerPrefix = "messenger:"

// MessengerCustomer is the external id of the customer writing to the
// page from a page-scoped id.
func MessengerCustomer(psid string) string { return messengerPrefix + psid }

// whatsAppWindow is how long after a customer's last message WhatsApp
// delivers free text (its customer service window).
const whatsAppWindow = 24 * time.Hour

// deskRun is what one pass of the consumer reads once.
type deskRun struct {
	policy desk.Policy
	cal    desk.Calendar            // the desk's
	teams  map[string]desk.Calendar // teams' with hours of their own
}

// calFor is the calendar a ticket of the team keeps time on.
func (r *deskRun) calFor(team string) *desk.Calendar {
	if c, ok := r.teams[team]; ok {
		return &c
	}
	return &r.cal
}

func newDeskRun(ctx context.Context, db *store.DB) (*deskRun, error) {
	policy, err := DeskPolicy(ctx, db)
	if err != nil {
		return nil, err
	}
	zone, err := BusinessZone(ctx, db)
	if err != nil {
		return nil, err
	}
	cal, teams, err := policy.Calendars(zone)
	if err != nil {
		return nil, fmt.Errorf("desk settings: %w", err)
	}
	return &deskRun{policy: policy, cal: cal, teams: teams}, nil
}

// ConsumeDesk runs the desk consumer up to the end of the change log and
// returns how many changes it took.
func ConsumeDesk(ctx context.Context, db *store.DB) (int, error) {
	if pending, err := db.ChangesPending(ctx, DeskConsumer); err != nil || !pending {
		return 0, err
	}
	run, err := newDeskRun(ctx, db)
	if err != nil {
		return 0, err
	}
	return Consume(ctx, db, Consumer{Name: DeskConsumer, Handle: func(ctx context.Context, tx *store.Tx, changes []store.Change) error {
		tickets := map[int64]bool{}
		var order []int64
		touch := func(id int64) {
			if !tickets[id] {
				tickets[id] = true
				order = append(order, id)
			}
		}
		var messages, opened []int64
		for _, c := range changes {
			switch c.Kind {
			case store.ChangeTicketOpened:
				touch(c.SubjectID)
				opened = append(opened, c.SubjectID)
			case store.ChangeTicketUpdated:
				touch(c.SubjectID)
			case store.ChangeTicketMessage:
				messages = append(messages, c.SubjectID)
			}
		}
		thread, err := tx.TicketMessagesByID(ctx, messages)
		if err != nil {
			return err
		}
		for _, m := range thread {
			touch(m.TicketID)
		}
		states := map[int64]store.SLAState{}
		for _, id := range order {
			st, ok, err := tx.TicketSLA(ctx, id)
			if err != nil {
				return err
			}
			if ok {
				states[id] = st
			}
		}
		for _, id := range opened {
			st, ok := states[id]
			if !ok || st.AssigneeID != 0 || !st.Open() || st.OpenedAt.Before(tx.Now().Add(-store.StaleAfter)) {
				continue
			}
			if states[id], err = run.assign(ctx, tx, st); err != nil {
				return err
			}
		}
		for _, m := range thread {
			if st, ok := states[m.TicketID]; ok && m.Deliver {
				if err := run.send(ctx, tx, st, m); err != nil {
					return err
				}
			}
		}
		for _, id := range order {
			if st, ok := states[id]; ok {
				if err := run.clock(ctx, tx, st); err != nil {
					return err
				}
			}
		}
		return nil
	}})
}

// send puts an agent's reply in the outbox on the ticket's channel. On
// WhatsApp more than 24 hours after the customer last wrote it goes as the
// policy's approved template, or, with none set, by SMS to the same number.
// Channels Retain does not send on (a phone call, a visit) keep the reply
// in the thread only.
func (r *deskRun) send(ctx context.Context, tx *store.Tx, st store.SLAState, m store.ReplyToSend) error {
	msg := retain.Message{IdempotencyKey: "ticket-reply:" + m.ExternalID, CustomerID: st.CustomerID, Purpose: retain.PurposeTransactional,
		Kind: "ticket.reply", Locale: or(st.CustomerLocale, "en"), Body: m.Body}
	switch retain.Channel(st.Channel) {
	case retain.ChannelSMS:
		msg.Channel, msg.Recipient = retain.ChannelSMS, st.CustomerPhone
	case retain.ChannelWhatsApp:
		msg.Channel, msg.Recipient = retain.ChannelWhatsApp, st.CustomerPhone
		if tx.Now().Sub(st.LastCustomerAt) > whatsAppWindow {
			if t := r.policy.WhatsAppTemplate; t != nil {
				msg.Template = &retain.MessageTemplate{Name: t.Name, Language: t.Language}
			} else {
				msg.Channel, msg.Kind = retain.ChannelSMS, "ticket.reply.sms" // no template to reopen the window with
			}
		}
	case channelMessenger:
		if psid, ok := strings.CutPrefix(st.CustomerRef, messengerPrefix); ok {
			msg.Channel, msg.Recipient = channelMessenger, psid
		}
		if tx.Now().Sub(st.LastCustomerAt) > whatsAppWindow {
			// Messenger's window is 24 hours too; a human agent's reply may
			// follow for 7 days with its tag (on Messenger a template names the tag).
			msg.Template = &retain.MessageTemplate{Name: "HUMAN_AGENT"}
		}
	case "web": // the contact form: by e-mail when they gave one, else SMS
		if st.CustomerEmail == "" {
			msg.Channel, msg.Recipient = retain.ChannelSMS, st.CustomerPhone
			break
		}
		fallthrough
	case retain.ChannelEmail:
		msg.Channel, msg.Recipient, msg.Subject = retain.ChannelEmail, st.CustomerEmail, st.Subject
		if !strings.HasPrefix(strings.ToLower(st.Subject), "re:") {
			msg.Subject = "Re: " + st.Subject
		}
		id, err := tx.LatestMailID(ctx, st.ID) // threads under the customer's last e-mail
		if err != nil {
			return err
		}
		msg.InReplyTo = id
	default:
		return nil
	}
	if m.Author == "system" {
		msg.Kind = "ticket.reminder"
	}
	if msg.Recipient == "" {
		return nil // no address on the channel: the thread keeps it, unsent
	}
	id, _, err := tx.EnqueueMessage(ctx, msg)
	if err != nil {
		return err
	}
	return tx.LinkReply(ctx, m.MessageID, id)
}

// The deadlines a clock keeps, by the name their timers carry.
const (
	slaFirst      = "first"
	slaNext       = "next"
	slaResolution = "resolution"
)

// clock recomputes a ticket's due times and sets a timer for each
// deadline still running (and its warning), keyed by the due time: a due
// time that moves gets new timers, and the old ones find it moved.
func (r *deskRun) clock(ctx context.Context, tx *store.Tx, st store.SLAState) error {
	target := r.policy.TargetFor(st.Priority, st.Channel, st.Segment)
	cal := r.calFor(st.WorkingTeam())
	d := desk.Deadline(cal, target, desk.State{Status: st.Status, Opened: st.OpenedAt, FirstResponse: st.FirstResponseAt,
		LastCustomer: st.LastCustomerAt, LastAgent: st.LastAgentAt, PausedAt: st.PausedAt, Resolution: st.ResolutionDue, Now: tx.Now()})
	if !st.Open() {
		d.NextResponse, d.PausedAt = time.Time{}, time.Time{}
	}
	if err := tx.SetTicketDue(ctx, st.ID, store.SLADue{FirstResponse: d.FirstResponse, NextResponse: d.NextResponse,
		Resolution: d.Resolution, PausedAt: d.PausedAt}); err != nil {
		return err
	}
	stale := tx.Now().Add(-store.StaleAfter) // an imported old ticket: no alerts for long-past deadlines
	if st.Status == "pending" && !d.PausedAt.IsZero() && d.PausedAt.After(stale) {
		return r.pendingTimers(ctx, tx, st, d.PausedAt)
	}
	if !st.Open() || st.Status == "pending" {
		return nil
	}
	for _, c := range []struct {
		which      string
		due, start time.Time
		minutes    int
		running    bool
	}{
		{slaFirst, d.FirstResponse, st.OpenedAt, target.FirstResponse, st.FirstResponseAt.IsZero()},
		{slaNext, d.NextResponse, st.LastCustomerAt, target.NextResponse, true},
		{slaResolution, d.Resolution, st.OpenedAt, target.Resolution, true},
	} {
		if c.due.IsZero() || !c.running || c.due.Before(stale) {
			continue
		}
		key := func(kind string) string { return fmt.Sprintf("sla:%d:%s:%s:%d", st.ID, c.which, kind, c.due.Unix()) }
		if err := tx.SetTimer(ctx, store.Timer{Key: key("due"), Kind: store.TimerSLA, SubjectID: st.ID, CustomerID: st.CustomerID, DueAt: c.due}); err != nil {
			return err
		}
		if r.policy.WarnAt <= 0 {
			continue
		}
		warn, ok := cal.Add(c.start, time.Duration(float64(desk.Minutes(c.minutes))*r.policy.WarnAt))
		if ok && warn.Before(c.due) {
			if err := tx.SetTimer(ctx, store.Timer{Key: key("warn"), Kind: store.TimerSLA, SubjectID: st.ID, CustomerID: st.CustomerID, DueAt: warn}); err != nil {
				return err
			}
		}
	}
	return nil
}

// alertCause is a ticket's cause in the alerts' words (the classifier's);
// "other" is none.
var alertCause = map[string]string{"quality": classify.Quality, "price_value": classify.Price, "usability": classify.Usability,
	"service": classify.Service, "delivery": classify.Delivery}

// slaTimer fires an SLA warning or breach: an alert to the ticket's
// assignee (else the customer's owner), when the deadline the timer was
// set for is still the ticket's and still unmet. It returns the ticket's
// state too, for the escalation.
func slaTimer(ctx context.Context, tx *store.Tx, t store.Timer) (retain.Alert, store.SLAState, bool, error) {
	parts := strings.Split(t.Key, ":") // sla:<ticket>:<which>:<warn|due>:<unix>
	if len(parts) != 5 {
		return retain.Alert{}, store.SLAState{}, false, nil
	}
	unix, _ := strconv.ParseInt(parts[4], 10, 64)
	st, ok, err := tx.TicketSLA(ctx, t.SubjectID)
	if err != nil || !ok || !st.Open() || st.Status == "pending" {
		return retain.Alert{}, st, false, err
	}
	due := map[string]time.Time{slaFirst: st.FirstResponseDue, slaNext: st.NextResponse, slaResolution: st.ResolutionDue}[parts[2]]
	if due.IsZero() || due.Unix() != unix || (parts[2] == slaFirst && !st.FirstResponseAt.IsZero()) {
		return retain.Alert{}, st, false, nil // met, or the deadline moved (its new timers speak for it)
	}
	breach := parts[3] == "due"
	a := retain.Alert{CustomerID: st.CustomerID, Type: retain.AlertRisk, Reason: "sla_warning", Severity: retain.SeverityHigh,
		OwnerID: st.AssigneeID, Source: fmt.Sprintf("ticket:%d:%s", st.ID, parts[2]), SignalAt: tx.Now(), DueAt: due,
		RootCause: alertCause[st.RootCause]}
	if breach {
		a.Reason, a.Severity, a.DueAt = "sla_breach", retain.SeverityCritical, tx.Now()
	}
	a.Title = fmt.Sprintf("Ticket %s: %s %s %s", st.ExternalID, strings.ReplaceAll(parts[2], "first", "first response"),
		map[bool]string{true: "was due", false: "is due"}[breach], due.UTC().Format("2006-01-02 15:04 UTC"))
	a.Detail = st.Subject
	a.DetailKey = "alertdetail.sla_" + parts[2]
	a.DetailArgs = map[string]any{"ticket": st.Subject, "due_at": due.UTC().Format(time.RFC3339)}
	return a, st, true, nil
}

// escalate gives each lead of the ticket's team a task about the SLA
// alert, in their language, due when the deadline is (the alert itself is
// the assignee's: an open alert is one per customer and reason). The
// timer's key makes each escalation once.
func (r *deskRun) escalate(ctx context.Context, tx *store.Tx, st store.SLAState, a retain.Alert, alertID int64, key string) error {
	if r.policy.Escalate == "none" {
		return nil
	}
	leads, err := tx.TeamLeads(ctx, st.ID)
	if err != nil {
		return err
	}
	what := "desk.escalated_warning"
	if a.Reason == "sla_breach" {
		what = "desk.escalated_breach"
	}
	titles := map[string]string{}
	for _, lang := range i18n.Languages {
		l := i18n.New(lang, true)
		titles[lang] = l.T(what, "Ticket", st.ExternalID, "Subject", st.Subject, "Due", l.DateTime(a.DueAt, r.calFor(st.WorkingTeam()).Zone))
	}
	for _, lead := range leads {
		if lead.ID == st.AssigneeID {
			continue // the alert is theirs already
		}
		if _, _, err := tx.CreateTask(ctx, retain.Task{IdempotencyKey: fmt.Sprintf("escalate:%s:%d", key, lead.ID), CustomerID: st.CustomerID,
			OwnerID: lead.ID, Title: titles[i18n.Lang(lead.Locale)], Titles: titles, DueAt: a.DueAt, Source: "alert", AlertID: alertID}); err != nil {
			return err
		}
	}
	return nil
}

// pendingTimers set a waiting ticket's reminder to the customer and its
// resolution for want of an answer, keyed by when the wait began: an
// answer ends the wait, and a new wait has timers of its own.
func (r *deskRun) pendingTimers(ctx context.Context, tx *store.Tx, st store.SLAState, paused time.Time) error {
	for _, c := range []struct {
		what string
		days int
	}{{"remind", r.policy.RemindDays}, {"close", r.policy.CloseDays}} {
		if c.days <= 0 {
			continue
		}
		key := fmt.Sprintf("pending:%d:%s:%d", st.ID, c.what, paused.Unix())
		if err := tx.SetTimer(ctx, store.Timer{Key: key, Kind: store.TimerPending, SubjectID: st.ID, CustomerID: st.CustomerID,
			DueAt: paused.AddDate(0, 0, c.days)}); err != nil {
			return err
		}
	}
	return nil
}

// pendingTimer fires a waiting ticket's reminder (a message to the
// customer in their language, on the ticket's channel, kept in the
// thread) or resolves it, when it is still waiting since the same time.
func (r *deskRun) pendingTimer(ctx context.Context, tx *store.Tx, t store.Timer) error {
	parts := strings.Split(t.Key, ":") // pending:<ticket>:<remind|close>:<unix>
	if len(parts) != 4 {
		return nil
	}
	unix, _ := strconv.ParseInt(parts[3], 10, 64)
	st, ok, err := tx.TicketSLA(ctx, t.SubjectID)
	if err != nil || !ok || st.Status != "pending" || st.PausedAt.Unix() != unix {
		return err // answered, or moved on, meanwhile
	}
	var b store.Batch
	switch parts[2] {
	case "remind":
		l := i18n.New(or(st.CustomerLocale, "en"), true)
		text := l.T("desk.pending_reminder")
		if left := r.policy.CloseDays - r.policy.RemindDays; r.policy.CloseDays > 0 && left > 0 {
			text += " " + l.N("desk.pending_closes", int64(left))
		}
		b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{ExternalID: t.Key,
			TicketRef: st.ExternalID, Author: "system", Channel: st.Channel, Body: text, SentAt: tx.Now(), Deliver: true}})
	case "close":
		next := ticketOf(st.TicketRow)
		next.Status, next.ResolvedAt = "resolved", tx.Now()
		b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: next})
	default:
		return nil
	}
	return ingestIn(ctx, tx, &b)
}

// assign gives a new ticket its agent by the policy's rule, through the
// one way in, and returns the ticket as it is then.
func (r *deskRun) assign(ctx context.Context, tx *store.Tx, st store.SLAState) (store.SLAState, error) {
	team := r.policy.TeamFor(st.Channel)
	agents, err := tx.DeskAgents(ctx, team)
	if err != nil {
		return st, err
	}
	candidates := make([]desk.Candidate, len(agents))
	for i, a := range agents {
		candidates[i] = desk.Candidate{ID: a.ID, Locale: a.Locale, Open: a.Open, LastAssigned: a.LastAssigned}
	}
	id, picked := r.policy.Pick(candidates, st.CustomerLocale)
	next := ticketOf(st.TicketRow)
	if st.Team == "" {
		next.Team = team // the channel's team has it, whoever is picked
	}
	if !picked && next.Team == "" {
		return st, nil
	}
	for _, a := range agents {
		if a.ID == id && picked {
			next.AssigneeRef = a.Ref
		}
	}
	var b store.Batch
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: next})
	if err := ingestIn(ctx, tx, &b); err != nil {
		return st, err
	}
	after, _, err := tx.TicketSLA(ctx, st.ID)
	return after, err
}
