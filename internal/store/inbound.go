package store

import (
	"context"
	"fmt"
	"time"

	"github.com/retainhq/retain"
)

// DeliveryReport records a gateway's report on a message, once per event
// id (a replayed report changes nothing): delivered or failed. The message
// is found by our idempotency key or the gateway's id.
func (db *DB) DeliveryReport(ctx context.Context, eventID, key, providerID string, status retain.MessageStatus, detail string, at time.Time) (applied bool, err error) {
	if status != retain.MsgDelivered && status != retain.MsgFailed {
		return false, retain.FieldError("status", "%q is not delivered or failed", status)
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE ($1 <> '' AND idempotency_key = $1) OR ($2 <> '' AND provider_id = $2)
			ORDER BY id LIMIT 1`, key, providerID).Scan(&id); err != nil {
			return notFound(err, "no message with key %q or gateway id %q", key, providerID)
		}
		res, err := tx.exec(ctx, `INSERT INTO message_events (event_id, message_id, status, detail, occurred_at, received_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`, eventID, id, status, detail, at.UTC(), tx.now)
		if err != nil {
			return fmt.Errorf("store: delivery report: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // a replay
		}
		applied = true
		// Only a sent (or unknown) message changes: a late "delivered"
		// never revives a failed one, and a failure after delivery is noise.
		_, err = tx.exec(ctx, `UPDATE messages SET status = $2, last_error = CASE WHEN $2 = 'failed' THEN $3 ELSE last_error END, updated_at = $4
			WHERE id = $1 AND status IN ('sent', 'unknown')`, id, status, detail, tx.now)
		return err
	})
	return applied, err
}

// Reply records a customer's reply (SMS, WhatsApp) once per event id; when
// optOut, it withdraws every consent on the channel of the customers with
// this phone number (an SMS STOP: FCC 24-24 treats it as revoking all). It
// returns how many customers opted out, and false for a replayed event.
func (db *DB) Reply(ctx context.Context, eventID, phone, channel, text string, optOut bool) (n int, fresh bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO message_events (event_id, status, detail, occurred_at, received_at)
			VALUES ($1, 'reply', $2, $3, $3) ON CONFLICT (event_id) DO NOTHING`, eventID, text, tx.now)
		if err != nil {
			return fmt.Errorf("store: opt out: %w", err)
		}
		k, _ := res.RowsAffected()
		if fresh = k == 1; !fresh || !optOut {
			return nil
		}
		rows, err := tx.query(ctx, `SELECT id FROM customers WHERE phone = $1 AND phone <> ''`, phone)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return fmt.Errorf("store: opt out: %w", err)
		}
		lock := ""
		if db.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		for _, id := range ids {
			if _, err := tx.exec(ctx, `SELECT 1 FROM customers WHERE id = $1`+lock, id); err != nil {
				return err
			}
			for _, purpose := range []string{"marketing", "transactional"} {
				if _, err := tx.exec(ctx, `INSERT INTO consents (customer_id, channel, purpose, granted, source, updated_at) VALUES ($1, $2, $3, FALSE, $4, $5)
					ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET granted = FALSE, source = excluded.source, updated_at = excluded.updated_at`,
					id, channel, purpose, "reply: "+text, db.Now().UTC()); err != nil {
					return fmt.Errorf("store: opt out: %w", err)
				}
			}
			n++
		}
		return nil
	})
	return n, fresh, err
}

// ForgetReply removes a received reply whose effects failed, so that the
// gateway's retry of the same event id is taken as new.
func (db *DB) ForgetReply(ctx context.Context, eventID string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM message_events WHERE event_id = $1 AND status = 'reply'`, eventID)
		return err
	})
}

// CustomerRefsByPhone are the external ids of the customers with this
// phone number (E.164), usually one. Saying the phone is not empty lets
// the partial index on phone serve (else every customer is scanned: 44
// inbound messages a second at 1,000,000 tickets).
func (db *DB) CustomerRefsByPhone(ctx context.Context, phone string) ([]string, error) {
	return db.refs(ctx, `SELECT external_id FROM customers WHERE phone = $1 AND phone <> '' ORDER BY id`, phone)
}
