package cli

import (
	"context"
	"encoding/json"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// scoreDue says whether the score job should score now: when there is no
// run, when the last is a day old, or when the orders grew by a tenth (a
// large import or a busy day of events) since it.
func scoreDue(ctx context.Context, db *store.DB) (bool, string) {
	s, err := db.Summary(ctx)
	if err != nil || s.Orders == 0 {
		return false, ""
	}
	runs, err := db.ScoringRuns(ctx, 1)
	if err != nil {
		return false, ""
	}
	if len(runs) == 0 {
		return true, "no scores yet"
	}
	if db.Now().Sub(runs[0].StartedAt) > 24*time.Hour {
		return true, "nightly"
	}
	var last core.RunSummary
	json.Unmarshal(runs[0].Summary, &last)
	if grown := s.Orders - int64(last.Orders); grown >= 100 && float64(grown) >= 0.1*float64(last.Orders) {
		return true, "orders grew since the last run"
	}
	return false, ""
}
