package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// What detection needs to know about a change or a timer, one type per
// source. Each is read in the detector's transaction, by the ids the change
// log or the timer names.

// Party is the customer behind a signal and what is at stake: their revenue
// over the year before, in the currency of their latest order.
type Party struct {
	CustomerID int64
	Customer   string // name, or external id when there is none
	Revenue    int64
	Currency   string
}

// SurveySignal is a survey answer.
type SurveySignal struct {
	Party
	ID      int64
	Kind    string // nps, csat, ces
	Score   int
	Comment string
	At      time.Time
}

// OrderEventSignal is an order event (returned, refused, delayed, …).
type OrderEventSignal struct {
	Party
	ID     int64
	Type   string
	Reason string
	Order  string // the order's external id
	At     time.Time
}

// TicketSignal is a ticket that was opened.
type TicketSignal struct {
	Party
	ID        int64
	RootCause string
	Subject   string
	Priority  string
	At        time.Time
}

// OrderSignal is an order that was placed.
type OrderSignal struct {
	Party
	ID        int64
	Order     string
	First     bool // the customer's first order that was not cancelled
	Cancelled bool
	Unpaid    bool   // placed and not paid: cash on delivery
	Phone     string // the customer's
	At        time.Time
}

// LateOrderSignal is an order whose expected delivery has passed.
type LateOrderSignal struct {
	Party
	ID         int64
	Order      string
	ExpectedAt time.Time
	Delivered  bool // delivered, refused, returned or cancelled since: no longer late
}

// RenewalSignal is a subscription whose renewal is near.
type RenewalSignal struct {
	Party
	ID       int64
	Plan     string
	External string
	RenewsAt time.Time
	Active   bool
}

// party is the select list of Party for customer alias c; it takes the start
// of the revenue year as $1.
const party = `c.id, COALESCE(NULLIF(c.name, ''), c.external_id),
	(SELECT COALESCE(SUM(o2.total_minor), 0) FROM orders o2 WHERE o2.customer_id = c.id AND o2.status <> 'cancelled' AND o2.placed_at >= $1),
	COALESCE((SELECT o3.currency FROM orders o3 WHERE o3.customer_id = c.id ORDER BY o3.placed_at DESC LIMIT 1), '')`

func (p *Party) dest() []any { return []any{&p.CustomerID, &p.Customer, &p.Revenue, &p.Currency} }

// signals runs a signal query for ids and scans each row with scan.
func (tx *Tx) signals(ctx context.Context, q string, ids []int64, scan func(*sql.Rows) error) error {
	if len(ids) == 0 {
		return nil
	}
	var args []any
	if strings.Contains(q, "$1") { // the revenue year of party
		args = append(args, tx.now.AddDate(-1, 0, 0))
	}
	rows, err := tx.query(ctx, q+` IN (`+idList(ids)+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: signals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("store: signals: %w", err)
		}
	}
	return rows.Err()
}

// SurveySignals reads survey answers by id.
func (tx *Tx) SurveySignals(ctx context.Context, ids []int64) (map[int64]SurveySignal, error) {
	out := make(map[int64]SurveySignal, len(ids))
	err := tx.signals(ctx, `SELECT r.id, r.kind, r.score, r.comment, r.responded_at, `+party+`
		FROM survey_responses r JOIN customers c ON c.id = r.customer_id WHERE r.id`, ids, func(rows *sql.Rows) error {
		var s SurveySignal
		var at nullTime
		if err := rows.Scan(append([]any{&s.ID, &s.Kind, &s.Score, &s.Comment, &at}, s.dest()...)...); err != nil {
			return err
		}
		s.At = at.T
		out[s.ID] = s
		return nil
	})
	return out, err
}

// OrderEventSignals reads order events by id.
func (tx *Tx) OrderEventSignals(ctx context.Context, ids []int64) (map[int64]OrderEventSignal, error) {
	out := make(map[int64]OrderEventSignal, len(ids))
	err := tx.signals(ctx, `SELECT e.id, e.type, e.reason, o.external_id, e.occurred_at, `+party+`
		FROM order_events e JOIN orders o ON o.id = e.order_id JOIN customers c ON c.id = o.customer_id WHERE e.id`, ids, func(rows *sql.Rows) error {
		var s OrderEventSignal
		var at nullTime
		if err := rows.Scan(append([]any{&s.ID, &s.Type, &s.Reason, &s.Order, &at}, s.dest()...)...); err != nil {
			return err
		}
		s.At = at.T
		out[s.ID] = s
		return nil
	})
	return out, err
}

