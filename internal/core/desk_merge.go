package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Merging joins two conversations a customer started about one thing (an
// e-mail and a WhatsApp message about the same late parcel); splitting
// takes a new subject the customer raised in a thread into a ticket of its
// own. Both keep every message: they move, they are never copied or lost.

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
		if _, err := tx.SplitThread(ctx, t.ID, msg, newID); err != nil {
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
