package store

import (
	"context"
	"fmt"
)

// Stamp cards' entries (migration 0021). Every write runs under the
// customer's loyalty account lock (LockLoyalty), so two stamps at once
// cannot both fill the same card.

// StampEntry is stamps given (Stamps > 0) or a full card's reward
// (Stamps < 0, with the coupon it issued).
type StampEntry struct {
	CustomerID int64
	Card       string
	Stamps     int
	Op         string
	OrderID    int64
	StaffID    int64
	CouponID   int64
}

// StampsOn is how many stamps the customer's card holds; the account must
// be locked.
func (tx *Tx) StampsOn(ctx context.Context, customerID int64, card string) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(stamps), 0) FROM loyalty_stamps WHERE customer_id = $1 AND card = $2`,
		customerID, card).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: stamps: %w", err)
	}
	return n, nil
}

// StampOpDone reports whether an operation's stamps are recorded.
func (tx *Tx) StampOpDone(ctx context.Context, op string) (bool, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loyalty_stamps WHERE op = $1`, op).Scan(&n); err != nil {
		return false, fmt.Errorf("store: stamps: %w", err)
	}
	return n > 0, nil
}

// AddStampEntry records an entry; the caller checks StampOpDone first, under
// the lock (the op's unique index refuses a second one).
func (tx *Tx) AddStampEntry(ctx context.Context, e StampEntry) error {
	_, err := tx.exec(ctx, `INSERT INTO loyalty_stamps (customer_id, card, stamps, op, order_id, staff_id, coupon_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.CustomerID, e.Card, e.Stamps, e.Op, nullID(e.OrderID), nullID(e.StaffID), nullID(e.CouponID), tx.now)
	if err != nil {
		return fmt.Errorf("store: stamps: %w", err)
	}
	return nil
}

// Stamps are a customer's cards and the stamps each holds.
func (db *DB) Stamps(ctx context.Context, customerID int64) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT card, SUM(stamps) FROM loyalty_stamps WHERE customer_id = $1 GROUP BY card`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: stamps: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var card string
		var n int
		if err := rows.Scan(&card, &n); err != nil {
			return nil, fmt.Errorf("store: stamps: %w", err)
		}
		out[card] = n
	}
	return out, rows.Err()
}

// OrderItem is a line of an order as a stamp card and earning count it.
type OrderItem struct {
	SKU, Category string
	Quantity      int
	Total         int64 // minor units
}

// OrderItems are an order's lines with their products' SKU and category.
func (tx *Tx) OrderItems(ctx context.Context, orderID int64) ([]OrderItem, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT COALESCE(p.external_id, ''), COALESCE(p.category, ''), l.quantity, l.total_minor
		FROM order_lines l LEFT JOIN products p ON p.id = l.product_id WHERE l.order_id = $1 ORDER BY l.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order items: %w", err)
	}
	defer rows.Close()
	var out []OrderItem
	for rows.Next() {
		var it OrderItem
		if err := rows.Scan(&it.SKU, &it.Category, &it.Quantity, &it.Total); err != nil {
			return nil, fmt.Errorf("store: order items: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// stampChecks are VerifyLoyalty's checks of stamp cards: no card holds
// fewer than no stamps, and every full card's entry is tied to a coupon of
// its customer's.
var stampChecks = []struct{ rule, q string }{
	{"stamps_negative", `SELECT customer_id, 0, SUM(stamps), 0 FROM loyalty_stamps GROUP BY customer_id, card HAVING SUM(stamps) < 0`},
	{"stamps_reward", `SELECT s.customer_id, s.id, s.stamps, 0 FROM loyalty_stamps s
		WHERE s.stamps < 0 AND NOT EXISTS (SELECT 1 FROM coupons c WHERE c.id = s.coupon_id AND c.customer_id = s.customer_id)`},
}
