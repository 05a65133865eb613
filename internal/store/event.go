package store

import (
	"context"
	"fmt"
)

// RawEvent is an event as received by the API.
type RawEvent struct {
	EventID string
	Type    string
	Payload []byte // JSON
}

// RecordEvents stores events whose ids are new and reports which were new.
// Called inside the transaction that applies their effects, it is what makes
// a repeated event id a no-op: a concurrent duplicate waits on the unique
// index and then finds the id taken.
func (tx *Tx) RecordEvents(ctx context.Context, apiKeyID int64, evs []RawEvent) (map[string]bool, error) {
	fresh := make(map[string]bool, len(evs))
	for _, e := range evs {
		res, err := tx.exec(ctx, `INSERT INTO events (event_id, type, payload, api_key_id, received_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (event_id) DO NOTHING`, e.EventID, e.Type, string(e.Payload), apiKeyID, tx.now)
		if err != nil {
			return nil, fmt.Errorf("store: record event %s: %w", e.EventID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			fresh[e.EventID] = true
		}
	}
	return fresh, nil
}
