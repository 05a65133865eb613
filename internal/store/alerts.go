package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// RaiseAlert opens an alert, or — when the customer already has an
// unresolved one of the same type and reason — counts one more occurrence
// on it (de-duplication). The owner is the customer's owner.
func (tx *Tx) RaiseAlert(ctx context.Context, a retain.Alert) (id int64, created bool, err error) {
	var occurrences int
	signal := a.SignalAt
	if signal.IsZero() {
		signal = tx.now
	}
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO alerts (customer_id, type, reason, root_cause, severity, status, owner_id, title, detail,
		source, revenue_at_risk_minor, currency, due_at, last_seen_at, created_at, updated_at, signal_at, detail_key, detail_args, cause_evidence)
		VALUES ($1, $2, $3, $4, $5, 'open', COALESCE($17, (SELECT owner_id FROM customers WHERE id = $1)), $6, $7, $8, $9, $10, $11, $12, $12, $12, $13, $14, $15, $16)
		ON CONFLICT (customer_id, type, reason) WHERE status <> 'resolved'
		DO UPDATE SET occurrences = alerts.occurrences + 1, last_seen_at = excluded.last_seen_at, detail = excluded.detail,
			detail_key = excluded.detail_key, detail_args = excluded.detail_args,
			root_cause = CASE WHEN alerts.root_cause = '' THEN excluded.root_cause ELSE alerts.root_cause END,
			cause_evidence = CASE WHEN alerts.root_cause = '' THEN excluded.cause_evidence ELSE alerts.cause_evidence END, updated_at = excluded.updated_at
		RETURNING id, occurrences`,
		a.CustomerID, a.Type, a.Reason, a.RootCause, a.Severity, a.Title, a.Detail, a.Source, a.RevenueAtRisk, a.Currency,
		timeArg(a.DueAt), tx.now, signal.UTC(), a.DetailKey, mapText(a.DetailArgs), wordsText(a.CauseEvidence), nullID(a.OwnerID)).Scan(&id, &occurrences)
	if err != nil {
		return 0, false, fmt.Errorf("store: raise alert: %w", err)
	}
	return id, occurrences == 1, nil
}

// AlertFilter selects alerts.
type AlertFilter struct {
	Status     string // "" = open and snoozed
	OwnerID    int64
	Scope      *OwnerScope // nil: everyone's
	CustomerID int64
	Type       retain.AlertType
	Severity   retain.Severity
	Reason     string
	Cause      string
	Limit      int
	Offset     int
	// ByID pages by id instead of urgency: the API's cursor, AfterID the
	// last id already read.
	ByID    bool
	AfterID int64
}

// Alerts lists alerts, most urgent first.
func (db *DB) Alerts(ctx context.Context, f AlertFilter) ([]retain.Alert, error) {
	where, args := f.where()
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.customer_id, c.external_id, c.name, a.type, a.reason, a.root_cause, a.severity, a.status,
		COALESCE(a.owner_id, 0), a.title, a.detail, a.source, a.revenue_at_risk_minor, a.currency, a.occurrences, a.due_at, a.snoozed_until,
		a.snooze_reason, a.outcome, a.created_at, a.last_seen_at, a.detail_key, a.detail_args, a.cause_evidence
		FROM alerts a JOIN customers c ON c.id = a.customer_id WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+f.order()+`
		LIMIT $`+fmt.Sprint(len(args)-1)+` OFFSET $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	var out []retain.Alert
	for rows.Next() {
		var a retain.Alert
		var due, snoozed, created, seen nullTime
		var args, evidence string
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.CustomerRef, &a.CustomerName, &a.Type, &a.Reason, &a.RootCause, &a.Severity, &a.Status, &a.OwnerID,
			&a.Title, &a.Detail, &a.Source, &a.RevenueAtRisk, &a.Currency, &a.Occurrences, &due, &snoozed, &a.SnoozeReason, &a.Outcome,
			&created, &seen, &a.DetailKey, &args, &evidence); err != nil {
			return nil, fmt.Errorf("store: alerts: %w", err)
		}
		if args != "" {
			json.Unmarshal([]byte(args), &a.DetailArgs) // written by jsonText: a map or nothing
		}
		if evidence != "" {
			json.Unmarshal([]byte(evidence), &a.CauseEvidence) // written by wordsText: a list or nothing
		}
		a.DueAt, a.SnoozedUntil, a.CreatedAt, a.LastSeenAt = due.T, snoozed.T, created.T, seen.T
		out = append(out, a)
	}
	return out, rows.Err()
}

