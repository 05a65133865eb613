package store

import (
	"context"
	"fmt"
	"time"
)

// Signal is a survey answer, order event or ticket the detector has not
// looked at yet, with what an alert about it needs.
type Signal struct {
	Source     string // survey, order_event, ticket, order
	SourceID   int64
	CustomerID int64
	Customer   string // name, or external id when there is none
	Kind       string // nps, csat, ces; the order event type; ticket; first_order or order
	Score      int
	Reason     string // return reason, ticket root cause
	Text       string // survey comment, ticket subject
	Priority   string // tickets
	At         time.Time
	// The customer's revenue over the year before At, in the currency of
	// their latest order: the revenue at risk.
	Revenue  int64
	Currency string
}

// NewSignals returns up to limit signals that happened since since and that
// the detector has not marked, oldest first.
func (db *DB) NewSignals(ctx context.Context, since time.Time, limit int) ([]Signal, error) {
	const revenue = `(SELECT COALESCE(SUM(o2.total_minor), 0) FROM orders o2 WHERE o2.customer_id = c.id AND o2.status <> 'cancelled' AND o2.placed_at >= $2),
		COALESCE((SELECT o3.currency FROM orders o3 WHERE o3.customer_id = c.id ORDER BY o3.placed_at DESC LIMIT 1), '')`
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM (
		SELECT 'survey' AS source, r.id, c.id AS cid, COALESCE(NULLIF(c.name, ''), c.external_id), r.kind, r.score, '', r.comment, '', r.responded_at AS at, `+revenue+`
		FROM survey_responses r JOIN customers c ON c.id = r.customer_id
		WHERE r.responded_at >= $1 AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.source = 'survey' AND d.source_id = r.id)
		UNION ALL
		SELECT 'order_event', e.id, c.id, COALESCE(NULLIF(c.name, ''), c.external_id), e.type, 0, e.reason, o.external_id, '', e.occurred_at, `+revenue+`
		FROM order_events e JOIN orders o ON o.id = e.order_id JOIN customers c ON c.id = o.customer_id
		WHERE e.occurred_at >= $1 AND e.type IN ('returned', 'refunded', 'chargeback', 'refused', 'delayed', 'delivered')
			AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.source = 'order_event' AND d.source_id = e.id)
		UNION ALL
		SELECT 'ticket', t.id, c.id, COALESCE(NULLIF(c.name, ''), c.external_id), 'ticket', 0, t.root_cause, t.subject, t.priority, t.opened_at, `+revenue+`
		FROM tickets t JOIN customers c ON c.id = t.customer_id
		WHERE t.opened_at >= $1 AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.source = 'ticket' AND d.source_id = t.id)
		UNION ALL
		SELECT 'order', o.id, c.id, COALESCE(NULLIF(c.name, ''), c.external_id),
			CASE WHEN EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id AND p.status <> 'cancelled' AND p.id <> o.id
				AND (p.placed_at < o.placed_at OR (p.placed_at = o.placed_at AND p.id < o.id))) THEN 'order' ELSE 'first_order' END,
			0, '', o.external_id, '', o.placed_at, 0, o.currency
		FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.placed_at >= $1 AND o.status <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.source = 'order' AND d.source_id = o.id)
		) s ORDER BY at, source, id LIMIT $3`, since.UTC(), since.AddDate(-1, 0, 0).UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: new signals: %w", err)
	}
	defer rows.Close()
	var out []Signal
	for rows.Next() {
		var s Signal
		var at nullTime
		if err := rows.Scan(&s.Source, &s.SourceID, &s.CustomerID, &s.Customer, &s.Kind, &s.Score, &s.Reason, &s.Text, &s.Priority, &at,
			&s.Revenue, &s.Currency); err != nil {
			return nil, fmt.Errorf("store: new signals: %w", err)
		}
		s.At = at.T
		out = append(out, s)
	}
	return out, rows.Err()
}

// MarkDetected records that a signal was looked at (and the alert it
// raised, if any). false: another detector got there first, and the caller's
// transaction should raise nothing for it.
func (tx *Tx) MarkDetected(ctx context.Context, source string, sourceID int64) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO detections (source, source_id, detected_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		source, sourceID, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: mark detected: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LinkDetection names the alert a signal raised.
func (tx *Tx) LinkDetection(ctx context.Context, source string, sourceID, alertID int64) error {
	_, err := tx.exec(ctx, `UPDATE detections SET alert_id = $3 WHERE source = $1 AND source_id = $2`, source, sourceID, alertID)
	return err
}

// LifecycleSignals are the signals a clock makes rather than an event: an
// active subscription renewing within horizon of now (source
// "renewal:DATE", so each renewal is a signal of its own) and an order past
// its expected delivery since since without a delivery (source "late").
// Marked ones are left out.
func (db *DB) LifecycleSignals(ctx context.Context, since, now time.Time, horizon time.Duration, limit int) ([]Signal, error) {
	var out []Signal
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, c.id, COALESCE(NULLIF(c.name, ''), c.external_id), s.plan, s.external_id, s.renews_at, s.value_minor, s.currency
		FROM subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE s.status = 'active' AND s.renews_at > $1 AND s.renews_at <= $2 ORDER BY s.renews_at, s.id LIMIT $3`, now.UTC(), now.Add(horizon).UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: renewals: %w", err)
	}
	for rows.Next() {
		s := Signal{Kind: "renewal"}
		var at nullTime
		if err := rows.Scan(&s.SourceID, &s.CustomerID, &s.Customer, &s.Reason, &s.Text, &at, &s.Revenue, &s.Currency); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: renewals: %w", err)
		}
		s.At, s.Source = at.T, "renewal:"+at.T.Format(time.DateOnly)
		out = append(out, s)
	}
	rows.Close()
	rows, err = db.read.QueryContext(ctx, `SELECT o.id, c.id, COALESCE(NULLIF(c.name, ''), c.external_id), o.external_id, o.expected_delivery_at, o.total_minor, o.currency
		FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.expected_delivery_at >= $1 AND o.expected_delivery_at < $2 AND o.status NOT IN ('delivered', 'cancelled', 'returned', 'refunded')
			AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type IN ('delivered', 'refused', 'returned'))
			AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.source = 'late' AND d.source_id = o.id)
		ORDER BY o.expected_delivery_at, o.id LIMIT $3`, since.UTC(), now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: late orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s := Signal{Source: "late", Kind: "late"}
		var at nullTime
		if err := rows.Scan(&s.SourceID, &s.CustomerID, &s.Customer, &s.Text, &at, &s.Revenue, &s.Currency); err != nil {
			return nil, fmt.Errorf("store: late orders: %w", err)
		}
		s.At = at.T
		out = append(out, s)
	}
	return out, rows.Err()
}
