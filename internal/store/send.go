package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Verdicts of BeginSend.
const (
	SendGo         = "send"       // call the gateway
	SendLost       = "lost"       // the claim no longer holds: do nothing
	SendSuppressed = "suppressed" // no consent: recorded, not sent
	SendCapped     = "capped"     // over the frequency cap: recorded, not sent
)

// SendCheck is what BeginSend checks a claimed message against.
type SendCheck struct {
	ID, Fence int64
	// HoldUntil: the lease must last at least until then, i.e. past the
	// gateway call's timeout, or the call is not started.
	HoldUntil time.Time
	CapPerDay int    // messages per customer, channel and local day; 0: no cap
	CapDay    string // the customer's local date, YYYY-MM-DD
}

// BeginSend is the last step before a gateway call, in one transaction:
// the claim must still hold (fence and lease), consent must allow the message
// now (a marketing message needs a granted marketing consent for its channel;
// a transactional one must not be refused), and a marketing message must fit
// its frequency cap. Then the attempt is recorded and committed before the
// call, so a crash mid-call leaves a trace (docs/reliability.md M2–M4, M7, M8).
func (db *DB) BeginSend(ctx context.Context, c SendCheck) (attemptID int64, verdict string, err error) {
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		attemptID, verdict = 0, SendLost
		var customerID int64
		var channel, purpose string
		err := tx.tx.QueryRowContext(ctx, `SELECT customer_id, channel, purpose FROM messages
			WHERE id = $1 AND fence = $2 AND status = 'sending' AND lease_until >= $3`+lock, c.ID, c.Fence, c.HoldUntil.UTC()).
			Scan(&customerID, &channel, &purpose)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: begin send: %w", err)
		}
		// An unsubscribe locks the customer too (SetConsent): it commits
		// wholly before this check or after the attempt is recorded.
		if _, err := tx.exec(ctx, `SELECT 1 FROM customers WHERE id = $1`+lock, customerID); err != nil {
			return fmt.Errorf("store: begin send: %w", err)
		}
		checked := db.Now() // under the customer's lock: orders this check with opt-outs
		ok, err := tx.consentAllows(ctx, customerID, channel, purpose)
		if err != nil {
			return err
		}
		if !ok {
			verdict = SendSuppressed
			return tx.finishClaim(ctx, c.ID, c.Fence, retain.MsgSuppressed, "no "+purpose+" consent for "+channel)
		}
		if c.CapPerDay > 0 && purpose == "marketing" {
			if _, err := tx.exec(ctx, `INSERT INTO send_counters (customer_id, channel, day, sent) VALUES ($1, $2, $3, 0)
				ON CONFLICT (customer_id, channel, day) DO NOTHING`, customerID, channel, c.CapDay); err != nil {
				return fmt.Errorf("store: frequency cap: %w", err)
			}
			res, err := tx.exec(ctx, `UPDATE send_counters SET sent = sent + 1
				WHERE customer_id = $1 AND channel = $2 AND day = $3 AND sent < $4`, customerID, channel, c.CapDay, c.CapPerDay)
			if err != nil {
				return fmt.Errorf("store: frequency cap: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				verdict = SendCapped
				return tx.finishClaim(ctx, c.ID, c.Fence, retain.MsgCapped, fmt.Sprintf("%d %s messages already on %s", c.CapPerDay, channel, c.CapDay))
			}
		}
		if _, err := tx.exec(ctx, `UPDATE message_attempts SET outcome = 'abandoned', finished_at = $2
			WHERE message_id = $1 AND outcome = ''`, c.ID, tx.now); err != nil {
			return fmt.Errorf("store: begin send: %w", err)
		}
		if _, err := tx.exec(ctx, `UPDATE messages SET attempts = attempts + 1, updated_at = $3 WHERE id = $1 AND fence = $2`,
			c.ID, c.Fence, tx.now); err != nil {
			return fmt.Errorf("store: begin send: %w", err)
		}
		if err := tx.tx.QueryRowContext(ctx, `INSERT INTO message_attempts (message_id, fence, started_at) VALUES ($1, $2, $3) RETURNING id`,
			c.ID, c.Fence, checked.UTC()).Scan(&attemptID); err != nil {
			return fmt.Errorf("store: begin send: %w", err)
		}
		verdict = SendGo
		return nil
	})
	return attemptID, verdict, err
}

