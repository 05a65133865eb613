package store

import (
	"context"
	"fmt"
	"time"
)

// The change log. ApplyStaged appends a typed row for every entity a batch
// creates (and for the updates consumers care about) in the batch's own
// transaction, set-based: a handful of INSERT … SELECT statements however
// large the batch. Consumers read it in id order after their cursor.
//
// Ids must become visible in order, or a consumer could move its cursor past
// an id that commits later. SQLite has one writer, so they do; on PostgreSQL
// the append takes a transaction-scoped advisory lock as the batch's last
// step, so appends (and their commits) follow one another.

// Change kinds.
const (
	ChangeCustomerCreated     = "customer.created"
	ChangeOrderPlaced         = "order.placed"
	ChangeOrderEvent          = "order.event" // Detail: the event type
	ChangeTicketOpened        = "ticket.opened"
	ChangeTicketUpdated       = "ticket.updated" // Detail: the new status
	ChangeTicketMessage       = "ticket.message" // Detail: the author
	ChangeSurveyAnswered      = "survey.answered"
	ChangeSubscriptionChanged = "subscription.changed" // Detail: the status
	ChangeInteractionLogged   = "interaction.logged"
	// The loyalty ledger's news, appended by the writes themselves.
	ChangePointsEarned      = "points.earned"      // SubjectID: the earn entry; Detail: what earned it (order, first_order, birthday, survey, review, visit, referral)
	ChangeTierChanged       = "tier.changed"       // SubjectID: the customer; Detail: up or down
	ChangeReferralCompleted = "referral.completed" // SubjectID: the referral; CustomerID: the referrer
)

// Change is one row of the change log.
type Change struct {
	ID         int64
	Kind       string
	SubjectID  int64 // the row in the table the kind names
	CustomerID int64
	Detail     string
	At         time.Time // when it happened
}

// changeSource says how the new rows of one table become changes: the
// table's newest id before the merge is remembered, and every row above it
// that this transaction wrote is a change.
type changeSource struct {
	table, kind, customer, detail, at string
	join                              string // to reach the customer
	staged                            func(Staged) bool
}

var changeSources = []changeSource{
	{table: "customers", kind: ChangeCustomerCreated, customer: "t.id", detail: "''", at: "COALESCE(t.first_seen_at, t.created_at)",
		staged: func(s Staged) bool { return len(s.custKeys) > 0 }},
	{table: "orders", kind: ChangeOrderPlaced, customer: "t.customer_id", detail: "t.status", at: "t.placed_at",
		staged: func(s Staged) bool { return len(s.orders) > 0 }},
	{table: "order_events", kind: ChangeOrderEvent, customer: "o.customer_id", detail: "t.type", at: "t.occurred_at",
		join: "JOIN orders o ON o.id = t.order_id", staged: func(s Staged) bool { return len(s.orderEvents) > 0 }},
	{table: "tickets", kind: ChangeTicketOpened, customer: "t.customer_id", detail: "t.status", at: "t.opened_at",
		staged: func(s Staged) bool { return len(s.tickets) > 0 }},
	{table: "ticket_messages", kind: ChangeTicketMessage, customer: "k.customer_id", detail: "t.author", at: "t.sent_at",
		join: "JOIN tickets k ON k.id = t.ticket_id", staged: func(s Staged) bool { return len(s.ticketMsgs) > 0 }},
	{table: "survey_responses", kind: ChangeSurveyAnswered, customer: "t.customer_id", detail: "t.kind", at: "t.responded_at",
		staged: func(s Staged) bool { return len(s.surveys) > 0 }},
	{table: "subscriptions", kind: ChangeSubscriptionChanged, customer: "t.customer_id", detail: "t.status", at: "t.started_at",
		staged: func(s Staged) bool { return len(s.subs) > 0 }},
	{table: "interactions", kind: ChangeInteractionLogged, customer: "t.customer_id", detail: "t.kind", at: "t.occurred_at",
		staged: func(s Staged) bool { return len(s.inters) > 0 }},
}

// changeMarks are the tables' newest ids before a merge, and whether the
// batch staged updates that are changes (stage_changed has rows).
type changeMarks struct {
	ids     map[string]int64
	updates bool
}

