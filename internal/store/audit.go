package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// AuditEntry is one line of the audit log: who did what to what, and when.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// The audit actions written outside the store's own writes.
const (
	AuditSignIn        = "signin"
	AuditSignInFailed  = "signin.failed"
	AuditSignInLocked  = "signin.throttled"
	AuditExport        = "export"
	AuditSettings      = "settings.save"
	AuditTwoFactorOn   = "2fa.enable"
	AuditTwoFactorOff  = "2fa.reset"
	AuditRecoveryUsed  = "2fa.recovery_code"
	AuditPlaybookState = "playbook.enabled"
	AuditSurveySaved   = "survey.save"
	AuditSurveyState   = "survey.enabled"
)

// Audit appends an entry to the audit log in the transaction.
func (tx *Tx) Audit(ctx context.Context, by retain.Actor, action, target, detail string) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)`,
		tx.now, by.String(), action, target, detail)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// Audit appends an entry on its own, for actions that write nothing else
// (a sign-in attempt, an export).
func (db *DB) Audit(ctx context.Context, by retain.Actor, action, target, detail string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, by, action, target, detail) })
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action string // an action, or a prefix ending in "." ("2fa.", "user.")
	Actor  string // exact, as written ("staff:ana@shop.com")
	Before int64  // entries with a smaller id (paging back); 0 for the newest
	Limit  int
}

// AuditLog lists entries newest first.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		add("action LIKE $%d", strings.ReplaceAll(f.Action, "%", "")+"%")
	case f.Action != "":
		add("action = $%d", f.Action)
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Before > 0 {
		add("id < $%d", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, target, detail FROM audit_log WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at nullTime
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At = at.T
		out = append(out, e)
	}
	return out, rows.Err()
}
