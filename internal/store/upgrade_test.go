package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskUpgradeKeepsTickets: migration 17 rebuilds the ticket tables on
// SQLite (a CHECK cannot be altered there). Tickets, their messages (a
// staff author becomes an agent) and the survey invitations that point at
// them survive it, and so do messages and their events (the messages
// table is rebuilt too); foreign keys are enforced again afterwards.
func TestDeskUpgradeKeepsTickets(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "retain.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresDSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = storetest.Clock(t)
			if err := db.MigrateToForTest(ctx, 16); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO customers (id, external_id, created_at, updated_at) VALUES (1, 'c1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
				`INSERT INTO staff (id, external_id, name, role, created_at, updated_at) VALUES (1, 's1', 'Rina', 'agent', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
				`INSERT INTO tickets (id, external_id, customer_id, channel, status, opened_at, created_at, updated_at)
				 VALUES (7, 't7', 1, 'sms', 'pending', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')`,
				`INSERT INTO ticket_messages (external_id, ticket_id, author, staff_id, body, sent_at) VALUES ('t7#1', 7, 'customer', NULL, 'late', '2026-01-02T00:00:00Z')`,
				`INSERT INTO ticket_messages (external_id, ticket_id, author, staff_id, body, sent_at) VALUES ('t7#2', 7, 'staff', 1, 'sorry', '2026-01-02T01:00:00Z')`,
				`INSERT INTO messages (id, idempotency_key, customer_id, channel, purpose, kind, recipient, body, status, due_at, created_for, created_at, updated_at)
				 VALUES (5, 'msg-5', 1, 'sms', 'transactional', 'x', '+8801711000000', 'hi', 'sent', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')`,
				`INSERT INTO message_events (event_id, message_id, status, occurred_at, received_at) VALUES ('ev-5', 5, 'delivered', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')`,
				`INSERT INTO survey_invitations (idempotency_key, token_hash, response_ext, survey_key, survey_version, customer_id, channel, context, ticket_id, created_at, expires_at, updated_at)
				 VALUES ('k', 'h', 'r', 'csat', 1, 1, 'sms', 'ticket', 7, '2026-01-03T00:00:00Z', '2026-02-03T00:00:00Z', '2026-01-03T00:00:00Z')`,
			} {
				if err := db.ExecForTest(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string]int64{
				`SELECT COUNT(*) FROM tickets WHERE id = 7 AND status = 'pending'`:             1,
				`SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = 7`:                     2,
				`SELECT COUNT(*) FROM ticket_messages WHERE author = 'agent' AND staff_id = 1`: 1,
				`SELECT COUNT(*) FROM survey_invitations WHERE ticket_id = 7`:                  1,
				`SELECT COUNT(*) FROM tickets WHERE status = 'on_hold' OR team_id IS NOT NULL`: 0,
			} {
				if n, err := db.QueryIntForTest(ctx, q); err != nil || n != want {
					t.Errorf("%s = %d (%v), want %d", q, n, err, want)
				}
			}
			if err := db.ExecForTest(ctx, `INSERT INTO ticket_messages (external_id, ticket_id, author, body, sent_at) VALUES ('x', 99, 'note', 'x', '2026-01-04T00:00:00Z')`); err == nil {
				t.Error("a message of a ticket that does not exist was accepted: foreign keys are off")
			}
		})
	}
}
