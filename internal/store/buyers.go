package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Customers picked by when they first bought and when they were born.

// FirstBuyer is a customer and when they first ordered.
type FirstBuyer struct {
	ID         int64
	ExternalID string
	First      time.Time
}

// FirstBuyers are the customers whose first order (not cancelled) was
// placed in [since, until), in order of it.
func (db *DB) FirstBuyers(ctx context.Context, since, until time.Time) ([]FirstBuyer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.external_id, MIN(o.placed_at) FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.status <> 'cancelled' GROUP BY c.id, c.external_id HAVING MIN(o.placed_at) >= $1 AND MIN(o.placed_at) < $2 ORDER BY MIN(o.placed_at), c.id`,
		since.UTC(), until.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: first buyers: %w", err)
	}
	defer rows.Close()
	var out []FirstBuyer
	for rows.Next() {
		var b FirstBuyer
		var first nullTime
		if err := rows.Scan(&b.ID, &b.ExternalID, &first); err != nil {
			return nil, fmt.Errorf("store: first buyers: %w", err)
		}
		b.First = first.T
		out = append(out, b)
	}
	return out, rows.Err()
}

// CustomersBornOn are the customers whose "birthday" attribute falls on a
// month and day ("04-14"): a full date (1990-04-14) or the day alone.
func (db *DB) CustomersBornOn(ctx context.Context, monthDay string) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, attributes FROM customers WHERE CAST(attributes AS TEXT) LIKE $1`, `%"birthday"%`)
	if err != nil {
		return nil, fmt.Errorf("store: birthdays: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var attrs string
		if err := rows.Scan(&id, &attrs); err != nil {
			return nil, fmt.Errorf("store: birthdays: %w", err)
		}
		var a map[string]string
		if json.Unmarshal([]byte(attrs), &a) != nil {
			continue
		}
		if b := strings.TrimSpace(a["birthday"]); b == monthDay || strings.HasSuffix(b, "-"+monthDay) && len(b) == 10 {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}
