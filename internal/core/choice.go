package core

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/retainhq/retain/internal/analytics"
)

// Which purchase model scores the customers, when --model does not say:
// the one that best predicted the business's own recent past. The history
// up to the calibration end is split in two; each model is fitted on the
// first part and asked how many purchases each customer would make in the
// second; the one with the smallest mean absolute error per customer wins
// (within 1% of the best, the smaller error on the total decides), and is
// fitted again on the whole history. The best calibration log-likelihood
// chose before; on CDNOW it chose MBG/NBD, the worst of the three on every
// holdout measure (docs/analytics.md).

// ModelChoice says how the model was chosen and why.
type ModelChoice struct {
	Method      string         `json:"method"` // asked, holdout, log_likelihood
	HoldoutFrom string         `json:"holdout_from,omitempty"`
	HoldoutTo   string         `json:"holdout_to,omitempty"`
	Holdout     []HoldoutScore `json:"holdout,omitempty"`
	Why         string         `json:"why"`
}

// HoldoutScore is how one model, fitted before the holdout, predicted it.
type HoldoutScore struct {
	Model        string  `json:"model"`
	Converged    bool    `json:"converged"`
	Degenerate   bool    `json:"degenerate,omitempty"` // converged to parameters no customer base has
	MAE          float64 `json:"mean_absolute_error"`
	ErrorPercent float64 `json:"error_percent"`
	PAliveAUC    float64 `json:"p_alive_auc"`
	Seconds      float64 `json:"seconds"`
}

// Holdout bounds: at most a year held out, and enough repeat buying in
// it for the errors to mean something.
const (
	minHoldoutDays    = 28
	maxHoldoutDays    = 365
	minHoldoutBuyers  = 30
	closeMAE          = 0.01
	holdoutMethod     = "holdout"
	logLikelihoodWins = "log_likelihood"
)

// chooseOnHoldout ranks the models on the second half of the history up
// to calEnd (at most a year). It returns "" as the model, with the reason
// in the choice, when the history is too short or too quiet to hold any
// out.
func chooseOnHoldout(h *history, calEnd int, unit float64) (string, ModelChoice) {
	first := math.MaxInt32
	for _, ds := range h.days {
		if len(ds) > 0 && int(ds[0].Day) < first {
			first = int(ds[0].Day)
		}
	}
	span := calEnd - first
	hold := min(span/2, maxHoldoutDays)
	choice := ModelChoice{Method: logLikelihoodWins}
	if hold < minHoldoutDays {
		choice.Why = fmt.Sprintf("%d days of history: too short to hold any out; the best log-likelihood chose", span)
		return "", choice
	}
	split := calEnd - hold
	rfm := make([]analytics.RFM, len(h.days))
	for i, ds := range h.days {
		rfm[i] = analytics.SummarizeDays(ds, split, calEnd, unit)
	}
	p, of := analytics.Group(rfm)
	buyers := 0
	for _, r := range rfm {
		if r.Buyer && r.Holdout > 0 {
			buyers++
		}
	}
	if p.Len() == 0 || buyers < minHoldoutBuyers {
		choice.Why = fmt.Sprintf("%d customers bought in the last %d days before the calibration end: too few to compare the models on; the best log-likelihood chose", buyers, hold)
		return "", choice
	}
	choice.Method, choice.HoldoutFrom, choice.HoldoutTo = holdoutMethod, dayTime(split).Format("2006-01-02"), dayTime(calEnd).Format("2006-01-02")
	for _, m := range Models {
		f := fitModel(m, p)
		s := HoldoutScore{Model: m, Converged: f.Converged, Seconds: f.Seconds}
		if f.Converged && degenerate(f.Params) {
			// Its predictions are meaningless, and slow: the special
			// functions crawl at such parameters.
			s.Converged, s.Degenerate = false, true
		}
		if s.Converged {
			ev := &Evaluation{HoldoutLength: float64(hold) / unit}
			compare(ev, f.model, p, of, rfm)
			s.MAE, s.ErrorPercent, s.PAliveAUC = ev.MAE, ev.ErrorPercent, finiteOr(ev.PAliveAUC, 0)
		}
		choice.Holdout = append(choice.Holdout, s)
	}
	ranked := append([]HoldoutScore(nil), choice.Holdout...)
	sort.SliceStable(ranked, func(i, j int) bool { return better(ranked[i], ranked[j], ranked) })
	best := ranked[0]
	if !best.Converged {
		choice.Method, choice.Why = logLikelihoodWins, "no model fitted the first part of the history to usable parameters; the best log-likelihood chose"
		return "", choice
	}
	var others []string
	for _, s := range ranked[1:] {
		switch {
		case s.Converged:
			others = append(others, fmt.Sprintf("%s %.4f", s.Model, s.MAE))
		case s.Degenerate:
			others = append(others, s.Model+" degenerate")
		default:
			others = append(others, s.Model+" did not converge")
		}
	}
	choice.Why = fmt.Sprintf("best prediction of %s to %s from the history before it: mean absolute error %.4f a customer (%s), total %+.1f%%, P(alive) AUC %.3f",
		choice.HoldoutFrom, choice.HoldoutTo, best.MAE, strings.Join(others, ", "), best.ErrorPercent, best.PAliveAUC)
	return best.Model, choice
}

// degenerate reports a fit to parameters no customer base has (a rate's
// shape in the millions: data of clockwork-regular buyers).
func degenerate(params map[string]float64) bool {
	for _, v := range params {
		if v > 1e6 || v < 1e-6 {
			return true
		}
	}
	return false
}

// finiteOr is v, or or when v is NaN or infinite (an AUC with no buyer or
// no non-buyer; JSON has no NaN).
func finiteOr(v, or float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return or
	}
	return v
}

// better orders holdout scores: converged first, then by MAE; two within
// closeMAE of the best MAE are ordered by the error on the total.
func better(a, b HoldoutScore, all []HoldoutScore) bool {
	if a.Converged != b.Converged {
		return a.Converged
	}
	bestMAE := math.Inf(1)
	for _, s := range all {
		if s.Converged {
			bestMAE = math.Min(bestMAE, s.MAE)
		}
	}
	close := func(s HoldoutScore) bool { return s.MAE <= bestMAE*(1+closeMAE) }
	if close(a) && close(b) {
		return math.Abs(a.ErrorPercent) < math.Abs(b.ErrorPercent)
	}
	return a.MAE < b.MAE
}
