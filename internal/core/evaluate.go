package core

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

// Evaluation compares a model fitted on a calibration period with what
// happened in the holdout period after it: how a user learns whether to
// trust the scores on their own data.
type Evaluation struct {
	Model          string             `json:"model"`
	Params         map[string]float64 `json:"params"`
	LogLik         float64            `json:"log_likelihood"`
	Candidates     []ModelFit         `json:"candidates,omitempty"`
	CalibrationEnd string             `json:"calibration_end"`
	HoldoutEnd     string             `json:"holdout_end"`
	HoldoutLength  float64            `json:"holdout_length"` // in TimeUnit
	TimeUnit       string             `json:"time_unit"`
	Customers      int                `json:"customers"` // who bought by the calibration end
	// Repeat purchase days in the holdout: what happened and what the model
	// expected for these customers (conditional), and for a cohort like
	// them with no history (unconditional).
	Actual        int     `json:"actual_purchases"`
	ActualBuyers  int     `json:"actual_buyers"`
	Predicted     float64 `json:"predicted_purchases"`
	Unconditional float64 `json:"unconditional_predicted"`
	ErrorPercent  float64 `json:"error_percent"`
	MAE           float64 `json:"mean_absolute_error"`
	RMSE          float64 `json:"rmse"`
	// The calibration table: customers grouped by calibration purchases.
	ByFrequency []FrequencyRow `json:"by_frequency"`
	// How well P(alive) at the calibration end separates customers who
	// bought in the holdout from those who did not (AUC 0.5 = chance).
	// Under BG/NBD every one-time buyer has P(alive) = 1 (P12), which can
	// push its AUC below 0.5; the ranking by expected purchases does not
	// have that flaw and is reported beside it.
	PAliveAUC          float64 `json:"p_alive_auc"`
	ExpectedAUC        float64 `json:"expected_purchases_auc"`
	PAliveBuyers       float64 `json:"p_alive_mean_buyers"`
	PAliveNonBuyers    float64 `json:"p_alive_mean_non_buyers"`
	ExpectedTop10Share float64 `json:"top_decile_share_of_purchases"`
	Seconds            float64 `json:"seconds"`
}

// FrequencyRow is one line of the calibration table.
type FrequencyRow struct {
	X         string  `json:"x"`
	Customers int     `json:"customers"`
	Predicted float64 `json:"predicted_mean"`
	Actual    float64 `json:"actual_mean"`
}

// Evaluate fits on orders up to calibrationEnd and predicts (calibrationEnd, holdoutEnd].
func Evaluate(ctx context.Context, db *store.DB, opts ScoreOptions, holdoutEnd time.Time) (*Evaluation, error) {
	if opts.Now == nil {
		opts.Now = db.Now
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	start := time.Now()
	calEnd := int(civilDay(opts.CalibrationEnd, opts.Location))
	hEnd := int(civilDay(holdoutEnd, opts.Location))
	if hEnd <= calEnd {
		return nil, retain.FieldError("holdout_end", "must be after the calibration end")
	}
	h, err := loadHistory(ctx, db, opts.Location)
	if err != nil {
		return nil, err
	}
	unit, _ := opts.unit()
	rfm := make([]analytics.RFM, len(h.customers))
	for i, ds := range h.days {
		rfm[i] = analytics.SummarizeDays(ds, calEnd, hEnd, unit)
	}
	p, of := analytics.Group(rfm)
	if p.Len() == 0 {
		return nil, retain.Errorf(retain.EINVALID, "no orders on or before the calibration end")
	}
	fit, candidates, err := chooseModel(opts.Model, p)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Model: fit.Model, Params: fit.Params, LogLik: fit.LogLik, Candidates: candidates, TimeUnit: opts.TimeUnit,
		CalibrationEnd: dayTime(calEnd).Format(time.DateOnly), HoldoutEnd: dayTime(hEnd).Format(time.DateOnly)}
	ev.HoldoutLength = float64(hEnd-calEnd) / unit
	compare(ev, fit.model, p, of, rfm)
	ev.Seconds = time.Since(start).Seconds()
	return ev, nil
}

