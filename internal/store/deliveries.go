package store

import (
	"context"
	"fmt"
)

// A phone number's deliveries (internal/delivery): what the cash-on-delivery
// check and the customer's page read.

// deliveryOutcome is an order's delivery outcome (delivery.Refused, …, ""
// for pending), from its events and status.
const deliveryOutcome = `CASE
	WHEN o.status = 'refused' OR EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'refused') THEN 'refused'
	WHEN o.status = 'returned' OR EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'returned') THEN 'returned'
	WHEN o.status = 'delivered' OR EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'delivered') THEN 'delivered'
	ELSE '' END`

// PhoneDeliveries are the outcomes of the orders placed with a phone
// number, by any customer record that has it, newest first (at most the
// last 200), leaving out one order (the one being placed; 0: none).
func (db *DB) PhoneDeliveries(ctx context.Context, phone string, except int64) ([]string, error) {
	return phoneDeliveries(ctx, db.read, phone, except)
}

// PhoneDeliveries is DB.PhoneDeliveries in a transaction.
func (tx *Tx) PhoneDeliveries(ctx context.Context, phone string, except int64) ([]string, error) {
	return phoneDeliveries(ctx, tx.tx, phone, except)
}

func phoneDeliveries(ctx context.Context, q querier, phone string, except int64) ([]string, error) {
	if phone == "" {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+deliveryOutcome+` FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE c.phone = $1 AND o.status <> 'cancelled' AND o.id <> $2 ORDER BY o.placed_at DESC, o.id DESC LIMIT 200`, phone, except)
	if err != nil {
		return nil, fmt.Errorf("store: phone deliveries: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("store: phone deliveries: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