// consentAllows applies the consent rule. Webhooks go to the business's own
// systems and need none.
func (tx *Tx) consentAllows(ctx context.Context, customerID int64, channel, purpose string) (bool, error) {
	if channel == "webhook" {
		return true, nil
	}
	var granted bool
	err := tx.tx.QueryRowContext(ctx, `SELECT granted FROM consents WHERE customer_id = $1 AND channel = $2 AND purpose = $3`,
		customerID, channel, purpose).Scan(&granted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return purpose == "transactional", nil
	case err != nil:
		return false, fmt.Errorf("store: consent: %w", err)
	}
	return granted, nil
}

// SendResult is how a gateway call ended.
type SendResult struct {
	Status     retain.MessageStatus // sent, queued (retry), failed, dead, unknown
	RetryAt    time.Time            // for queued
	ProviderID string
	Detail     string
	// CapDay, when set, gives the reserved frequency-cap slot back (the
	// message did not go out).
	CapDay string
}

// FinishSend records the outcome of attempt, conditional on the fence: a
// claim that was lost records the attempt but changes nothing else (held
// is false).
func (db *DB) FinishSend(ctx context.Context, id, fence, attemptID int64, r SendResult) (held bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		outcome := r.Status
		if _, err := tx.exec(ctx, `UPDATE message_attempts SET outcome = $2, detail = $3, finished_at = $4 WHERE id = $1`,
			attemptID, outcome, r.Detail, tx.now); err != nil {
			return fmt.Errorf("store: finish send: %w", err)
		}
		var sentAt any
		if r.Status == retain.MsgSent {
			sentAt = tx.now
		}
		due := r.RetryAt
		if due.IsZero() {
			due = tx.now
		}
		res, err := tx.exec(ctx, `UPDATE messages SET status = $3, provider_id = CASE WHEN $4 = '' THEN provider_id ELSE $4 END,
			last_error = $5, due_at = CASE WHEN $3 = 'queued' THEN $6 ELSE due_at END, sent_at = COALESCE($7, sent_at),
			lease_owner = '', lease_until = NULL, updated_at = $8
			WHERE id = $1 AND fence = $2`, id, fence, r.Status, r.ProviderID, errDetail(r), due.UTC(), sentAt, tx.now)
		if err != nil {
			return fmt.Errorf("store: finish send: %w", err)
		}
		n, _ := res.RowsAffected()
		held = n == 1
		if held && r.CapDay != "" {
			if _, err := tx.exec(ctx, `UPDATE send_counters SET sent = sent - 1
				WHERE sent > 0 AND day = $2 AND customer_id = (SELECT customer_id FROM messages WHERE id = $1)
				AND channel = (SELECT channel FROM messages WHERE id = $1)`, id, r.CapDay); err != nil {
				return fmt.Errorf("store: finish send: %w", err)
			}
		}
		return nil
	})
	return held, err
}

func errDetail(r SendResult) string {
	if r.Status == retain.MsgSent {
		return ""
	}
	return r.Detail
}

// ReleaseMessage ends a claim without a gateway call: back to the queue due
// at due (quiet hours), or to a final status (expired, unknown), conditional
// on the fence.
func (db *DB) ReleaseMessage(ctx context.Context, id, fence int64, status retain.MessageStatus, due time.Time, detail string) (held bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		if due.IsZero() {
			due = tx.now
		}
		res, err := tx.exec(ctx, `UPDATE messages SET status = $3, due_at = $4, last_error = $5, lease_owner = '', lease_until = NULL, updated_at = $6
			WHERE id = $1 AND fence = $2 AND status = 'sending'`, id, fence, status, due.UTC(), detail, tx.now)
		if err != nil {
			return fmt.Errorf("store: release message: %w", err)
		}
		n, _ := res.RowsAffected()
		held = n == 1
		if held && status != retain.MsgQueued {
			_, err = tx.exec(ctx, `UPDATE message_attempts SET outcome = $2, finished_at = $3 WHERE message_id = $1 AND outcome = ''`,
				id, status, tx.now)
		}
		return err
	})
	return held, err
}

