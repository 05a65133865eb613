package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestScoringRunsPruned: each saved run drops the customer rows of the
// runs older than the newest keep, and only those.
func TestScoringRunsPruned(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			var b store.Batch
			for _, id := range []string{"C1", "C2"} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			c1, _ := db.GetCustomer(ctx, "C1")
			c2, _ := db.GetCustomer(ctx, "C2")
			var ids []int64
			for i := 0; i < 4; i++ {
				run := &store.ScoringRun{StartedAt: time.Date(2026, 6, 1+i, 0, 0, 0, 0, time.UTC), Model: "bgnbd", TimeUnit: "week",
					CalibrationEnd: time.Date(2026, 6, 1+i, 0, 0, 0, 0, time.UTC), Params: []byte(`{}`), Fit: []byte(`{}`), Summary: []byte(`{}`)}
				scores := []retain.Score{{CustomerID: c1.ID, Segment: "champions", Stage: "active"}, {CustomerID: c2.ID, Segment: "lost", Stage: "lapsed"}}
				if err := db.SaveScoringRun(ctx, run, scores, 2); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, run.ID)
			}
			for table, want := range map[string]int{"customer_scores": 4, "customer_list_scores": 4} {
				n, runs, err := db.ScoreRowsForTest(ctx, table)
				if err != nil {
					t.Fatal(err)
				}
				if n != want || len(runs) != 2 || runs[0] != ids[2] || runs[1] != ids[3] {
					t.Errorf("%s: %d rows of runs %v, want %d rows of runs %v", table, n, runs, want, ids[2:])
				}
			}
		})
	}
}
