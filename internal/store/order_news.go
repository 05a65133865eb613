package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// What an order-status message says of its order, and what it is about.

// OrderNews is what an order-status message says of its order.
type OrderNews struct {
	ExternalID         string
	Total              int64
	Currency           string
	ExpectedDeliveryAt time.Time
	TrackingURL, Rider string // the latest its events gave
}

// OrderNewsOf reads an order for its message, by what started the
// enrollment: "order:ID…" or "order_event:ID…"; false for another cause.
func (db *DB) OrderNewsOf(ctx context.Context, cause string) (OrderNews, bool, error) {
	where, id, ok := orderOfCause(cause)
	if !ok {
		return OrderNews{}, false, nil
	}
	var n OrderNews
	var eta nullTime
	var tracking, rider sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT o.external_id, o.total_minor, o.currency, o.expected_delivery_at,
		(SELECT e.tracking_url FROM order_events e WHERE e.order_id = o.id AND e.tracking_url IS NOT NULL ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1),
		(SELECT e.rider_phone FROM order_events e WHERE e.order_id = o.id AND e.rider_phone IS NOT NULL ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)
		FROM orders o WHERE `+where, id).Scan(&n.ExternalID, &n.Total, &n.Currency, &eta, &tracking, &rider)
	if errors.Is(err, sql.ErrNoRows) {
		return OrderNews{}, false, nil // gone since
	}
	if err != nil {
		return OrderNews{}, false, fmt.Errorf("store: order news: %w", err)
	}
	n.ExpectedDeliveryAt, n.TrackingURL, n.Rider = eta.T, tracking.String, rider.String
	return n, true, nil
}

// orderOfCause reads an enrollment's cause ("order:ID…", "order_event:ID…")
// as a condition on orders o and its argument; false for another cause.
func orderOfCause(cause string) (where string, id int64, ok bool) {
	kind, rest, _ := strings.Cut(cause, ":")
	idText, _, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	switch {
	case err != nil:
		return "", 0, false
	case kind == "order":
		return `o.id = $1`, id, true
	case kind == "order_event":
		return `o.id = (SELECT order_id FROM order_events WHERE id = $1)`, id, true
	}
	return "", 0, false
}

// OrderAbout is what a message caused by an order or an order event is
// about ("order:ID", retain.Message.About); "" for another cause.
func (tx *Tx) OrderAbout(ctx context.Context, cause string) (string, error) {
	where, id, ok := orderOfCause(cause)
	if !ok {
		return "", nil
	}
	var order int64
	err := tx.tx.QueryRowContext(ctx, `SELECT o.id FROM orders o WHERE `+where, id).Scan(&order)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: order about: %w", err)
	}
	return fmt.Sprintf("order:%d", order), nil
}
