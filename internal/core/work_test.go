package core_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestWorkChecksActorAndScope: the checks behind every web, API and CLI
// action. An agent reaches only what they own; a manager their team's and
// unowned work; a key without events:write cannot ingest; an unknown id is
// not found, another's is forbidden.
func TestWorkChecksActorAndScope(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var b store.Batch
	for _, id := range []string{"c1", "c2", "c3"} {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id, Name: id}})
	}
	if _, err := core.Ingest(ctx, db, retain.KeyActor(9, "reader", []retain.Scope{retain.ScopeRead}), core.Rows(&b)); retain.ErrorCode(err) != retain.EFORBIDDEN {
		t.Fatalf("ingest with a read-only key: %v, want forbidden", err)
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	add := func(email string, role retain.Role, team string) store.User {
		u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: email, Name: email, Role: role, Team: team}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ana, bo, mgr := add("ana@x", retain.RoleAgent, "north"), add("bo@x", retain.RoleAgent, "south"), add("mgr@x", retain.RoleManager, "north")
	ids := map[string]int64{}
	for _, ref := range []string{"c1", "c2", "c3"} {
		c, _ := db.GetCustomer(ctx, ref)
		ids[ref] = c.ID
	}
	var anaTask, boTask int64
	db.WithTx(ctx, func(tx *store.Tx) error {
		tx.AssignOwner(ctx, ids["c1"], ana.ID, "manual", "test", false)
		tx.AssignOwner(ctx, ids["c2"], bo.ID, "manual", "test", false)
		anaTask, _, _ = tx.CreateTask(ctx, retain.Task{IdempotencyKey: "a", CustomerID: ids["c1"], OwnerID: ana.ID, Title: "a", Source: "manual", DueAt: tx.Now()})
		boTask, _, _ = tx.CreateTask(ctx, retain.Task{IdempotencyKey: "b", CustomerID: ids["c2"], OwnerID: bo.ID, Title: "b", Source: "manual", DueAt: tx.Now()})
		return nil
	})
	teamOf := func(u store.User) int64 {
		st, _ := db.Login(ctx, u.Email, func(string) bool { return true })
		return st.TeamID
	}
	agent := retain.StaffActor(ana.ID, ana.Email, retain.RoleAgent, teamOf(ana))
	manager := retain.StaffActor(mgr.ID, mgr.Email, retain.RoleManager, teamOf(mgr))
	w := core.Work{DB: db}

	for _, c := range []struct {
		who  retain.Actor
		ref  string
		code string
	}{
		{agent, "c1", ""}, {agent, "c2", retain.ENOTFOUND}, {agent, "c3", retain.ENOTFOUND},
		{manager, "c1", ""}, {manager, "c2", retain.ENOTFOUND}, {manager, "c3", ""}, // c3 has no owner yet
	} {
		if _, err := w.Customer(ctx, c.who, ids[c.ref]); retain.ErrorCode(err) != c.code {
			t.Errorf("%s opening %s: %v, want %q", c.who, c.ref, err, c.code)
		}
	}
	if err := w.CompleteTask(ctx, agent, boTask); retain.ErrorCode(err) != retain.EFORBIDDEN {
		t.Errorf("an agent completing another's task: %v", err)
	}
	if err := w.CompleteTask(ctx, agent, 999999); retain.ErrorCode(err) != retain.ENOTFOUND {
		t.Errorf("an unknown task: %v", err)
	}
	if err := w.AssignCustomers(ctx, agent, []int64{ids["c1"]}, bo.ID); retain.ErrorCode(err) != retain.EFORBIDDEN {
		t.Errorf("an agent assigning owners: %v", err)
	}
	if err := w.CompleteTask(ctx, agent, anaTask); err != nil {
		t.Errorf("an agent completing their own task: %v", err)
	}
	entries, _ := db.AuditLog(ctx, store.AuditFilter{Action: "task.done"})
	if len(entries) != 1 || entries[0].Actor != "staff:ana@x" || entries[0].Target != fmt.Sprintf("task:%d", anaTask) {
		t.Errorf("audit of the completed task: %+v", entries)
	}
}