func compare(ev *Evaluation, m analytics.Model, p *analytics.Patterns, of []int, rfm []analytics.RFM) {
	t := ev.HoldoutLength
	pred := make([]float64, p.Len())
	palive := make([]float64, p.Len())
	uncond := make([]float64, p.Len())
	for i := range pred {
		pred[i] = m.ExpectedY(t, p.X[i], p.Tx[i], p.T[i])
		palive[i] = m.PAlive(p.X[i], p.Tx[i], p.T[i])
		uncond[i] = m.ExpectedX(p.T[i]+t) - m.ExpectedX(p.T[i])
	}
	const top = 7
	type acc struct {
		n         int
		pred, act float64
	}
	groups := make([]acc, top+1)
	var se, ae float64
	var scored []scoredCustomer
	for i, r := range rfm {
		if !r.Buyer {
			continue
		}
		k := of[i]
		ev.Customers++
		ev.Actual += r.Holdout
		if r.Holdout > 0 {
			ev.ActualBuyers++
		}
		ev.Predicted += pred[k]
		ev.Unconditional += uncond[k]
		d := pred[k] - float64(r.Holdout)
		se += d * d
		ae += math.Abs(d)
		g := &groups[min(r.X, top)]
		g.n++
		g.pred += pred[k]
		g.act += float64(r.Holdout)
		scored = append(scored, scoredCustomer{palive[k], pred[k], r.Holdout})
	}
	n := float64(ev.Customers)
	ev.MAE, ev.RMSE = ae/n, math.Sqrt(se/n)
	if ev.Actual > 0 {
		ev.ErrorPercent = 100 * (ev.Predicted - float64(ev.Actual)) / float64(ev.Actual)
	}
	for x, g := range groups {
		if g.n == 0 {
			continue
		}
		label := fmt.Sprint(x)
		if x == top {
			label = fmt.Sprintf("%d+", top)
		}
		ev.ByFrequency = append(ev.ByFrequency, FrequencyRow{X: label, Customers: g.n, Predicted: g.pred / float64(g.n), Actual: g.act / float64(g.n)})
	}
	ev.PAliveAUC, ev.PAliveBuyers, ev.PAliveNonBuyers = auc(scored, func(c scoredCustomer) float64 { return c.pAlive })
	ev.ExpectedAUC, _, _ = auc(scored, func(c scoredCustomer) float64 { return c.expected })
	ev.ExpectedTop10Share = topDecileShare(scored)
}

type scoredCustomer struct {
	pAlive, expected float64
	actual           int
}

// auc is the probability that a random holdout buyer has a higher key than
// a random non-buyer (Mann–Whitney, ties counted half), with the two
// groups' mean key.
func auc(cs []scoredCustomer, key func(scoredCustomer) float64) (area, buyers, non float64) {
	sort.Slice(cs, func(i, j int) bool { return key(cs[i]) < key(cs[j]) })
	var nPos, nNeg, rankSum float64
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && key(cs[j]) == key(cs[i]) {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for k := i; k < j; k++ {
			if cs[k].actual > 0 {
				nPos++
				rankSum += mid
				buyers += key(cs[k])
			} else {
				nNeg++
				non += key(cs[k])
			}
		}
		i = j
	}
	if nPos == 0 || nNeg == 0 {
		return math.NaN(), 0, 0
	}
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg), buyers / nPos, non / nNeg
}

// topDecileShare is the share of holdout purchases made by the tenth of
// customers the model expected to buy most.
func topDecileShare(cs []scoredCustomer) float64 {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].expected > cs[j].expected })
	total, top := 0, 0
	for i, c := range cs {
		total += c.actual
		if i < len(cs)/10 {
			top += c.actual
		}
	}
	if total == 0 {
		return 0
	}
	return float64(top) / float64(total)
}
