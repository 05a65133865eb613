package store

import (
	"context"
	"fmt"
	"time"
)

// TimelineItem is one touch on a customer's timeline.
type TimelineItem struct {
	At     time.Time
	Kind   string // order, order_event, interaction, ticket, survey, message
	Type   string // the order event's type, interaction's kind, survey's kind, message's channel
	Text   string
	Detail string
	// Amount and Currency: an order's total, in minor units (formatted by
	// the page in the reader's language).
	Amount   int64
	Currency string
	// TicketID: a ticket's id, for the link to its thread.
	TicketID int64
}

// Timeline lists a customer's touches, newest first: orders and their
// events, calls, visits and notes, tickets, survey answers and messages.
func (db *DB) Timeline(ctx context.Context, customerID int64, limit int) ([]TimelineItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM (
		SELECT o.placed_at AS at, 'order' AS kind, o.status AS type, o.external_id AS text, '' AS detail, o.total_minor AS amount, o.currency AS currency, 0 AS ticket
			FROM orders o WHERE o.customer_id = $1
		UNION ALL
		SELECT e.occurred_at, 'order_event', e.type, o.external_id, e.reason, 0, '', 0 FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.customer_id = $1
		UNION ALL
		SELECT i.occurred_at, 'interaction', i.kind, i.summary, COALESCE((SELECT s.name FROM staff s WHERE s.id = i.staff_id), ''), 0, '', 0 FROM interactions i WHERE i.customer_id = $1
		UNION ALL
		SELECT t.opened_at, 'ticket', t.status, t.subject, t.root_cause, 0, '', t.id FROM tickets t WHERE t.customer_id = $1
		UNION ALL
		SELECT r.responded_at, 'survey', r.kind, CAST(r.score AS TEXT), r.comment, 0, '', 0 FROM survey_responses r WHERE r.customer_id = $1
		UNION ALL
		SELECT m.updated_at, 'message', m.channel, m.body, m.status, 0, '', 0 FROM messages m WHERE m.customer_id = $1
		) tl ORDER BY at DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: timeline: %w", err)
	}
	defer rows.Close()
	var out []TimelineItem
	for rows.Next() {
		var it TimelineItem
		var at nullTime
		if err := rows.Scan(&at, &it.Kind, &it.Type, &it.Text, &it.Detail, &it.Amount, &it.Currency, &it.TicketID); err != nil {
			return nil, fmt.Errorf("store: timeline: %w", err)
		}
		it.At = at.T
		out = append(out, it)
	}
	return out, rows.Err()
}

// LogInteraction records a call, visit or note by a staff member.
func (db *DB) LogInteraction(ctx context.Context, customerID, staffID int64, kind, summary string, at time.Time) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = $1`, customerID).Scan(&one); err != nil {
			return notFound(err, "no customer %d", customerID)
		}
		var staff any // an API key logs a touch by nobody on the staff
		if staffID != 0 {
			staff = staffID
		}
		_, err := tx.exec(ctx, `INSERT INTO interactions (external_id, customer_id, staff_id, kind, direction, summary, occurred_at, created_at)
			VALUES ($1, $2, $3, $4, 'outbound', $5, $6, $7)`, fmt.Sprintf("ui-%d-%d", customerID, tx.now.UnixNano()), customerID, staff, kind,
			summary, at.UTC(), tx.now)
		if err != nil {
			return fmt.Errorf("store: log interaction: %w", err)
		}
		return nil
	})
}

// ScoreHistory is a customer's P(alive), CLV and health in the kept runs,
// oldest first.
func (db *DB) ScoreHistory(ctx context.Context, customerID int64) ([]ScorePoint, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.calibration_end, s.p_alive, s.clv, s.health FROM customer_scores s
		JOIN scoring_runs r ON r.id = s.run_id
		WHERE s.run_id IN (SELECT id FROM scoring_runs WHERE status = 'done' ORDER BY id DESC LIMIT 10) AND s.customer_id = $1
		ORDER BY s.run_id`, customerID) // by the primary key (run, customer), one lookup per kept run
	if err != nil {
		return nil, fmt.Errorf("store: score history: %w", err)
	}
	defer rows.Close()
	var out []ScorePoint
	for rows.Next() {
		var p ScorePoint
		var at nullTime
		if err := rows.Scan(&at, &p.PAlive, &p.CLV, &p.Health); err != nil {
			return nil, err
		}
		p.At = at.T
		out = append(out, p)
	}
	return out, rows.Err()
}

// ScorePoint is one run's scores of a customer.
type ScorePoint struct {
	At                  time.Time
	PAlive, CLV, Health float64
}
