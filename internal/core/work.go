package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Work is what staff and API keys do to customers, alerts and tasks. Each
// action checks the actor's permission and scope here, once, whether it
// comes from the web UI, the API or the command line, and the store writes
// it with the actor in the audit log.
//
// Who sees what (docs/permissions.md):
//   - admins, API keys and Retain itself: everything;
//   - a manager in a team: the customers and work of the team's members and
//     their own, and anything nobody owns yet (so they can hand it out);
//     a manager in no team runs the whole business and sees everything;
//   - an agent: the customers and work they own.
type Work struct {
	DB *store.DB
}

// Scope is whose customers and work the actor sees.
func (w Work) Scope(ctx context.Context, a retain.Actor) (store.OwnerScope, error) {
	if a.Kind != retain.ActorStaff || a.Role == retain.RoleAdmin {
		return store.Everyone, nil
	}
	switch {
	case a.Role == retain.RoleManager && a.TeamID == 0:
		return store.Everyone, nil
	case a.Role == retain.RoleManager:
		ids, err := w.DB.TeamMembers(ctx, a.TeamID)
		return store.OwnerScope{Owners: append(ids, a.ID), Unowned: true}, err
	}
	return store.OwnerScope{Owners: []int64{a.ID}}, nil
}

// MineOnly narrows a scope to the actor's own work (the inbox's "mine").
func MineOnly(a retain.Actor) store.OwnerScope { return store.OwnerScope{Owners: []int64{a.ID}} }

// Customer returns a customer's facts when the actor may see them.
func (w Work) Customer(ctx context.Context, a retain.Actor, id int64) (store.Facts, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return store.Facts{}, err
	}
	if err := w.customerInScope(ctx, a, id); err != nil {
		return store.Facts{}, err
	}
	return w.DB.CustomerFacts(ctx, id)
}

// customerInScope checks that customer id is the actor's to see.
func (w Work) customerInScope(ctx context.Context, a retain.Actor, id int64) error {
	scope, err := w.Scope(ctx, a)
	if err != nil {
		return err
	}
	return w.visible(ctx, scope, id)
}

// visible checks that customer id exists and lies in scope; one outside it
// is "not found", so its existence is not told.
func (w Work) visible(ctx context.Context, scope store.OwnerScope, id int64) error {
	owner, err := w.DB.OwnerOf(ctx, "customers", id)
	if err != nil {
		return err
	}
	if !scope.Contains(owner) {
		return retain.Errorf(retain.ENOTFOUND, "no customer %d", id)
	}
	return nil
}

// mayAct checks that a task or alert exists (else ENOTFOUND) and lies in the
// actor's scope (else EFORBIDDEN) and that the actor holds p.
func (w Work) mayAct(ctx context.Context, a retain.Actor, p retain.Permission, table string, id int64) error {
	if err := a.Require(p); err != nil {
		return err
	}
	owner, err := w.DB.OwnerOf(ctx, table, id)
	if err != nil {
		return err
	}
	scope, err := w.Scope(ctx, a)
	if err != nil {
		return err
	}
	if !scope.Contains(owner) {
		return retain.Errorf(retain.EFORBIDDEN, "%s %d is not in your scope", strings.TrimSuffix(table, "s"), id)
	}
	return nil
}

// CompleteTask marks an open task done.
func (w Work) CompleteTask(ctx context.Context, a retain.Actor, id int64) error {
	if err := w.mayAct(ctx, a, retain.PermWorkAct, "tasks", id); err != nil {
		return err
	}
	return w.DB.CompleteTask(ctx, a, id)
}

// SnoozeAlert hides an open alert until until, with a reason.
func (w Work) SnoozeAlert(ctx context.Context, a retain.Actor, id int64, until time.Time, reason string) error {
	if err := w.mayAct(ctx, a, retain.PermWorkAct, "alerts", id); err != nil {
		return err
	}
	if !until.After(w.DB.Now()) {
		return retain.FieldError("until", "must be in the future")
	}
	return w.DB.SnoozeAlert(ctx, a, id, until, reason)
}