// TicketSignals reads tickets by id.
func (tx *Tx) TicketSignals(ctx context.Context, ids []int64) (map[int64]TicketSignal, error) {
	out := make(map[int64]TicketSignal, len(ids))
	err := tx.signals(ctx, `SELECT t.id, t.root_cause, t.subject, t.priority, t.opened_at, `+party+`
		FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id`, ids, func(rows *sql.Rows) error {
		var s TicketSignal
		var at nullTime
		if err := rows.Scan(append([]any{&s.ID, &s.RootCause, &s.Subject, &s.Priority, &at}, s.dest()...)...); err != nil {
			return err
		}
		s.At = at.T
		out[s.ID] = s
		return nil
	})
	return out, err
}

// OrderSignals reads placed orders by id. An order's revenue at stake is
// not counted (its alerts are lifecycle ones).
func (tx *Tx) OrderSignals(ctx context.Context, ids []int64) (map[int64]OrderSignal, error) {
	out := make(map[int64]OrderSignal, len(ids))
	err := tx.signals(ctx, `SELECT o.id, o.external_id, o.status = 'cancelled', o.status = 'placed', c.phone, o.placed_at,
		NOT EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id AND p.status <> 'cancelled' AND p.id <> o.id
			AND (p.placed_at < o.placed_at OR (p.placed_at = o.placed_at AND p.id < o.id))),
		c.id, COALESCE(NULLIF(c.name, ''), c.external_id), 0, o.currency
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id`, ids, func(rows *sql.Rows) error {
		var s OrderSignal
		var at nullTime
		if err := rows.Scan(append([]any{&s.ID, &s.Order, &s.Cancelled, &s.Unpaid, &s.Phone, &at, &s.First}, s.dest()...)...); err != nil {
			return err
		}
		s.At = at.T
		out[s.ID] = s
		return nil
	})
	return out, err
}

// LateOrderSignal reads the order of a late-delivery timer.
func (tx *Tx) LateOrderSignal(ctx context.Context, orderID int64) (LateOrderSignal, bool, error) {
	var s LateOrderSignal
	found := false
	err := tx.signals(ctx, `SELECT o.id, o.external_id, o.expected_delivery_at,
		o.status IN ('delivered', 'cancelled', 'returned', 'refunded')
		OR EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type IN ('delivered', 'refused', 'returned')),
		c.id, COALESCE(NULLIF(c.name, ''), c.external_id), o.total_minor, o.currency
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id`, []int64{orderID}, func(rows *sql.Rows) error {
		var at nullTime
		found = true
		if err := rows.Scan(append([]any{&s.ID, &s.Order, &at, &s.Delivered}, s.dest()...)...); err != nil {
			return err
		}
		s.ExpectedAt = at.T
		return nil
	})
	return s, found, err
}

// RenewalSignal reads the subscription of a renewal timer.
func (tx *Tx) RenewalSignal(ctx context.Context, subscriptionID int64) (RenewalSignal, bool, error) {
	var s RenewalSignal
	found := false
	err := tx.signals(ctx, `SELECT s.id, s.plan, s.external_id, s.renews_at, s.status = 'active',
		c.id, COALESCE(NULLIF(c.name, ''), c.external_id), s.value_minor, s.currency
		FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.id`, []int64{subscriptionID}, func(rows *sql.Rows) error {
		var at nullTime
		found = true
		if err := rows.Scan(append([]any{&s.ID, &s.Plan, &s.External, &at, &s.Active}, s.dest()...)...); err != nil {
			return err
		}
		s.RenewsAt = at.T
		return nil
	})
	return s, found, err
}

// WakeSnoozedAlert reopens a snoozed alert whose snooze has ended; false
// when it is no longer snoozed, or was snoozed again for longer.
func (tx *Tx) WakeSnoozedAlert(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE alerts SET status = 'open', updated_at = $2 WHERE id = $1 AND status = 'snoozed' AND snoozed_until <= $2`,
		id, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: wake alert %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
