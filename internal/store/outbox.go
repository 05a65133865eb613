package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// EnqueueMessage adds a message to the outbox inside the transaction of
// whatever caused it, so it exists if and only if that commits (M1). A key
// already in the outbox adds nothing: created is false and id the existing
// message's.
func (tx *Tx) EnqueueMessage(ctx context.Context, m retain.Message) (id int64, created bool, err error) {
	if m.DueAt.IsZero() {
		m.DueAt = tx.now
	}
	if m.Locale == "" {
		m.Locale = "en"
	}
	if m.About != "" {
		if m.DueAt, err = tx.spaceFromLast(ctx, m); err != nil {
			return 0, false, err
		}
	}
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO messages (idempotency_key, customer_id, channel, purpose, kind, locale, recipient,
		subject, body, status, due_at, created_for, max_lateness_s, enrollment_id, created_at, updated_at, waiting_for, last_error, options, template, in_reply_to, about)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10, $11, $12, $13, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		m.IdempotencyKey, m.CustomerID, m.Channel, m.Purpose, m.Kind, m.Locale, m.Recipient, m.Subject, m.Body,
		m.DueAt.UTC(), int64(m.MaxLateness/time.Second), nullID(m.EnrollmentID), tx.now, m.WaitingFor, m.LastError, menuArg(m.Menu), templateArg(m.Template), m.InReplyTo,
		m.About).Scan(&id)
	if err == nil {
		if m.About == "" {
			return id, true, nil
		}
		// The older news still queued (held by quiet hours, a gateway
		// down) goes no more: the customer gets the latest only. One
		// waiting for a channel to be set up is left to the business,
		// which set nothing up yet and sees it waiting.
		_, err = tx.exec(ctx, `UPDATE messages SET status = 'suppressed', last_error = $4, updated_at = $5
			WHERE customer_id = $1 AND about = $2 AND id <> $3 AND status = 'queued' AND waiting_for = ''`,
			m.CustomerID, m.About, id, "replaced by a newer message about the same "+aboutWhat(m.About), tx.now)
		if err != nil {
			return 0, false, fmt.Errorf("store: enqueue message: %w", err)
		}
		return id, true, nil
	}
	if err != sql.ErrNoRows {
		return 0, false, fmt.Errorf("store: enqueue message: %w", err)
	}
	err = tx.tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE idempotency_key = $1`, m.IdempotencyKey).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("store: enqueue message: %w", err)
	}
	return id, false, nil
}

// spaceFromLast is when a message about something may go: its due time,
// or AboutGap after the last one about the same thing went out, if that
// is later.
func (tx *Tx) spaceFromLast(ctx context.Context, m retain.Message) (time.Time, error) {
	var last nullTime
	err := tx.tx.QueryRowContext(ctx, `SELECT MAX(sent_at) FROM messages WHERE customer_id = $1 AND about = $2 AND sent_at IS NOT NULL`,
		m.CustomerID, m.About).Scan(&last)
	if err != nil {
		return m.DueAt, fmt.Errorf("store: enqueue message: %w", err)
	}
	if next := last.T.Add(retain.AboutGap); !last.T.IsZero() && next.After(m.DueAt) {
		return next, nil
	}
	return m.DueAt, nil
}

// aboutWhat names what an About key is of ("order:12": order).
func aboutWhat(about string) string {
	kind, _, _ := strings.Cut(about, ":")
	return kind
}

// Claimed is a message claimed for sending with the facts the sender checks.
type Claimed struct {
	retain.Message
	TimeZone string // the customer's, "" when unknown
	// Unresolved: an earlier claim started a gateway call and never recorded
	// how it ended (the sender crashed or lost its lease mid-call).
	Unresolved bool
}

const claimable = `((status = 'queued' AND due_at <= $1 AND waiting_for = '') OR (status = 'sending' AND lease_until < $1))`

// ClaimMessages claims up to n due messages for owner until now+lease:
// queued ones whose time has come and ones whose previous claim expired.
// Each claim raises the message's fencing token; every later write of this
// claim is conditional on it, so a worker that lost its lease can do nothing.
func (db *DB) ClaimMessages(ctx context.Context, owner string, lease time.Duration, n int) ([]Claimed, error) {
	var out []Claimed
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = out[:0]
		skip := ""
		if db.dialect == Postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.query(ctx, `UPDATE messages SET status = 'sending', lease_owner = $2, lease_until = $3, fence = fence + 1, updated_at = $1
			WHERE id IN (SELECT id FROM messages WHERE `+claimable+` ORDER BY due_at, id LIMIT $4`+skip+`) AND `+claimable+`
			RETURNING id`, tx.now, owner, tx.now.Add(lease), n)
		if err != nil {
			return fmt.Errorf("store: claim messages: %w", err)
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			return rows.Err()
		}
		rows, err = tx.query(ctx, `SELECT `+messageColumns+`, c.time_zone,
			EXISTS (SELECT 1 FROM message_attempts a WHERE a.message_id = m.id AND a.outcome = '')
			FROM messages m JOIN customers c ON c.id = m.customer_id WHERE m.id IN (`+placeholders(len(ids))+`) ORDER BY m.due_at, m.id`, ids...)
		if err != nil {
			return fmt.Errorf("store: claim messages: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Claimed
			if err := scanMessage(rows, &c.Message, &c.TimeZone, &c.Unresolved); err != nil {
				return fmt.Errorf("store: claim messages: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

const messageColumns = `m.id, m.idempotency_key, m.customer_id, m.channel, m.purpose, m.kind, m.locale, m.recipient, m.subject, m.body,
	m.status, m.due_at, m.max_lateness_s, m.attempts, m.fence, m.provider_id, m.last_error, COALESCE(m.enrollment_id, 0), m.created_for, m.sent_at, m.waiting_for, m.options, m.template, m.in_reply_to`

func scanMessage(rows interface{ Scan(...any) error }, m *retain.Message, extra ...any) error {
	var lateness int64
	var due, first, sent nullTime
	var options, tmpl string
	dest := append([]any{&m.ID, &m.IdempotencyKey, &m.CustomerID, &m.Channel, &m.Purpose, &m.Kind, &m.Locale, &m.Recipient, &m.Subject,
		&m.Body, &m.Status, &due, &lateness, &m.Attempts, &m.Fence, &m.ProviderID, &m.LastError, &m.EnrollmentID, &first, &sent, &m.WaitingFor,
		&options, &tmpl, &m.InReplyTo}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	if options != "" {
		if err := json.Unmarshal([]byte(options), &m.Menu); err != nil {
			return fmt.Errorf("message %d options: %w", m.ID, err)
		}
	}
	if tmpl != "" {
		if err := json.Unmarshal([]byte(tmpl), &m.Template); err != nil {
			return fmt.Errorf("message %d template: %w", m.ID, err)
		}
	}
	if m.WaitingFor != "" && m.Status == retain.MsgQueued {
		m.Status = retain.MsgWaiting
	}
	m.DueAt, m.FirstDueAt, m.SentAt, m.MaxLateness = due.T, first.T, sent.T, time.Duration(lateness)*time.Second
	return nil
}

// GetMessage returns one message.
func (db *DB) GetMessage(ctx context.Context, id int64) (retain.Message, error) {
	var m retain.Message
	row := db.read.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.id = $1`, id)
	err := scanMessage(row, &m)
	return m, notFound(err, "no message %d", id)
}