// ResolveAlert closes an alert with an outcome.
func (w Work) ResolveAlert(ctx context.Context, a retain.Actor, id int64, outcome string) error {
	if err := w.mayAct(ctx, a, retain.PermWorkAct, "alerts", id); err != nil {
		return err
	}
	return w.DB.ResolveAlert(ctx, a, id, outcome)
}

// Reassign hands a task or an alert (table "tasks" or "alerts") in the
// actor's scope to another active staff member: an agent hands their own
// work to a colleague, a manager their team's to anyone.
func (w Work) Reassign(ctx context.Context, a retain.Actor, table string, id, to int64) error {
	if err := w.mayAct(ctx, a, retain.PermWorkAssign, table, id); err != nil {
		return err
	}
	if err := w.assignable(ctx, to); err != nil {
		return err
	}
	return w.DB.ReassignWork(ctx, a, table, id, to)
}

// assignable checks that staff member to is active and can own customers.
func (w Work) assignable(ctx context.Context, to int64) error {
	owners, err := w.DB.Owners(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, o := range owners {
		found = found || o.ID == to
	}
	if !found {
		return retain.FieldError("owner", "no active staff member %d", to)
	}
	return nil
}

// AssignCustomers gives customers an owner, all or none.
func (w Work) AssignCustomers(ctx context.Context, a retain.Actor, customerIDs []int64, to int64) error {
	if err := a.Require(retain.PermCustomersAssign); err != nil {
		return err
	}
	if err := w.assignable(ctx, to); err != nil {
		return err
	}
	scope, err := w.Scope(ctx, a)
	if err != nil {
		return err
	}
	return w.DB.WithTx(ctx, func(tx *store.Tx) error {
		for _, id := range customerIDs {
			if err := w.visible(ctx, scope, id); err != nil {
				return err
			}
			if _, err := tx.AssignOwner(ctx, id, to, "manual", a.String(), false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Touch kinds a person may log on a customer's timeline.
var touchKinds = []string{"call", "visit", "note"}

// LogTouch records a call, visit or note by a staff member.
func (w Work) LogTouch(ctx context.Context, a retain.Actor, customerID int64, kind, summary string) error {
	if err := a.Require(retain.PermCustomersWrite); err != nil {
		return err
	}
	p := retain.Problems{}
	if !slices.Contains(touchKinds, kind) {
		p.Add("kind", "%q is not one of %v", kind, touchKinds)
	}
	if summary = strings.TrimSpace(summary); summary == "" || len(summary) > 2000 {
		p.Add("summary", "is required, up to 2000 bytes")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := w.customerInScope(ctx, a, customerID); err != nil {
		return err
	}
	var staff int64
	if a.Kind == retain.ActorStaff {
		staff = a.ID
	}
	return w.DB.LogInteraction(ctx, customerID, staff, kind, summary, w.DB.Now())
}

// AddNote adds a manual follow-up task for a customer, owned by the actor.
func (w Work) AddNote(ctx context.Context, a retain.Actor, customerID int64, title string, dueDays int) error {
	if err := a.Require(retain.PermCustomersWrite); err != nil {
		return err
	}
	if title = strings.TrimSpace(title); title == "" || len(title) > 500 {
		return retain.FieldError("title", "is required, up to 500 bytes")
	}
	if dueDays < 0 || dueDays > 3650 {
		return retain.FieldError("due_days", "must be between 0 and 3650")
	}
	if err := w.customerInScope(ctx, a, customerID); err != nil {
		return err
	}
	var owner int64
	if a.Kind == retain.ActorStaff {
		owner = a.ID
	}
	return w.DB.WithTx(ctx, func(tx *store.Tx) error {
		id, _, err := tx.CreateTask(ctx, retain.Task{CustomerID: customerID, OwnerID: owner, Title: title, Source: "manual",
			DueAt: tx.Now().AddDate(0, 0, dueDays), Detail: "by " + a.Name})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, a, "task.create", fmt.Sprintf("task:%d", id), fmt.Sprintf("customer:%d", customerID))
	})
}

// SetPlaybookEnabled switches a playbook on or off.
func (w Work) SetPlaybookEnabled(ctx context.Context, a retain.Actor, key string, on bool) error {
	if err := a.Require(retain.PermPlaybooksManage); err != nil {
		return err
	}
	return w.DB.SetPlaybookEnabled(ctx, a, key, on)
}