// WaitForChannel puts a claimed message back as waiting for its channel,
// which is not set up; false when the claim was lost.
func (db *DB) WaitForChannel(ctx context.Context, id, fence int64, why string) (held bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE messages SET status = 'queued', waiting_for = channel, last_error = $3, lease_owner = '', lease_until = NULL,
			updated_at = $4 WHERE id = $1 AND fence = $2 AND status = 'sending'`, id, fence, why, tx.now)
		if err != nil {
			return fmt.Errorf("store: wait for channel: %w", err)
		}
		n, _ := res.RowsAffected()
		held = n == 1
		return nil
	})
	return held, err
}

// ReleaseWaiting lets waiting messages be claimed on the first of the
// channels they wait for that is set up now (configured), and returns how
// many it released.
func (db *DB) ReleaseWaiting(ctx context.Context, configured map[string]bool) (int, error) {
	if len(configured) == 0 {
		return 0, nil
	}
	var waiting int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE waiting_for <> ''`).Scan(&waiting); err != nil {
		return 0, fmt.Errorf("store: waiting messages: %w", err)
	}
	if waiting == 0 { // the common case: no write transaction
		return 0, nil
	}
	released := 0
	err := db.WithTx(ctx, func(tx *Tx) error {
		released = 0
		rows, err := tx.query(ctx, `SELECT id, waiting_for FROM messages WHERE waiting_for <> '' ORDER BY id`)
		if err != nil {
			return err
		}
		type move struct {
			id      int64
			channel string
		}
		var moves []move
		for rows.Next() {
			var id int64
			var wait string
			if err := rows.Scan(&id, &wait); err != nil {
				rows.Close()
				return err
			}
			for _, c := range strings.Split(wait, ",") {
				if configured[c] {
					moves = append(moves, move{id, c})
					break
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range moves {
			if _, err := tx.exec(ctx, `UPDATE messages SET channel = $2, waiting_for = '', last_error = '', updated_at = $3
				WHERE id = $1 AND waiting_for <> ''`, m.id, m.channel, tx.now); err != nil {
				return err
			}
		}
		released = len(moves)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: release waiting messages: %w", err)
	}
	return released, nil
}

func (tx *Tx) finishClaim(ctx context.Context, id, fence int64, status retain.MessageStatus, detail string) error {
	_, err := tx.exec(ctx, `UPDATE messages SET status = $3, last_error = $4, lease_owner = '', lease_until = NULL, updated_at = $5
		WHERE id = $1 AND fence = $2`, id, fence, status, detail, tx.now)
	if err != nil {
		return fmt.Errorf("store: message %d: %w", id, err)
	}
	return nil
}

// SetConsent records a customer's consent for a channel and purpose (an
// unsubscribe, an SMS STOP). It locks the customer row on PostgreSQL, as
// BeginSend does, so no send that checked consent before this commit can
// start after it.
func (db *DB) SetConsent(ctx context.Context, customerID int64, channel, purpose string, granted bool, source string) error {
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `SELECT 1 FROM customers WHERE id = $1`+lock, customerID); err != nil {
			return fmt.Errorf("store: consent: %w", err)
		}
		_, err := tx.exec(ctx, `INSERT INTO consents (customer_id, channel, purpose, granted, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET granted = excluded.granted, source = excluded.source, updated_at = excluded.updated_at`,
			customerID, channel, purpose, granted, source, db.Now().UTC()) // read under the lock, as BeginSend's
		if err != nil {
			return fmt.Errorf("store: consent: %w", err)
		}
		return nil
	})
}

// SendsAfterOptOut counts gateway calls for marketing messages that started
// after the customer withdrew marketing consent on that channel: a
// compliance check that must read 0.
func (db *DB) SendsAfterOptOut(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_attempts a JOIN messages m ON m.id = a.message_id
		JOIN consents c ON c.customer_id = m.customer_id AND c.channel = m.channel AND c.purpose = 'marketing'
		WHERE m.purpose = 'marketing' AND NOT c.granted AND a.started_at > c.updated_at`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: sends after opt-out: %w", err)
	}
	return n, nil
}