// markChanges remembers, before the merge, each table's newest id, and
// stages the updates that are changes: a ticket whose status, priority,
// first response or resolution moves, a subscription whose status, plan,
// value or renewal date moves, a survey answer whose score or comment
// moves (a comment that follows a one-tap score is news: its cause).
func (tx *Tx) markChanges(ctx context.Context, st Staged) (changeMarks, error) {
	marks := changeMarks{ids: map[string]int64{}, updates: len(st.tickets)+len(st.subs)+len(st.surveys) > 0}
	for _, src := range changeSources {
		if !src.staged(st) {
			continue
		}
		var id int64
		if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+src.table).Scan(&id); err != nil {
			return changeMarks{}, fmt.Errorf("store: change log mark %s: %w", src.table, err)
		}
		marks.ids[src.table] = id
	}
	if len(st.tickets) > 0 {
		if _, err := tx.exec(ctx, `INSERT INTO stage_changed (kind, subject_id)
			SELECT '`+ChangeTicketUpdated+`', t.id FROM stage_tickets s JOIN tickets t ON t.external_id = s.external_id
			WHERE s.status IS DISTINCT FROM t.status OR s.priority IS DISTINCT FROM t.priority
			   OR (s.team IS NOT NULL AND (SELECT tm.id FROM teams tm WHERE tm.name = s.team) IS DISTINCT FROM t.team_id)
			   OR (s.first_response_at IS NOT NULL AND t.first_response_at IS NULL)
			   OR (s.resolved_at IS NOT NULL AND t.resolved_at IS NULL)`); err != nil {
			return changeMarks{}, fmt.Errorf("store: change log tickets: %w", err)
		}
	}
	if len(st.subs) > 0 {
		if _, err := tx.exec(ctx, `INSERT INTO stage_changed (kind, subject_id)
			SELECT '`+ChangeSubscriptionChanged+`', t.id FROM stage_subscriptions s JOIN subscriptions t ON t.external_id = s.external_id
			WHERE (s.status IS NOT NULL AND s.status IS DISTINCT FROM t.status) OR s.plan IS DISTINCT FROM t.plan
			   OR s.value_minor IS DISTINCT FROM t.value_minor
			   OR (s.renews_at IS NOT NULL AND s.renews_at IS DISTINCT FROM t.renews_at)`); err != nil {
			return changeMarks{}, fmt.Errorf("store: change log subscriptions: %w", err)
		}
	}
	if len(st.surveys) > 0 {
		if _, err := tx.exec(ctx, `INSERT INTO stage_changed (kind, subject_id)
			SELECT '`+ChangeSurveyAnswered+`', t.id FROM stage_surveys s JOIN survey_responses t ON t.external_id = s.external_id
			WHERE s.score IS DISTINCT FROM t.score OR (s.comment IS NOT NULL AND s.comment <> '' AND s.comment IS DISTINCT FROM t.comment)`); err != nil {
			return changeMarks{}, fmt.Errorf("store: change log survey answers: %w", err)
		}
	}
	return marks, nil
}

// appendChanges writes the change rows of a merged batch. It is the batch's
// last statement (see the comment at the top of this file).
func (tx *Tx) appendChanges(ctx context.Context, marks changeMarks) error {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7265746171)`); err != nil {
			return fmt.Errorf("store: change log lock: %w", err)
		}
	}
	// On PostgreSQL a row above the mark may also be another transaction's,
	// committed since the mark was read: only this transaction's rows count.
	mine := ""
	if tx.db.dialect == Postgres {
		mine = " AND t.xmin = pg_current_xact_id()::xid"
	}
	for _, src := range changeSources {
		mark, ok := marks.ids[src.table]
		if !ok {
			continue
		}
		q, _ := tx.db.render(`INSERT INTO changes (kind, subject_id, customer_id, detail, at, recorded_at)
			SELECT '` + src.kind + `', t.id, ` + src.customer + `, ` + src.detail + `, ` + src.at + `, {now}
			FROM ` + src.table + ` t ` + src.join + ` WHERE t.id > $2` + mine + ` ORDER BY t.id`)
		if _, err := tx.exec(ctx, q, tx.now, mark); err != nil {
			return fmt.Errorf("store: change log %s: %w", src.table, err)
		}
	}
	if !marks.updates {
		return nil
	}
	q, _ := tx.db.render(`INSERT INTO changes (kind, subject_id, customer_id, detail, at, recorded_at)
		SELECT c.kind, c.subject_id, COALESCE(t.customer_id, s.customer_id, r.customer_id), COALESCE(t.status, s.status, r.kind), {now}, {now}
		FROM stage_changed c LEFT JOIN tickets t ON c.kind = '` + ChangeTicketUpdated + `' AND t.id = c.subject_id
		LEFT JOIN subscriptions s ON c.kind = '` + ChangeSubscriptionChanged + `' AND s.id = c.subject_id
		LEFT JOIN survey_responses r ON c.kind = '` + ChangeSurveyAnswered + `' AND r.id = c.subject_id
		ORDER BY c.subject_id`)
	if _, err := tx.exec(ctx, q, tx.now); err != nil {
		return fmt.Errorf("store: change log updates: %w", err)
	}
	return nil
}

// AppendChange writes one change that no batch made: what the loyalty
// ledger did, for the consumers after it. It takes the batches' lock on
// PostgreSQL (see the top of this file), so it belongs at the end of its
// transaction.
func (tx *Tx) AppendChange(ctx context.Context, c Change) error {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7265746171)`); err != nil {
			return fmt.Errorf("store: change log lock: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `INSERT INTO changes (kind, subject_id, customer_id, detail, at, recorded_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		c.Kind, c.SubjectID, c.CustomerID, c.Detail, tx.now); err != nil {
		return fmt.Errorf("store: change %s: %w", c.Kind, err)
	}
	return nil
}

