package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// CreateTask adds a task; a key already used adds nothing. The owner is
// the customer's owner when none is given.
func (tx *Tx) CreateTask(ctx context.Context, t retain.Task) (int64, bool, error) {
	if t.IdempotencyKey == "" {
		t.IdempotencyKey = fmt.Sprintf("manual:%d:%d", t.CustomerID, tx.now.UnixNano())
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO tasks (idempotency_key, customer_id, owner_id, title, detail, due_at, remind_at, status,
		source, alert_id, enrollment_id, created_at, updated_at, titles)
		VALUES ($1, $2, COALESCE($3, (SELECT owner_id FROM customers WHERE id = $2)), $4, $5, $6, $7, 'open', $8, $9, $10, $11, $11, $12)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		t.IdempotencyKey, nullID(t.CustomerID), nullID(t.OwnerID), t.Title, t.Detail, t.DueAt.UTC(), timeArg(t.RemindAt), t.Source,
		nullID(t.AlertID), nullID(t.EnrollmentID), tx.now, mapText(t.Titles)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: create task: %w", err)
	}
	return id, true, nil
}

// TaskFilter selects tasks.
type TaskFilter struct {
	Status     string // "" = open
	OwnerID    int64
	Scope      *OwnerScope // nil: everyone's
	CustomerID int64
	Overdue    time.Time // when set: only tasks due before it
	Limit      int
	Offset     int
	// ByID pages by id instead of due time: the API's cursor, AfterID the
	// last id already read.
	ByID    bool
	AfterID int64
}

// CountTasks counts the tasks f selects (its Limit and Offset aside).
func (db *DB) CountTasks(ctx context.Context, f TaskFilter) (int, error) {
	where, args := f.where()
	return db.countWhere(ctx, "tasks t", where, args)
}

// Tasks lists tasks by due time.
func (db *DB) Tasks(ctx context.Context, f TaskFilter) ([]retain.Task, error) {
	where, args := f.where()
	if f.Limit <= 0 {
		f.Limit = 200
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.idempotency_key, COALESCE(t.customer_id, 0), COALESCE(c.external_id, ''), COALESCE(c.name, ''),
		COALESCE(t.owner_id, 0), t.title, t.detail, t.due_at, t.remind_at, t.status, t.source, COALESCE(t.alert_id, 0),
		COALESCE(t.enrollment_id, 0), t.completed_at, t.created_at, t.titles
		FROM tasks t LEFT JOIN customers c ON c.id = t.customer_id WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+map[bool]string{false: "t.due_at, t.id", true: "t.id"}[f.ByID]+` LIMIT $`+fmt.Sprint(len(args)-1)+` OFFSET $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: tasks: %w", err)
	}
	defer rows.Close()
	var out []retain.Task
	for rows.Next() {
		var t retain.Task
		var due, remind, done, created nullTime
		var titles string
		if err := rows.Scan(&t.ID, &t.IdempotencyKey, &t.CustomerID, &t.CustomerRef, &t.CustomerName, &t.OwnerID, &t.Title, &t.Detail, &due, &remind,
			&t.Status, &t.Source, &t.AlertID, &t.EnrollmentID, &done, &created, &titles); err != nil {
			return nil, fmt.Errorf("store: tasks: %w", err)
		}
		if titles != "" {
			json.Unmarshal([]byte(titles), &t.Titles) // written by mapText
		}
		t.DueAt, t.RemindAt, t.CompletedAt, t.CreatedAt = due.T, remind.T, done.T, created.T
		out = append(out, t)
	}
	return out, rows.Err()
}

func (f TaskFilter) where() ([]string, []any) {
	where, args := []string{}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status == "" {
		f.Status = "open"
	}
	add("t.status = $%d", f.Status)
	if f.OwnerID != 0 {
		add("t.owner_id = $%d", f.OwnerID)
	}
	if f.CustomerID != 0 {
		add("t.customer_id = $%d", f.CustomerID)
	}
	if f.Scope != nil {
		where = append(where, f.Scope.where("t.owner_id"))
	}
	if !f.Overdue.IsZero() {
		add("t.due_at < $%d", f.Overdue.UTC())
	}
	if f.AfterID != 0 {
		add("t.id > $%d", f.AfterID)
	}
	return where, args
}

// CompleteTask marks an open task done.
func (db *DB) CompleteTask(ctx context.Context, by retain.Actor, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE tasks SET status = 'done', completed_at = $2, updated_at = $2 WHERE id = $1 AND status = 'open'`, id, tx.now)
		if err != nil {
			return fmt.Errorf("store: complete task: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no open task %d", id)
		}
		return tx.Audit(ctx, by, "task.done", fmt.Sprintf("task:%d", id), "")
	})
}