// templateArg stores a message's WhatsApp template as JSON ("" for none).
func templateArg(t *retain.MessageTemplate) string {
	if t == nil {
		return ""
	}
	b, _ := json.Marshal(t)
	return string(b)
}

// menuArg stores a message's reply options as JSON ("" for none).
func menuArg(o *retain.ReplyMenu) string {
	if o == nil || len(o.Options) == 0 {
		return ""
	}
	b, _ := json.Marshal(o) // strings only: cannot fail
	return string(b)
}

// placeholders returns "$1, $2, …, $n".
func placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i)
	}
	return b.String()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// MessageCounts counts the outbox by status.
func (db *DB) MessageCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, `SELECT status, COUNT(*) FROM messages GROUP BY status`)
}

// countBy runs a "SELECT key, COUNT(*) … GROUP BY key" query into a map.
func (db *DB) countBy(ctx context.Context, q string, args ...any) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("store: counts: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// MessageFilter selects messages for the log.
type MessageFilter struct {
	Status     retain.MessageStatus
	Channel    retain.Channel
	CustomerID int64
	Limit      int
}

// MessageRow is a line of the message log.
type MessageRow struct {
	retain.Message
	CustomerRef string
	UpdatedAt   time.Time
}

// Messages lists the newest messages first.
func (db *DB) Messages(ctx context.Context, f MessageFilter) ([]MessageRow, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	switch f.Status {
	case "":
	case retain.MsgWaiting:
		where = append(where, "m.waiting_for <> ''")
	case retain.MsgQueued:
		add("m.status = $%d AND m.waiting_for = ''", f.Status)
	default:
		add("m.status = $%d", f.Status)
	}
	if f.Channel != "" {
		add("m.channel = $%d", f.Channel)
	}
	if f.CustomerID != 0 {
		add("m.customer_id = $%d", f.CustomerID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, `SELECT `+messageColumns+`, c.external_id, m.updated_at FROM messages m JOIN customers c ON c.id = m.customer_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY m.id DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	var out []MessageRow
	for rows.Next() {
		var r MessageRow
		var upd nullTime
		if err := scanMessage(rows, &r.Message, &r.CustomerRef, &upd); err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}
		r.UpdatedAt = upd.T
		out = append(out, r)
	}
	return out, rows.Err()
}

// MessageByKey returns the message with an idempotency key.
func (tx *Tx) MessageByKey(ctx context.Context, key string) (retain.Message, error) {
	var m retain.Message
	err := scanMessage(tx.tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.idempotency_key = $1`, key), &m)
	return m, notFound(err, "no message %q", key)
}
