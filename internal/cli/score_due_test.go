package cli

import (
	"context"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

func addOrders(t *testing.T, db *store.DB, from, n int) {
	t.Helper()
	var b store.Batch
	for i := from; i < from+n; i++ {
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "o" + itoa(i), CustomerRef: "c" + itoa(i%40),
			Currency: "USD", Total: 100, HasTotal: true, PlacedAt: db.Now().AddDate(0, 0, -i%200)}})
	}
	if _, err := db.Apply(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string {
	return string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26))
}

func TestScoreDue(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if due, _ := scoreDue(ctx, db); due {
		t.Error("due on an empty database")
	}
	addOrders(t, db, 0, 1000)
	if due, why := scoreDue(ctx, db); !due || why != "no scores yet" {
		t.Errorf("first: %v %q", due, why)
	}
	if _, err := core.Score(ctx, db, core.ScoreOptions{Model: "mbgnbd"}); err != nil {
		t.Fatal(err)
	}
	if due, why := scoreDue(ctx, db); due {
		t.Errorf("right after a run: %q", why)
	}
	addOrders(t, db, 1000, 50)
	if due, _ := scoreDue(ctx, db); due {
		t.Error("due after 5% more orders")
	}
	addOrders(t, db, 1050, 100)
	if due, why := scoreDue(ctx, db); !due || why != "orders grew since the last run" {
		t.Errorf("after 15%% more orders: %v %q", due, why)
	}
}