// Facts are what playbooks know about a customer: for conditions, for the
// message channel and for personalising templates.
type Facts struct {
	ID                int64
	ExternalID        string
	Name, Email       string
	Phone             string
	Locale            string
	TimeZone          string
	Stage             string
	OwnerID           int64
	OwnerLocale       string // the owner's language: tasks are written in it
	Orders            int
	LastOrderAt       time.Time
	FavouriteCategory string
	// From the latest scoring run, when there is one.
	Scored  bool
	Health  float64
	PAlive  float64
	CLV     float64
	Segment string
}

// CustomerFacts gathers a customer's facts.
func (db *DB) CustomerFacts(ctx context.Context, id int64) (Facts, error) {
	var f Facts
	var last nullTime
	err := db.read.QueryRowContext(ctx, `SELECT c.id, c.external_id, c.name, c.email, c.phone, c.locale, c.time_zone, c.stage, COALESCE(c.owner_id, 0),
		COALESCE((SELECT s.locale FROM staff s WHERE s.id = c.owner_id), ''),
		(SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled'),
		(SELECT MAX(o.placed_at) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled'),
		COALESCE((SELECT p.category FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
			WHERE o.customer_id = c.id AND p.category <> '' GROUP BY p.category ORDER BY COUNT(*) DESC, p.category LIMIT 1), '')
		FROM customers c WHERE c.id = $1`, id).Scan(&f.ID, &f.ExternalID, &f.Name, &f.Email, &f.Phone, &f.Locale, &f.TimeZone, &f.Stage,
		&f.OwnerID, &f.OwnerLocale, &f.Orders, &last, &f.FavouriteCategory)
	if err != nil {
		return f, notFound(err, "no customer %d", id)
	}
	f.LastOrderAt = last.T
	var stage string
	err = db.read.QueryRowContext(ctx, `SELECT health, p_alive, clv, segment, stage FROM customer_scores
		WHERE run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done') AND customer_id = $1`, id).Scan(&f.Health, &f.PAlive, &f.CLV, &f.Segment, &stage)
	if err == nil {
		f.Scored = true
		if stage != "" { // the computed stage; runs before stages existed have none
			f.Stage = stage
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("store: customer facts: %w", err)
	}
	return f, nil
}

// Recommendations are up to n products bought by customers who bought what
// this customer bought, which this customer has not bought, most shared
// first ("customers who bought X also bought Y").
func (db *DB) Recommendations(ctx context.Context, customerID int64, n int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `WITH mine AS (
			SELECT DISTINCT l.product_id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.customer_id = $1 AND l.product_id IS NOT NULL),
		peers AS (
			SELECT DISTINCT o.customer_id FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE l.product_id IN (SELECT product_id FROM mine) AND o.customer_id <> $1 LIMIT 1000)
		SELECT COALESCE(NULLIF(p.name, ''), p.external_id), COUNT(DISTINCT o.customer_id) AS shared
		FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
		WHERE o.customer_id IN (SELECT customer_id FROM peers) AND l.product_id NOT IN (SELECT product_id FROM mine)
		GROUP BY p.id, p.name, p.external_id ORDER BY shared DESC, 1 LIMIT $2`, customerID, n)
	if err != nil {
		return nil, fmt.Errorf("store: recommendations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var shared int
		if err := rows.Scan(&name, &shared); err != nil {
			return nil, fmt.Errorf("store: recommendations: %w", err)
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// OwnerOf returns the owner of a customer, a task or an alert (table
// "customers", "tasks" or "alerts"); 0 when it has none. It is what scope
// checks read: one indexed lookup.
func (db *DB) OwnerOf(ctx context.Context, table string, id int64) (int64, error) {
	if table != "customers" && table != "tasks" && table != "alerts" {
		return 0, fmt.Errorf("store: owner: no table %q", table)
	}
	var owner int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(owner_id, 0) FROM `+table+` WHERE id = $1`, id).Scan(&owner)
	return owner, notFound(err, "no %s %d", strings.TrimSuffix(table, "s"), id)
}

// ReassignWork gives a task or an alert (table "tasks" or "alerts") to
// another staff member.
func (db *DB) ReassignWork(ctx context.Context, by retain.Actor, table string, id, staffID int64) error {
	if table != "tasks" && table != "alerts" {
		return fmt.Errorf("store: reassign: no table %q", table)
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE `+table+` SET owner_id = $2, updated_at = $3 WHERE id = $1`, id, staffID, tx.now)
		if err != nil {
			return fmt.Errorf("store: reassign: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no %s %d", table, id)
		}
		return tx.Audit(ctx, by, strings.TrimSuffix(table, "s")+".reassign", fmt.Sprintf("%s:%d", strings.TrimSuffix(table, "s"), id), fmt.Sprintf("staff:%d", staffID))
	})
}

// OpenTasks counts open tasks.
func (db *DB) OpenTasks(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE status = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: open tasks: %w", err)
	}
	return n, nil
}
