package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

const scoreAlertsKey = "detect.scores.run" // the last scoring run turned into alerts

// DetectFromScores turns the newest scoring run into alerts, once per run
// (PRODUCT.md §I): a customer with a purchase rhythm (frequency quintile 3
// or more) who is overdue, slowing or shrinking gets a risk alert, as does
// one whose P(alive) fell under 0.2; rising, irregular or shifting orders
// give an opportunity alert. Each alert carries the flag's evidence and
// enrolls through the playbooks' triggers like any other.
func DetectFromScores(ctx context.Context, db *store.DB) (DetectStats, error) {
	var st DetectStats
	runs, err := db.ScoringRuns(ctx, 1)
	if err != nil || len(runs) == 0 {
		return st, err
	}
	done, _, err := db.Setting(ctx, scoreAlertsKey)
	if err != nil || done == strconv.FormatInt(runs[0].ID, 10) {
		return st, err
	}
	triggers, err := loadTriggers(ctx, db)
	if err != nil {
		return st, err
	}
	var batch []store.Alert
	flush := func(last bool) error {
		return db.WithTx(ctx, func(tx *store.Tx) error {
			for _, a := range batch {
				if _, err := triggers.raise(ctx, tx, a, &st); err != nil {
					return err
				}
			}
			batch = batch[:0]
			if last {
				return tx.SetSetting(ctx, scoreAlertsKey, strconv.FormatInt(runs[0].ID, 10))
			}
			return nil
		})
	}
	now := db.Now()
	err = db.EachScore(ctx, runs[0].ID, func(s store.CustomerScore) error {
		st.Signals++
		for _, a := range scoreAlerts(s, runs[0].ID) {
			a.DueAt = now.Add(72 * time.Hour)
			batch = append(batch, a)
		}
		if len(batch) >= 500 {
			return flush(false)
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	return st, flush(true)
}

// scoreAlerts are the alerts one customer's scores call for.
func scoreAlerts(s store.CustomerScore, run int64) []store.Alert {
	var flags []analytics.Flag
	if err := json.Unmarshal(s.Flags, &flags); err != nil {
		return nil
	}
	base := store.Alert{CustomerID: s.CustomerID, Source: fmt.Sprintf("score:%d", run), Currency: s.Currency,
		RevenueAtRisk: int64(s.CLV * 100)}
	var out []store.Alert
	for _, f := range flags {
		a := base
		a.Reason, a.Detail = f.Name, f.Evidence
		switch {
		case f.Kind == "risk" && s.F >= 3:
			a.Type, a.Severity, a.Title = "risk", "medium", fmt.Sprintf("%s: %s", s.ExternalID, f.Name)
			if s.M >= 4 {
				a.Severity = "high" // a valuable customer
			}
		case f.Kind == "opportunity":
			a.Type, a.Severity, a.Title, a.RevenueAtRisk = "opportunity", "low", fmt.Sprintf("%s: %s", s.ExternalID, f.Name), 0
		default:
			continue
		}
		out = append(out, a)
	}
	if s.Frequency > 0 && s.PAlive < 0.2 && s.F >= 3 {
		a := base
		a.Type, a.Reason, a.Severity = "risk", "low_p_alive", "medium"
		a.Title, a.Detail = fmt.Sprintf("%s may have stopped buying", s.ExternalID), fmt.Sprintf("P(alive) %.0f%%", 100*s.PAlive)
		out = append(out, a)
	}
	return out
}
