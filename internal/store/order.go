package store

import (
	"context"
	"time"

	"github.com/retainhq/retain"
)

// StoredOrder is an order as stored, with its bookkeeping times.
type StoredOrder struct {
	retain.Order
	CreatedAt, UpdatedAt time.Time
}

// GetOrder returns the order with the given external id and its lines, or ENOTFOUND.
func (db *DB) GetOrder(ctx context.Context, externalID string) (StoredOrder, error) {
	var o StoredOrder
	var expected nullTime
	err := db.read.QueryRowContext(ctx, `SELECT o.id, o.external_id, c.external_id, o.status, o.channel, o.currency, o.total_minor,
		       o.placed_at, o.expected_delivery_at, o.created_at, o.updated_at
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.external_id = $1`, externalID).
		Scan(&o.ID, &o.ExternalID, &o.CustomerRef, &o.Status, &o.Channel, &o.Currency, &o.Total, &o.PlacedAt, &expected, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return o, notFound(err, "no order %q", externalID)
	}
	o.HasTotal = true
	o.PlacedAt, o.ExpectedDeliveryAt, o.CreatedAt, o.UpdatedAt = o.PlacedAt.UTC(), expected.T, o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	rows, err := db.read.QueryContext(ctx, `SELECT l.external_id, COALESCE(p.external_id, ''), l.name, COALESCE(p.category, ''),
		       l.quantity, l.unit_price_minor, l.total_minor
		FROM order_lines l LEFT JOIN products p ON p.id = l.product_id WHERE l.order_id = $1 ORDER BY l.id`, o.ID)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		var l retain.OrderLine
		if err := rows.Scan(&l.ExternalID, &l.SKU, &l.Name, &l.Category, &l.Quantity, &l.UnitPrice, &l.Total); err != nil {
			return o, err
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}