// CountAlerts counts the alerts f selects (its Limit and Offset aside).
func (db *DB) CountAlerts(ctx context.Context, f AlertFilter) (int, error) {
	where, args := f.where()
	return db.countWhere(ctx, "alerts a", where, args)
}

// countWhere counts the rows of from (a table and its alias) that meet
// every condition.
func (db *DB) countWhere(ctx context.Context, from string, where []string, args []any) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+strings.Join(where, " AND "), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count %s: %w", from, err)
	}
	return n, nil
}

func (f AlertFilter) order() string {
	if f.ByID {
		return "a.id"
	}
	// The same expression as the alerts_queue index (migration 0012), so
	// a page of the inbox walks the index instead of sorting every row.
	return "CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, a.due_at, a.id"
}

func (f AlertFilter) where() ([]string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status == "" {
		where = append(where, "a.status <> 'resolved'")
	} else {
		add("a.status = $%d", f.Status)
	}
	if f.OwnerID != 0 {
		add("a.owner_id = $%d", f.OwnerID)
	}
	if f.CustomerID != 0 {
		add("a.customer_id = $%d", f.CustomerID)
	}
	if f.AfterID != 0 {
		add("a.id > $%d", f.AfterID)
	}
	if f.Scope != nil {
		where = append(where, f.Scope.where("a.owner_id"))
	}
	for _, c := range [][2]string{{"a.type = $%d", string(f.Type)}, {"a.severity = $%d", string(f.Severity)},
		{"a.reason = $%d", f.Reason}, {"a.root_cause = $%d", f.Cause}} {
		if c[1] != "" {
			add(c[0], c[1])
		}
	}
	return where, args
}

// SnoozeAlert hides an open alert until until, with a reason.
func (db *DB) SnoozeAlert(ctx context.Context, by retain.Actor, id int64, until time.Time, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return retain.FieldError("reason", "say why the alert is snoozed")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if err := tx.alertUpdate(ctx, id, `status = 'snoozed', snoozed_until = $2, snooze_reason = $3`, until.UTC(), reason); err != nil {
			return err
		}
		if err := tx.Audit(ctx, by, "alert.snooze", fmt.Sprintf("alert:%d", id), until.UTC().Format(time.RFC3339)+" "+reason); err != nil {
			return err
		}
		// The wake-up is a timer, keyed by the end, so snoozing again for
		// longer adds a later one and the earlier finds nothing to wake.
		return tx.SetTimer(ctx, Timer{Key: fmt.Sprintf("%s:%d:%d", TimerAlertSnooze, id, until.Unix()), Kind: TimerAlertSnooze,
			SubjectID: id, DueAt: until})
	})
}

// ResolveAlert closes an alert with an outcome.
func (db *DB) ResolveAlert(ctx context.Context, by retain.Actor, id int64, outcome string) error {
	if strings.TrimSpace(outcome) == "" {
		return retain.FieldError("outcome", "say how the alert was resolved")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if err := tx.alertUpdate(ctx, id, `status = 'resolved', outcome = $2, resolved_at = $3`, outcome, tx.now); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "alert.resolve", fmt.Sprintf("alert:%d", id), outcome)
	})
}

func (tx *Tx) alertUpdate(ctx context.Context, id int64, set string, a, b any) error {
	res, err := tx.exec(ctx, `UPDATE alerts SET `+set+`, updated_at = $4 WHERE id = $1 AND status <> 'resolved'`, id, a, b, tx.now)
	if err != nil {
		return fmt.Errorf("store: alert %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return retain.Errorf(retain.ENOTFOUND, "no open alert %d", id)
	}
	return nil
}

// idList writes ids for an IN list (integers only: nothing to escape); an
// empty list matches nothing.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// OpenAlertsByReason counts unresolved alerts by reason.
func (db *DB) OpenAlertsByReason(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, `SELECT reason, COUNT(*) FROM alerts WHERE status <> 'resolved' GROUP BY reason`)
}

// mapText is a map as stored JSON text, "" for none.
// wordsText is a list of words as stored: JSON, or "" for none.
func wordsText(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	b, _ := json.Marshal(ws) // strings: cannot fail
	return string(b)
}

func mapText[M ~map[string]V, V any](m M) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}
