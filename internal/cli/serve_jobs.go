package cli

import (
	"context"
	"encoding/json"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// scoreJob keeps scores fresh while serve runs: a new scoring run when there
// is none, when the last is a day old, or when the orders grew by a tenth
// (a large import or a busy day of events) since it. It checks every
// interval and stops with ctx.
func (e *env) scoreJob(ctx context.Context, db *store.DB, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if due, why := scoreDue(ctx, db); due {
			start := time.Now()
			res, err := core.Score(ctx, db, e.scoring)
			if err != nil {
				e.log.Error("scoring", "reason", why, "err", err)
			} else {
				e.log.Info("scored", "reason", why, "run", res.RunID, "model", res.Model, "customers", res.Customers,
					"seconds", time.Since(start).Seconds())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

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

// engineJob assigns owners (when a rule is saved), raises alerts and
// enrollments from new signals and runs due playbook steps every interval
// until ctx ends.
func (e *env) engineJob(ctx context.Context, db *store.DB, runner *core.Runner, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if rules, ok, err := core.StoredOwnerRules(ctx, db); err != nil {
			e.log.Error("owner rules", "err", err)
		} else if ok {
			if n, err := core.AssignOwners(ctx, db, rules); err != nil && ctx.Err() == nil {
				e.log.Error("assigning owners", "err", err)
			} else if n > 0 {
				e.log.Info("owners assigned", "customers", n, "rule", rules.Rule)
			}
		}
		if st, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil && ctx.Err() == nil {
			e.log.Error("detecting alerts", "err", err)
		} else if st.Raised+st.Enrolled > 0 {
			e.log.Info("alerts raised", "signals", st.Signals, "raised", st.Raised, "repeats", st.Repeated, "enrolled", st.Enrolled)
		}
		if st, err := core.DetectFromScores(ctx, db); err != nil && ctx.Err() == nil {
			e.log.Error("alerts from scores", "err", err)
		} else if st.Raised > 0 {
			e.log.Info("alerts from scores", "raised", st.Raised, "repeats", st.Repeated, "enrolled", st.Enrolled)
		}
		if st, err := runner.RunDue(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("running playbooks", "err", err)
		} else if st.Steps > 0 {
			e.log.Info("playbook steps", "steps", st.Steps, "messages", st.Messages, "tasks", st.Tasks, "ended", st.Ended)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dashboardJob recomputes the dashboard's aggregates every interval.
func (e *env) dashboardJob(ctx context.Context, db *store.DB, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		start := time.Now()
		if err := db.RefreshDashboard(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("dashboard", "err", err)
		} else {
			e.log.Debug("dashboard refreshed", "seconds", time.Since(start).Seconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
