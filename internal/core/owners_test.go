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

func TestAssignOwners(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			var staff []int64
			for _, e := range []string{"a@x.example", "b@x.example", "c@x.example"} {
				u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: e, Name: e, Role: "agent"}, "x")
				if err != nil {
					t.Fatal(err)
				}
				staff = append(staff, u.ID)
			}
			addCustomers := func(from, n int) {
				var b store.Batch
				for i := from; i < from+n; i++ {
					b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("k", i)}})
				}
				if _, err := db.Apply(ctx, &b); err != nil {
					t.Fatal(err)
				}
			}
			owners := func() map[int64]int {
				out := map[int64]int{}
				ts, _ := db.Owners(ctx)
				for _, o := range ts {
					out[o.ID] = 0
				}
				for i := 0; i < 100; i++ {
					c, err := db.CustomerFacts(ctx, int64(i))
					if err == nil {
						out[c.OwnerID]++
					}
				}
				return out
			}
			addCustomers(0, 7)
			if n, err := core.AssignOwners(ctx, db, core.OwnerRules{Rule: "round_robin"}); err != nil || n != 7 {
				t.Fatalf("round robin: %d %v", n, err)
			}
			addCustomers(7, 2) // the cursor carries on: 3 each
			core.AssignOwners(ctx, db, core.OwnerRules{Rule: "round_robin"})
			if got := owners(); got[staff[0]] != 3 || got[staff[1]] != 3 || got[staff[2]] != 3 {
				t.Errorf("round robin spread %v", got)
			}
			// Least loaded: b has four open tasks, so the next three go to a and c.
			c, _ := db.GetCustomer(ctx, "k0")
			db.WithTx(ctx, func(tx *store.Tx) error {
				for i := range 4 {
					tx.CreateTask(ctx, retain.Task{IdempotencyKey: fmt.Sprint("t", i), CustomerID: c.ID, OwnerID: staff[1], Title: "x", DueAt: db.Now(), Source: "manual"})
				}
				return nil
			})
			addCustomers(9, 3)
			if n, err := core.AssignOwners(ctx, db, core.OwnerRules{Rule: "least_loaded"}); err != nil || n != 3 {
				t.Fatalf("least loaded: %d %v", n, err)
			}
			if got := owners(); got[staff[1]] != 3 {
				t.Errorf("least loaded gave b more: %v", got)
			}
			// A manual reassignment is logged with who it moved from and to.
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.AssignOwner(ctx, c.ID, staff[2], "manual", "ayesha@x.example", false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			log, _ := db.AssignmentLog(ctx, c.ID)
			if len(log) != 2 || log[1].To != "c@x.example" || log[1].From == "" || log[1].Actor != "ayesha@x.example" {
				t.Errorf("log %+v", log)
			}
			if tasks, _ := db.Tasks(ctx, store.TaskFilter{CustomerID: c.ID}); len(tasks) != 4 || tasks[0].OwnerID != staff[2] {
				t.Errorf("open tasks did not move with the customer: %+v", tasks)
			}
			if _, err := core.AssignOwners(ctx, db, core.OwnerRules{Rule: "coin_flip"}); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("unknown rule: %v", err)
			}
		})
	}
}
