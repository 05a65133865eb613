package core

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// What staff do to conversations besides answering them. Merging joins
// two a customer started about one thing (an e-mail and a WhatsApp message
// about the same late parcel); splitting takes a new subject the customer
// raised in a thread into a ticket of its own — both keep every message:
// they move, never copied or lost. Logging writes down a call or a visit,
// which comes in like any inbound message.

// MergeTicket moves ticket from's whole thread into ticket into, and
// closes from as merged into it. Both must be the same customer's (two
// records of one person are merged as customers first); replies then go on
// into's channel. A ticket already merged, or merged into, cannot be
// merged again; into must not be closed.
func (w Work) MergeTicket(ctx context.Context, a retain.Actor, from, into int64) error {
	if err := a.Require(retain.PermTicketsWork); err != nil {
		return err
	}
	if from == into {
		return retain.FieldError("into", "is the ticket itself")
	}
	src, err := w.DB.Ticket(ctx, from)
	if err != nil {
		return err
	}
	dst, err := w.DB.Ticket(ctx, into)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return retain.FieldError("into", "no ticket %d", into)
	}
	if err != nil {
		return err
	}
	switch {
	case src.MergedIntoID != 0:
		return retain.Errorf(retain.ECONFLICT, "ticket %s is already merged", src.ExternalID)
	case dst.MergedIntoID != 0 || dst.Status == "closed":
		return retain.FieldError("into", "ticket %s is merged or closed", dst.ExternalID)
	case dst.CustomerID != src.CustomerID:
		return retain.FieldError("into", "ticket %s is another customer's", dst.ExternalID)
	}
	closed := ticketOf(src)
	closed.Status, closed.ResolvedAt = "closed", src.ResolvedAt
	if src.Open() {
		closed.ResolvedAt = w.DB.Now()
	}
	var b store.Batch
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: closed})
	in := Rows(&b)
	in.With = func(tx *store.Tx) error {
		if err := tx.MergeThread(ctx, src.ID, dst.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "ticket.merge", fmt.Sprintf("ticket:%d", src.ID), fmt.Sprintf("into=ticket:%d", dst.ID))
	}
	_, err = Ingest(ctx, w.DB, retain.System("desk"), in)
	return err
}

// SplitTicket moves message msg (by its id in the thread) and every later
// message of ticket id into a new ticket of the same customer, channel,
// priority, assignee, team and tags, opened when that message was written,
// and returns the new ticket's external id. The thread's first message
// stays: splitting there would leave the ticket empty.
func (w Work) SplitTicket(ctx context.Context, a retain.Actor, id, msg int64) (string, error) {
	if err := a.Require(retain.PermTicketsWork); err != nil {
		return "", err
	}
	t, err := w.DB.Ticket(ctx, id)
	if err != nil {
		return "", err
	}
	thread, err := w.DB.Thread(ctx, id)
	if err != nil {
		return "", err
	}
	at := slices.IndexFunc(thread, func(m store.ThreadMessage) bool { return m.ID == msg })
	switch {
	case t.MergedIntoID != 0:
		return "", retain.Errorf(retain.ECONFLICT, "ticket %s is merged", t.ExternalID)
	case at < 0:
		return "", retain.FieldError("message", "no message %d in ticket %s", msg, t.ExternalID)
	case at == 0:
		return "", retain.FieldError("message", "is the ticket's first message")
	}
	m := thread[at]
	var suffix [3]byte
	rand.Read(suffix[:]) // never fails (crypto/rand)
	next := ticketOf(t)
	next.ExternalID = fmt.Sprintf("%s-%x", t.ExternalID, suffix)
	next.Subject = or(subjectOf(m.Body), t.Subject)
	next.Status, next.OpenedAt, next.FirstResponseAt = "open", m.SentAt, firstBy(thread[at:], "agent")
	if next.FirstResponseAt.IsZero() {
		next.Status = "new"
	}
	next.Tags, next.Team, next.OrderRef = t.Tags, t.Team, t.OrderRef
	if err := next.Validate().Err(); err != nil {
		return "", err
	}
	var b store.Batch
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: next})
	in := Rows(&b)
	in.With = func(tx *store.Tx) error {
		newID, err := tx.TicketID(ctx, next.ExternalID)
		if err != nil {
			return err
		}
		if err := tx.SplitThread(ctx, t.ID, msg, newID); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "ticket.split", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("message=%d new=ticket:%d", msg, newID))
	}
	_, err = Ingest(ctx, w.DB, retain.System("desk"), in)
	return next.ExternalID, err
}

// firstBy is when the first of the messages by author was written; zero:
// none was.
func firstBy(thread []store.ThreadMessage, author string) (t time.Time) {
	for _, m := range thread {
		if m.Author == author {
			return m.SentAt
		}
	}
	return t
}

// LoggedContact is what a staff member writes down of a customer's call or
// visit (or of a message that reached them some other way).
type LoggedContact struct {
	Channel  string // phone, in_store, or any other ticket channel
	Customer string // the customer's external id, when known; else Contact
	Contact  string // a phone number or an e-mail address
	Name     string // for a customer not yet known
	Subject  string
	Text     string // what the customer said
	Priority string // of a new ticket; default normal
}

// LogTicket records a call or a visit as the customer's words in the desk:
// it continues their conversation on that channel, or opens a ticket —
// with the priority given, assigned to whoever logged it — and returns the
// ticket's external id. Problems name the form's fields.
func (w Work) LogTicket(ctx context.Context, a retain.Actor, m LoggedContact) (string, error) {
	if err := a.Require(retain.PermTicketsWork); err != nil {
		return "", err
	}
	if m.Priority != "" && !slices.Contains(retain.TicketPriorities, m.Priority) {
		return "", retain.FieldError("priority", "%q is not one of %v", m.Priority, retain.TicketPriorities)
	}
	in := Inbound{Channel: m.Channel, Name: strings.TrimSpace(m.Name), Subject: cutRunes(strings.TrimSpace(m.Subject), 200),
		Text: strings.TrimSpace(m.Text), At: w.DB.Now()}
	var id [8]byte
	rand.Read(id[:]) // never fails (crypto/rand)
	in.ID = fmt.Sprintf("staff:%x", id)
	if m.Customer != "" {
		if _, err := w.DB.GetCustomer(ctx, m.Customer); err != nil {
			if retain.ErrorCode(err) == retain.ENOTFOUND {
				return "", retain.FieldError("customer_id", "no customer %q", m.Customer)
			}
			return "", err
		}
		in.Customer = m.Customer
	} else if err := in.contact(ctx, w.DB, m.Contact, ""); err != nil {
		return "", err
	}
	b, ticket, err := inboundBatch(ctx, w.DB, in, "")
	if err != nil {
		return "", err
	}
	staff, err := w.DB.StaffRef(ctx, a.ID)
	if err != nil && a.Kind == retain.ActorStaff {
		return "", err
	}
	for i := range b.Tickets { // a new ticket: the one who took the call has it
		b.Tickets[i].V.AssigneeRef, b.Tickets[i].V.Priority = staff, cmp.Or(m.Priority, "normal")
	}
	input := Rows(b)
	input.With = func(tx *store.Tx) error {
		return tx.Audit(ctx, a, "ticket.log", "ticket:"+ticket, in.Channel)
	}
	_, err = Ingest(ctx, w.DB, retain.System("desk"), input)
	return ticket, err
}
