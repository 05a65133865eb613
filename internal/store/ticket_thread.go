package store

import (
	"context"
	"fmt"
)

// Merging and splitting move messages between threads: the one write to a
// thread that is not an append. Both run inside the ingest that records the
// tickets' new states, and log a ticket.updated change for each ticket whose
// thread moved, so the desk consumer recomputes their SLA clocks.

// MergeThread moves every message of ticket from into ticket into, marks
// from as merged there, and hands the chat widget's conversation (if from
// had one and into has none) to into.
func (tx *Tx) MergeThread(ctx context.Context, from, into int64) error {
	if _, err := tx.exec(ctx, `UPDATE ticket_messages SET ticket_id = $2 WHERE ticket_id = $1`, from, into); err != nil {
		return fmt.Errorf("store: merge thread: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE tickets SET widget_token = (SELECT f.widget_token FROM tickets f WHERE f.id = $1)
		WHERE id = $2 AND widget_token = ''`, from, into); err != nil {
		return fmt.Errorf("store: merge thread: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE tickets SET merged_into_id = $2, widget_token = '', updated_at = $3 WHERE id = $1`,
		from, into, tx.now); err != nil {
		return fmt.Errorf("store: merge thread: %w", err)
	}
	return tx.threadMoved(ctx, from, into)
}

// SplitThread moves message msg of ticket from, and every message after
// it, to ticket into (new, and just written by the same ingest).
func (tx *Tx) SplitThread(ctx context.Context, from, msg, into int64) error {
	if _, err := tx.exec(ctx, `UPDATE ticket_messages SET ticket_id = $3
		WHERE ticket_id = $1 AND (sent_at, id) >= (SELECT sent_at, id FROM ticket_messages WHERE id = $2 AND ticket_id = $1)`,
		from, msg, into); err != nil {
		return fmt.Errorf("store: split thread: %w", err)
	}
	return tx.threadMoved(ctx, from, into)
}

// threadMoved sets each ticket's clock facts from the thread it now holds
// (the customer's latest message; the first agent reply, if it had none)
// and logs the change of both.
func (tx *Tx) threadMoved(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		if _, err := tx.exec(ctx, `UPDATE tickets SET
			last_customer_at = COALESCE((SELECT MAX(sent_at) FROM ticket_messages WHERE ticket_id = $1 AND author = 'customer'), last_customer_at),
			first_response_at = COALESCE(first_response_at, (SELECT MIN(sent_at) FROM ticket_messages WHERE ticket_id = $1 AND author = 'agent')),
			updated_at = $2
			WHERE id = $1`, id, tx.now); err != nil {
			return fmt.Errorf("store: thread moved: %w", err)
		}
	}
	return tx.logTicketsUpdated(ctx, ids...)
}

// logTicketsUpdated appends a ticket.updated change for each ticket, for
// a write the merge steps do not see (a thread moved, a link cleared).
func (tx *Tx) logTicketsUpdated(ctx context.Context, ids ...int64) error {
	if tx.db.dialect == Postgres { // the change log's order (see appendChanges)
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7265746171)`); err != nil {
			return fmt.Errorf("store: change log lock: %w", err)
		}
	}
	q, _ := tx.db.render(`INSERT INTO changes (kind, subject_id, customer_id, detail, at, recorded_at)
		SELECT '` + ChangeTicketUpdated + `', id, customer_id, status, {now}, {now} FROM tickets WHERE id IN (` + idList(ids) + `) ORDER BY id`)
	if _, err := tx.exec(ctx, q, tx.now); err != nil {
		return fmt.Errorf("store: ticket changes: %w", err)
	}
	return nil
}