// Changes returns up to limit changes after position, in order.
func (tx *Tx) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	rows, err := tx.query(ctx, `SELECT id, kind, subject_id, COALESCE(customer_id, 0), detail, at FROM changes
		WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at nullTime
		if err := rows.Scan(&c.ID, &c.Kind, &c.SubjectID, &c.CustomerID, &c.Detail, &at); err != nil {
			return nil, fmt.Errorf("store: changes: %w", err)
		}
		c.At = at.T
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChangesPending reports, with a read and no write transaction, whether
// the change log has anything after the named consumer's cursor: an idle
// consumer costs one cheap query a pass.
func (db *DB) ChangesPending(ctx context.Context, name string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM changes
		WHERE id > COALESCE((SELECT position FROM consumer_cursors WHERE name = $1), 0) LIMIT 1) p`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: changes pending: %w", err)
	}
	return n > 0, nil
}

// Cursor returns a consumer's position, creating it at 0, and holds it (on
// PostgreSQL, a row lock) until the transaction ends, so two processes
// running the same consumer take turns.
func (tx *Tx) Cursor(ctx context.Context, name string) (int64, error) {
	if _, err := tx.exec(ctx, `INSERT INTO consumer_cursors (name, position, updated_at) VALUES ($1, 0, $2)
		ON CONFLICT (name) DO NOTHING`, name, tx.now); err != nil {
		return 0, fmt.Errorf("store: cursor %s: %w", name, err)
	}
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var pos int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT position FROM consumer_cursors WHERE name = $1`+lock, name).Scan(&pos); err != nil {
		return 0, fmt.Errorf("store: cursor %s: %w", name, err)
	}
	return pos, nil
}

// AdvanceCursor moves a consumer from position from to to. false: the
// cursor was not at from (another process consumed meanwhile), and the
// caller must roll its effects back.
func (tx *Tx) AdvanceCursor(ctx context.Context, name string, from, to int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE consumer_cursors SET position = $3, updated_at = $4 WHERE name = $1 AND position = $2`,
		name, from, to, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: advance cursor %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ConsumerLag is one consumer's position and how many changes it has still
// to read.
type ConsumerLag struct {
	Name     string
	Position int64
	Behind   int64
}

// ConsumerLags lists the consumers with their lag behind the change log.
func (db *DB) ConsumerLags(ctx context.Context) ([]ConsumerLag, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, position, (SELECT COUNT(*) FROM changes c WHERE c.id > position)
		FROM consumer_cursors ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: consumers: %w", err)
	}
	defer rows.Close()
	var out []ConsumerLag
	for rows.Next() {
		var l ConsumerLag
		if err := rows.Scan(&l.Name, &l.Position, &l.Behind); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// KeepChanges is how long consumed changes and fired timers are kept (for
// looking into what happened) before the prune job deletes them.
const KeepChanges = 30 * 24 * time.Hour

// PruneChangeLog deletes the changes every consumer has read that were
// recorded more than keep ago, and timers that fired more than keep ago, and
// returns how many rows it deleted. With no consumer yet, no change goes.
func (db *DB) PruneChangeLog(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		cutoff := tx.now.Add(-keep)
		res, err := tx.exec(ctx, `DELETE FROM changes WHERE recorded_at < $1
			AND id <= (SELECT MIN(position) FROM consumer_cursors)`, cutoff)
		if err != nil {
			return err
		}
		c, _ := res.RowsAffected()
		res, err = tx.exec(ctx, `DELETE FROM timers WHERE fired_at < $1`, cutoff)
		if err != nil {
			return err
		}
		t, _ := res.RowsAffected()
		n = c + t
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune change log: %w", err)
	}
	return n, nil
}
