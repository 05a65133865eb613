package store

import (
	"context"
	"fmt"
)

// Owner is a staff member who can own customers, with their open work.
type Owner struct {
	ID       int64
	Name     string
	Email    string
	Team     string
	OpenWork int // open alerts and open tasks
}

// Owners lists the active agents and managers, with their open work, by
// id: everyone who may own customers and work, including those invited or
// imported who have not signed in yet (the work waits for them; their
// manager sees it).
func (db *DB) Owners(ctx context.Context) ([]Owner, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.name, s.email, COALESCE(t.name, ''),
		(SELECT COUNT(*) FROM alerts a WHERE a.owner_id = s.id AND a.status <> 'resolved') +
		(SELECT COUNT(*) FROM tasks k WHERE k.owner_id = s.id AND k.status = 'open')
		FROM staff s LEFT JOIN teams t ON t.id = s.team_id
		WHERE s.active AND s.role IN ('agent', 'manager') ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: owners: %w", err)
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.ID, &o.Name, &o.Email, &o.Team, &o.OpenWork); err != nil {
			return nil, fmt.Errorf("store: owners: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Unowned is a customer without an owner, with their latest segment.
type Unowned struct {
	ID      int64
	Segment string
}

// UnownedCustomers lists up to limit customers without an owner.
func (db *DB) UnownedCustomers(ctx context.Context, limit int) ([]Unowned, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, COALESCE(s.segment, '') FROM customers c
		LEFT JOIN customer_list_scores s ON s.customer_id = c.id AND s.run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done')
		WHERE c.owner_id IS NULL ORDER BY c.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unowned customers: %w", err)
	}
	defer rows.Close()
	var out []Unowned
	for rows.Next() {
		var u Unowned
		if err := rows.Scan(&u.ID, &u.Segment); err != nil {
			return nil, fmt.Errorf("store: unowned customers: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AssignOwner gives a customer an owner and logs the change (from whom, to
// whom, by which rule, by whom). The customer's open alerts and tasks move
// with them. onlyIfUnowned makes a rule's assignment lose to a concurrent
// manual one.
func (tx *Tx) AssignOwner(ctx context.Context, customerID, staffID int64, rule, actor string, onlyIfUnowned bool) (bool, error) {
	var from any
	var prev int64
	err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(owner_id, 0) FROM customers WHERE id = $1`, customerID).Scan(&prev)
	if err != nil {
		return false, notFound(err, "no customer %d", customerID)
	}
	if prev != 0 {
		if onlyIfUnowned {
			return false, nil
		}
		from = prev
	}
	if prev == staffID {
		return false, nil
	}
	if _, err := tx.exec(ctx, `UPDATE customers SET owner_id = $2, updated_at = $3 WHERE id = $1`, customerID, staffID, tx.now); err != nil {
		return false, fmt.Errorf("store: assign owner: %w", err)
	}
	for _, q := range []string{`UPDATE alerts SET owner_id = $2 WHERE customer_id = $1 AND status <> 'resolved'`,
		`UPDATE tasks SET owner_id = $2 WHERE customer_id = $1 AND status = 'open'`} {
		if _, err := tx.exec(ctx, q, customerID, staffID); err != nil {
			return false, fmt.Errorf("store: assign owner: %w", err)
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO assignment_log (customer_id, from_id, to_id, rule, actor, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		customerID, from, staffID, rule, actor, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: assign owner: %w", err)
	}
	return true, nil
}

// Assignment is a line of the assignment log.
type Assignment struct {
	CustomerRef string
	From, To    string // emails
	Rule, Actor string
}

// AssignmentLog lists a customer's owner changes, oldest first.
func (db *DB) AssignmentLog(ctx context.Context, customerID int64) ([]Assignment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.external_id, COALESCE(f.email, ''), COALESCE(t.email, ''), l.rule, l.actor
		FROM assignment_log l JOIN customers c ON c.id = l.customer_id LEFT JOIN staff f ON f.id = l.from_id LEFT JOIN staff t ON t.id = l.to_id
		WHERE l.customer_id = $1 ORDER BY l.id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: assignment log: %w", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.CustomerRef, &a.From, &a.To, &a.Rule, &a.Actor); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// StaffID finds an active staff member by email.
func (db *DB) StaffID(ctx context.Context, email string) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM staff WHERE email = $1 AND email <> '' AND active`, email).Scan(&id)
	return id, notFound(err, "no active staff member with email %q", email)
}

// StaffByEmail is the active staff member with this e-mail, for acting as
// them (the command line's --as).
func (db *DB) StaffByEmail(ctx context.Context, email string) (Staff, error) {
	var s Staff
	err := db.read.QueryRowContext(ctx, `SELECT id, email, name, role, COALESCE(team_id, 0) FROM staff WHERE email = $1 AND email <> '' AND active`,
		email).Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.TeamID)
	return s, notFound(err, "no active staff member with e-mail %q", email)
}
