package core

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

const scoreAlertsKey = "detect.scores.run" // the last scoring run turned into alerts

// DetectFromScores turns the newest scoring run into alerts, once per run
// (docs/product.md: Purchase rhythm and health): a regular, valuable customer who is overdue, slowing or
// shrinking — or whose P(alive) fell under 0.2 — gets a risk alert; rising,
// irregular or shifting orders give an opportunity alert. Each alert
// carries the flag's evidence and enrolls through the playbooks' triggers
// like any other.
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
	var batch []retain.Alert
	var scored []retain.Score // for score-condition triggers
	flush := func(last bool) error {
		return db.WithTx(ctx, func(tx *store.Tx) error {
			for _, a := range batch {
				if _, err := triggers.raise(ctx, tx, a, &st); err != nil {
					return err
				}
			}
			for _, s := range scored {
				if err := triggers.onScore(ctx, tx, s, runs[0].ID, &st); err != nil {
					return err
				}
			}
			batch, scored = batch[:0], scored[:0]
			if last {
				return tx.SetSetting(ctx, scoreAlertsKey, strconv.FormatInt(runs[0].ID, 10))
			}
			return nil
		})
	}
	now := db.Now()
	err = db.EachScore(ctx, runs[0].ID, func(s retain.Score) error {
		st.Signals++
		for _, a := range scoreAlerts(s, runs[0].ID) {
			a.DueAt = now.Add(72 * time.Hour)
			batch = append(batch, a)
		}
		if len(triggers.byScore) > 0 {
			scored = append(scored, s)
		}
		if len(batch)+len(scored) >= 500 {
			return flush(false)
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	return st, flush(true)
}

// riskOrder and chanceOrder rank the flags: a customer gets at most one
// risk and one opportunity alert per run, for the strongest flag, so the
// inbox shows people rather than every symptom.
var (
	riskOrder   = []string{"overdue", "slowing", "shrinking"}
	chanceOrder = []string{"value_rising", "speeding_up", "mix_shift", "irregular"}
)

// scoreAlerts are the alerts one customer's scores call for: only for
// customers with a rhythm and some value (frequency and monetary quintiles
// 3 or more), so a business with thousands of occasional buyers is not
// buried in alerts.
func scoreAlerts(s retain.Score, run int64) []retain.Alert {
	if s.F < 3 || s.M < 3 {
		return nil
	}
	byName := map[string]retain.Flag{}
	for _, f := range s.Flags {
		byName[f.Name] = f
	}
	base := retain.Alert{CustomerID: s.CustomerID, Source: fmt.Sprintf("score:%d", run), Currency: s.Currency,
		RevenueAtRisk: int64(math.Round(s.CLV * retain.MinorPerUnit(s.Currency)))} // CLV is in major units
	var out []retain.Alert
	risk := base
	risk.Type, risk.Severity = "risk", "medium"
	if s.M >= 4 {
		risk.Severity = "high" // a valuable customer
	}
	for _, name := range riskOrder {
		if f, ok := byName[name]; ok {
			risk.Reason, risk.Detail, risk.Title = name, f.Evidence, fmt.Sprintf("%s: %s", s.ExternalID, name)
			risk.DetailKey, risk.DetailArgs = "evidence."+name, flagArgs(f)
			break
		}
	}
	if risk.Reason == "" && s.PAlive < 0.2 {
		risk.Reason, risk.Title, risk.Detail = "low_p_alive", fmt.Sprintf("%s may have stopped buying", s.ExternalID), fmt.Sprintf("P(alive) %.0f%%", 100*s.PAlive)
		risk.DetailKey, risk.DetailArgs = "alertdetail.low_p_alive", map[string]any{"p_alive_share": s.PAlive}
	}
	if risk.Reason != "" {
		out = append(out, risk)
	}
	for _, name := range chanceOrder {
		if f, ok := byName[name]; ok {
			a := base
			a.Type, a.Severity, a.RevenueAtRisk = "opportunity", "low", 0
			a.Reason, a.Detail, a.Title = name, f.Evidence, fmt.Sprintf("%s: %s", s.ExternalID, name)
			a.DetailKey, a.DetailArgs = "evidence."+name, flagArgs(f)
			out = append(out, a)
			break
		}
	}
	return out
}

// flagArgs is a flag's values as an alert's detail arguments: the same
// catalog entry ("evidence.slowing") the customer 360 shows them with.
func flagArgs(f retain.Flag) map[string]any {
	out := make(map[string]any, len(f.Values))
	for k, v := range f.Values {
		out[k] = v
	}
	return out
}
