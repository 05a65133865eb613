package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/retainhq/retain"
)

// GetCustomer returns the customer with the given external id, or ENOTFOUND.
func (db *DB) GetCustomer(ctx context.Context, externalID string) (retain.Customer, error) {
	var c retain.Customer
	var attrs string
	var first nullTime
	err := db.read.QueryRowContext(ctx, `SELECT c.id, c.external_id, c.name, c.email, c.phone, c.locale, c.time_zone, c.stage,
		       COALESCE(s.external_id, ''), CAST(c.attributes AS TEXT), c.first_seen_at, c.created_at, c.updated_at
		FROM customers c LEFT JOIN staff s ON s.id = c.owner_id WHERE c.external_id = $1`, externalID).
		Scan(&c.ID, &c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.Locale, &c.TimeZone, &c.Stage, &c.OwnerRef, &attrs, &first, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, notFound(err, "no customer %q", externalID)
	}
	c.FirstSeenAt, c.CreatedAt, c.UpdatedAt = first.T, c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(attrs), &c.Attributes); err != nil {
		return c, fmt.Errorf("store: customer %q attributes: %w", externalID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT channel, purpose, granted, source, updated_at FROM consents WHERE customer_id = $1 ORDER BY channel, purpose`, c.ID)
	if err != nil {
		return c, fmt.Errorf("store: customer consents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cs retain.Consent
		if err := rows.Scan(&cs.Channel, &cs.Purpose, &cs.Granted, &cs.Source, &cs.At); err != nil {
			return c, fmt.Errorf("store: customer consents: %w", err)
		}
		cs.At = cs.At.UTC()
		c.Consents = append(c.Consents, cs)
	}
	return c, rows.Err()
}
