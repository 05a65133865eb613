package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestChangeLog: a batch appends one change per new row, an update that
// matters appends one more, re-applying appends nothing, and pruning keeps
// every change a consumer has not read.
func TestChangeLog(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			batch := func(status string) *store.Batch {
				var b store.Batch
				for i := range 3 {
					b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprint("o", i), CustomerRef: "c1",
						Currency: "BDT", Total: 1000, HasTotal: true, PlacedAt: now.Add(-time.Hour)}})
				}
				b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: retain.Ticket{ExternalID: "t1", CustomerRef: "c1", Channel: "phone",
					Subject: "late", Status: status, Priority: "normal", OpenedAt: now.Add(-time.Hour)}})
				return &b
			}
			kinds := func() map[string]int {
				t.Helper()
				out := map[string]int{}
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					cs, err := tx.Changes(ctx, 0, 1000)
					for _, c := range cs {
						out[c.Kind]++
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			if _, err := db.Apply(ctx, batch("open")); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{store.ChangeCustomerCreated: 1, store.ChangeOrderPlaced: 3, store.ChangeTicketOpened: 1}
			if got := kinds(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after the first batch: %v, want %v", got, want)
			}
			if _, err := db.Apply(ctx, batch("open")); err != nil { // the same again: nothing happened
				t.Fatal(err)
			}
			if _, err := db.Apply(ctx, batch("resolved")); err != nil {
				t.Fatal(err)
			}
			want[store.ChangeTicketUpdated] = 1
			if got := kinds(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after re-applying and resolving: %v, want %v", got, want)
			}

			// Pruning: nothing while no consumer has read; then only what
			// every consumer has read.
			now = now.AddDate(0, 0, 31)
			if n, err := db.PruneChangeLog(ctx, store.KeepChanges); err != nil || n != 0 {
				t.Fatalf("pruned %d (%v) with no consumer", n, err)
			}
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				cs, err := tx.Changes(ctx, 0, 3)
				if err != nil {
					return err
				}
				for _, name := range []string{"a", "b"} {
					if _, err := tx.Cursor(ctx, name); err != nil {
						return err
					}
				}
				if _, err := tx.AdvanceCursor(ctx, "a", 0, cs[2].ID); err != nil {
					return err
				}
				_, err = tx.AdvanceCursor(ctx, "b", 0, cs[1].ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := db.PruneChangeLog(ctx, store.KeepChanges); err != nil || n != 2 {
				t.Fatalf("pruned %d (%v), want the 2 changes both consumers read", n, err)
			}
			total := 0
			for _, n := range kinds() {
				total += n
			}
			if total != 4 {
				t.Errorf("%d changes left, want 4", total)
			}
		})
	}
}
