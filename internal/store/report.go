package store

import (
	"context"
	"fmt"
	"time"
)

// Summary is the database at a glance, for `retain report`.
type Summary struct {
	Customers         int64            `json:"customers"`
	Orders            int64            `json:"orders"`
	OrderLines        int64            `json:"order_lines"`
	OrderEvents       int64            `json:"order_events"`
	OrderEventsByType map[string]int64 `json:"order_events_by_type"`
	Products          int64            `json:"products"`
	Tickets           int64            `json:"tickets"`
	OpenTickets       int64            `json:"open_tickets"`
	SurveyResponses   int64            `json:"survey_responses"`
	Staff             int64            `json:"staff"`
	Subscriptions     int64            `json:"subscriptions"`
	Interactions      int64            `json:"interactions"`
	Events            int64            `json:"events"`
	Buyers            int64            `json:"buyers"`
	RepeatCustomers   int64            `json:"repeat_customers"`
	RepeatRate        float64          `json:"repeat_purchase_rate"`
	Revenue           []Revenue        `json:"revenue"`
	FirstOrderAt      *time.Time       `json:"first_order_at"`
	LastOrderAt       *time.Time       `json:"last_order_at"`
}

// Revenue is the order total in one currency.
type Revenue struct {
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Orders   int64  `json:"orders"`
}

// HasCustomers says whether any customer is stored, without counting them.
func (db *DB) HasCustomers(ctx context.Context) (bool, error) {
	var exists bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM customers)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("store: has customers: %w", err)
	}
	return exists, nil
}

// Summary counts what the database holds.
func (db *DB) Summary(ctx context.Context) (*Summary, error) {
	s := &Summary{OrderEventsByType: map[string]int64{}}
	counts := []struct {
		dst *int64
		sql string
	}{
		{&s.Customers, `SELECT COUNT(*) FROM customers`},
		{&s.Orders, `SELECT COUNT(*) FROM orders`},
		{&s.OrderLines, `SELECT COUNT(*) FROM order_lines`},
		{&s.OrderEvents, `SELECT COUNT(*) FROM order_events`},
		{&s.Products, `SELECT COUNT(*) FROM products`},
		{&s.Tickets, `SELECT COUNT(*) FROM tickets`},
		{&s.OpenTickets, `SELECT COUNT(*) FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold')`},
		{&s.SurveyResponses, `SELECT COUNT(*) FROM survey_responses`},
		{&s.Staff, `SELECT COUNT(*) FROM staff`},
		{&s.Subscriptions, `SELECT COUNT(*) FROM subscriptions`},
		{&s.Interactions, `SELECT COUNT(*) FROM interactions`},
		{&s.Events, `SELECT COUNT(*) FROM events`},
		{&s.Buyers, `SELECT COUNT(DISTINCT customer_id) FROM orders`},
		// A repeat customer has orders on at least two different days, the
		// same rule the analytics use (same-day orders merge into one purchase).
		{&s.RepeatCustomers, `SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id
		                      HAVING MIN(placed_at) < MAX(placed_at) AND COUNT(*) > 1) r`},
	}
	for _, c := range counts {
		if err := db.read.QueryRowContext(ctx, c.sql).Scan(c.dst); err != nil {
			return nil, fmt.Errorf("store: summary: %w", err)
		}
	}
	if s.Buyers > 0 {
		s.RepeatRate = float64(s.RepeatCustomers) / float64(s.Buyers)
	}
	var first, last nullTime
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(placed_at), MAX(placed_at) FROM orders`).Scan(&first, &last); err != nil {
		return nil, fmt.Errorf("store: summary: %w", err)
	}
	if !first.T.IsZero() {
		s.FirstOrderAt, s.LastOrderAt = &first.T, &last.T
	}
	rows, err := db.read.QueryContext(ctx, `SELECT currency, SUM(total_minor), COUNT(*) FROM orders GROUP BY currency ORDER BY currency`)
	if err != nil {
		return nil, fmt.Errorf("store: summary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Revenue
		if err := rows.Scan(&r.Currency, &r.Minor, &r.Orders); err != nil {
			return nil, fmt.Errorf("store: summary: %w", err)
		}
		s.Revenue = append(s.Revenue, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: summary: %w", err)
	}
	evs, err := db.read.QueryContext(ctx, `SELECT type, COUNT(*) FROM order_events GROUP BY type`)
	if err != nil {
		return nil, fmt.Errorf("store: summary: %w", err)
	}
	defer evs.Close()
	for evs.Next() {
		var t string
		var n int64
		if err := evs.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("store: summary: %w", err)
		}
		s.OrderEventsByType[t] = n
	}
	return s, evs.Err()
}
