package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestModelChoiceClockwork: customers who buy like clockwork make every
// model converge to parameters in the millions or billions; the choice
// leaves them out (their predictions are meaningless, and took 13 s for
// 300 customers to compute), says so and falls back to the best
// log-likelihood; the run's record is valid JSON (an AUC over customers
// who all bought is no NaN).
func TestModelChoiceClockwork(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	var b store.Batch
	for i := range 3000 {
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprint("o", i), CustomerRef: fmt.Sprint("c", i%300),
			Currency: "BDT", Total: int64(1000 + i%700*10), HasTotal: true, PlacedAt: now.AddDate(0, 0, -(i*37)%400)}})
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	res, err := core.Score(ctx, db, core.ScoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	degenerate := 0
	for _, h := range res.Choice.Holdout {
		if h.Degenerate {
			degenerate++
		}
	}
	if res.Choice.Method != "log_likelihood" || degenerate != 3 || !strings.Contains(res.Choice.Why, "usable parameters") {
		t.Errorf("chose %s: %+v", res.Model, res.Choice)
	}
	runs, err := db.ScoringRuns(ctx, 1)
	if err != nil || len(runs) != 1 || !json.Valid(runs[0].Fit) {
		t.Fatalf("the run: %+v %v", runs, err)
	}
}
