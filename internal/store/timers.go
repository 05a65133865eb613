package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Durable timers: a time-based reaction is a row with a due time and a key,
// written in the transaction of its cause (an order with an expected
// delivery, a subscription with a renewal date, a snooze) and fired once
// by the timers job, which marks it fired in the transaction of its effect.
// A key names the cause, so writing the same cause again moves its timer
// instead of adding one.

// Timer kinds.
const (
	TimerOrderLate     = "order.late"       // SubjectID: the order
	TimerRenewal       = "renewal"          // SubjectID: the subscription; Key ends with the days ahead
	TimerAlertSnooze   = "alert.snooze"     // SubjectID: the alert
	TimerSurveyRemind  = "survey.remind"    // SubjectID: the invitation
	TimerSLA           = "ticket.sla"       // SubjectID: the ticket; Key: sla:<ticket>:<first|next|resolution>:<warn|due>:<due unix>
	TimerPending       = "ticket.pending"   // SubjectID: the ticket; Key: pending:<ticket>:<remind|close>:<paused unix>
	TimerLoyaltyEarn   = "loyalty.earn"     // SubjectID: the order, whose return window ends
	TimerLoyaltyExpire = "loyalty.expire"   // SubjectID: the lot (its earn entry) that expires
	TimerCouponHold    = "coupon.hold"      // SubjectID: the redemption held until then
	TimerLoyaltyRemind = "loyalty.remind"   // SubjectID: the lot whose expiry is near
	TimerLoyaltyTier   = "loyalty.tier"     // SubjectID: the customer whose tier is reviewed
	TimerReferral      = "loyalty.referral" // SubjectID: the referral whose friend's first order's return window ends
)

// RenewalWindows are the days before a renewal at which its timers fire.
var RenewalWindows = []int{60, 30, 7}

// StaleAfter is how old a cause may be and still be news: an expected
// delivery further in the past gets no timer (a first import of years of
// history must not raise thousands of stale alerts).
const StaleAfter = 14 * 24 * time.Hour

// Timer is a due time with what it is about.
type Timer struct {
	ID         int64
	Key        string
	Kind       string
	SubjectID  int64
	CustomerID int64
	DueAt      time.Time
	Days       int // renewal timers: the window, days ahead of the renewal
}

func lateTimer(orderExt string, eta time.Time) []any {
	return []any{TimerOrderLate, TimerOrderLate + ":" + orderExt, orderExt, eta.UTC()}
}

func renewalTimers(subExt string, renews time.Time) [][]any {
	out := make([][]any, 0, len(RenewalWindows))
	for _, d := range RenewalWindows {
		key := fmt.Sprintf("%s:%s:%s:%d", TimerRenewal, subExt, renews.UTC().Format(time.DateOnly), d)
		out = append(out, []any{TimerRenewal, key, subExt, renews.UTC().AddDate(0, 0, -d)})
	}
	return out
}

// writeTimers turns the batch's staged timers into timer rows: an order's
// timer follows its expected delivery until it fires; a renewal's are keyed
// by the date, so a new date adds new ones (the old ones find the date
// moved when they fire, and do nothing).
func (tx *Tx) writeTimers(ctx context.Context, staged int) error {
	if staged == 0 {
		return nil
	}
	for i, q := range []string{
		`INSERT INTO timers (key, kind, subject_id, customer_id, due_at, created_at)
		 SELECT s.key, s.kind, o.id, o.customer_id, s.due_at, {now}
		 FROM stage_timers s JOIN orders o ON o.external_id = s.subject_ext
		 WHERE s.kind = '` + TimerOrderLate + `' AND s.due_at >= $2
		 ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at
		 WHERE timers.fired_at IS NULL AND timers.due_at IS DISTINCT FROM excluded.due_at`,
		`INSERT INTO timers (key, kind, subject_id, customer_id, due_at, created_at)
		 SELECT s.key, s.kind, t.id, t.customer_id, s.due_at, {now}
		 FROM stage_timers s JOIN subscriptions t ON t.external_id = s.subject_ext
		 WHERE s.kind = '` + TimerRenewal + `' AND t.status = 'active' AND t.renews_at > {now}
		 ON CONFLICT (key) DO NOTHING`,
	} {
		q, _ = tx.db.render(q)
		args := []any{tx.now}
		if i == 0 {
			args = append(args, tx.now.Add(-StaleAfter))
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("store: timers: %w", err)
		}
	}
	return nil
}

// SetTimer writes (or moves, while it has not fired) the timer with key.
func (tx *Tx) SetTimer(ctx context.Context, t Timer) error {
	_, err := tx.exec(ctx, `INSERT INTO timers (key, kind, subject_id, customer_id, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at WHERE timers.fired_at IS NULL`,
		t.Key, t.Kind, t.SubjectID, nullID(t.CustomerID), t.DueAt.UTC(), tx.now)
	if err != nil {
		return fmt.Errorf("store: set timer %s: %w", t.Key, err)
	}
	return nil
}

// TimersDue reports, with a read and no write transaction, whether any
// timer is due.
func (db *DB) TimersDue(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM timers WHERE fired_at IS NULL AND due_at <= $1 LIMIT 1) d`,
		db.Now().UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: timers due: %w", err)
	}
	return n > 0, nil
}

// DueTimers returns up to n timers due by the transaction's clock, oldest
// first, of the kinds given (none: of every kind). On PostgreSQL they stay
// locked for the transaction and timers another transaction holds are
// skipped.
func (tx *Tx) DueTimers(ctx context.Context, n int, kinds ...string) ([]Timer, error) {
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args, only := []any{tx.now, n}, ""
	for i, k := range kinds {
		if i > 0 {
			only += ", "
		}
		args = append(args, k)
		only += fmt.Sprintf("$%d", len(args))
	}
	if only != "" {
		only = " AND kind IN (" + only + ")"
	}
	rows, err := tx.query(ctx, `SELECT id, key, kind, subject_id, COALESCE(customer_id, 0), due_at FROM timers
		WHERE fired_at IS NULL AND due_at <= $1`+only+` ORDER BY due_at, id LIMIT $2`+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("store: due timers: %w", err)
	}
	defer rows.Close()
	var out []Timer
	for rows.Next() {
		var t Timer
		var due nullTime
		if err := rows.Scan(&t.ID, &t.Key, &t.Kind, &t.SubjectID, &t.CustomerID, &due); err != nil {
			return nil, fmt.Errorf("store: due timers: %w", err)
		}
		t.DueAt = due.T
		if t.Kind == TimerRenewal {
			t.Days, _ = strconv.Atoi(t.Key[strings.LastIndexByte(t.Key, ':')+1:])
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FireTimer marks a timer fired. false: it had fired already (the caller
// must not act on it again).
func (tx *Tx) FireTimer(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE timers SET fired_at = $2 WHERE id = $1 AND fired_at IS NULL`, id, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: fire timer: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PendingTimers counts unfired timers by kind.
func (db *DB) PendingTimers(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, `SELECT kind, COUNT(*) FROM timers WHERE fired_at IS NULL GROUP BY kind`)
}
