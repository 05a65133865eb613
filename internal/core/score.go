package core

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

// ModelVersion is stored with every score, so a change of method shows.
const ModelVersion = "retain-analytics/1"

// Models are the purchase models retain score can fit.
var Models = []string{"bgnbd", "mbgnbd", "paretonbd"}

// ScoreOptions configure a scoring run.
type ScoreOptions struct {
	Model          string    // bgnbd, mbgnbd, paretonbd; "" picks the best fit
	CalibrationEnd time.Time // last day of history used; zero: today
	TimeUnit       string    // days (default) or weeks
	HorizonDays    int       // for expected purchases (default 90)
	Months         int       // CLV horizon (default 12)
	Discount       float64   // monthly CLV discount rate (default 0.01)
	Location       *time.Location
	Weights        analytics.HealthWeights
	KeepRuns       int // runs whose customer rows are kept (default 3)
	Now            func() time.Time
}

func (o *ScoreOptions) defaults() error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.CalibrationEnd.IsZero() {
		o.CalibrationEnd = o.Now()
	}
	if o.TimeUnit == "" {
		o.TimeUnit = "days"
	}
	if o.TimeUnit != "days" && o.TimeUnit != "weeks" {
		return retain.FieldError("time_unit", "%q is not days or weeks", o.TimeUnit)
	}
	if o.Model != "" && o.Model != "bgnbd" && o.Model != "mbgnbd" && o.Model != "paretonbd" {
		return retain.FieldError("model", "%q is not one of %v", o.Model, Models)
	}
	if o.HorizonDays == 0 {
		o.HorizonDays = 90
	}
	if o.HorizonDays < 0 {
		return retain.FieldError("horizon", "must be positive")
	}
	if o.Months == 0 {
		o.Months = 12
	}
	if o.Discount < 0 || o.Discount >= 1 {
		return retain.FieldError("discount_rate", "must be in [0, 1) per month")
	}
	if o.Weights == nil {
		o.Weights = analytics.DefaultHealthWeights
	}
	if o.KeepRuns == 0 {
		o.KeepRuns = 3
	}
	return nil
}

// unit is days per model time unit; perMonth is model units per month, as
// lifetimes (4.345 weeks, 30 days).
func (o *ScoreOptions) unit() (unit, perMonth float64) {
	if o.TimeUnit == "weeks" {
		return 7, 4.345
	}
	return 1, 30
}

// ModelFit is one fitted purchase model.
type ModelFit struct {
	Model     string             `json:"model"`
	Params    map[string]float64 `json:"params"`
	LogLik    float64            `json:"log_likelihood"`
	SE        map[string]float64 `json:"standard_errors,omitempty"`
	GradNorm  float64            `json:"gradient_norm"`
	Iter      int                `json:"iterations"`
	Converged bool               `json:"converged"`
	Error     string             `json:"error,omitempty"`
	Seconds   float64            `json:"seconds"`
	model     analytics.Model
}

// SpendFit is the Gamma-Gamma fit of one currency.
type SpendFit struct {
	Currency  string  `json:"currency"`
	P         float64 `json:"p"`
	Q         float64 `json:"q"`
	V         float64 `json:"v"`
	LogLik    float64 `json:"log_likelihood"`
	Repeaters int     `json:"repeaters"`
	ZeroSpend int     `json:"excluded_zero_spend"`
	CorrXM    float64 `json:"corr_frequency_spend"`
	Error     string  `json:"error,omitempty"`
	gg        analytics.GammaGamma
	ok        bool
}

// ScoreResult reports a scoring run.
type ScoreResult struct {
	RunID          int64              `json:"run_id"`
	Model          string             `json:"model"`
	Params         map[string]float64 `json:"params"`
	LogLik         float64            `json:"log_likelihood"`
	Fit            ModelFit           `json:"fit"`
	Candidates     []ModelFit         `json:"candidates,omitempty"`
	Choice         ModelChoice        `json:"choice"`
	GammaGamma     map[string]float64 `json:"gamma_gamma"` // of the main currency
	Spend          []SpendFit         `json:"spend_models"`
	Customers      int                `json:"customers"`
	Buyers         int                `json:"buyers"`
	Repeaters      int                `json:"repeaters"`
	Orders         int                `json:"orders"`
	CalibrationEnd string             `json:"calibration_end"`
	TimeUnit       string             `json:"time_unit"`
	HorizonDays    int                `json:"horizon_days"`
	Months         int                `json:"clv_months"`
	Seconds        float64            `json:"seconds"`
	Timings        map[string]float64 `json:"timings"`
	Warnings       []string           `json:"warnings,omitempty"`
	Summary        RunSummary         `json:"summary"`
}

// RunSummary is what a run keeps for trend charts.
type RunSummary struct {
	Customers         int                `json:"customers"`
	Orders            int                `json:"orders"`
	MeanHealth        float64            `json:"mean_health"`
	AtRisk            int                `json:"at_risk"` // customers in stage at_risk (docs/analytics.md)
	MeanPAlive        float64            `json:"mean_p_alive"`
	ExpectedPurchases float64            `json:"expected_purchases"`
	CLV               map[string]float64 `json:"clv_by_currency"`
	Segments          map[string]int     `json:"segments"`
	Flags             map[string]int     `json:"flags"`
	Stages            map[string]int     `json:"stages"` // customers per lifecycle stage
}

// fitModel fits one purchase model.
func fitModel(name string, p *analytics.Patterns) ModelFit {
	start := time.Now()
	f := ModelFit{Model: name}
	var info analytics.FitInfo
	var err error
	switch name {
	case "bgnbd":
		var m analytics.BGNBD
		m, info, err = analytics.FitBGNBD(p)
		f.model = m
	case "mbgnbd":
		var m analytics.MBGNBD
		m, info, err = analytics.FitMBGNBD(p)
		f.model = m
	case "paretonbd":
		var m analytics.ParetoNBD
		m, info, err = analytics.FitParetoNBD(p)
		f.model = m
	}
	f.Params, f.LogLik, f.SE = analytics.Params(f.model), info.LogLik, info.SE
	f.GradNorm, f.Iter, f.Converged = info.GradNorm, info.Iterations, info.Converged
	if err != nil {
		f.Error = err.Error()
	}
	f.Seconds = time.Since(start).Seconds()
	return f
}

// chooseModel fits the requested model, or all three and keeps the best
// converged log-likelihood (all have four parameters, so this is also AIC).
func chooseModel(name string, p *analytics.Patterns) (ModelFit, []ModelFit, error) {
	if name != "" {
		f := fitModel(name, p)
		if !f.Converged {
			return f, nil, fmt.Errorf("score: the %s fit did not converge (%s); try another --model", name, f.Error)
		}
		return f, nil, nil
	}
	var all []ModelFit
	for _, m := range Models {
		all = append(all, fitModel(m, p))
	}
	best := -1
	for i, f := range all {
		if f.Converged && (best < 0 || f.LogLik > all[best].LogLik) {
			best = i
		}
	}
	if best < 0 {
		return all[0], all, fmt.Errorf("score: no model converged: %s; %s; %s", all[0].Error, all[1].Error, all[2].Error)
	}
	return all[best], all, nil
}

// Score fits the models to the order history up to the calibration end,
// scores every customer who has bought and saves a scoring run.
func Score(ctx context.Context, db *store.DB, opts ScoreOptions) (*ScoreResult, error) {
	if opts.Now == nil {
		opts.Now = db.Now // the store's clock: tests pin it, so scores do not depend on the day they run
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	start, startedAt := time.Now(), opts.Now() // the wall clock times the work; the store's dates the run
	res := &ScoreResult{TimeUnit: opts.TimeUnit, HorizonDays: opts.HorizonDays, Months: opts.Months, Timings: map[string]float64{}}
	lap := func(name string, t0 time.Time) { res.Timings[name] = math.Round(time.Since(t0).Seconds()*1000) / 1000 }

	t0 := time.Now()
	h, err := loadHistory(ctx, db, opts.Location)
	if err != nil {
		return nil, err
	}
	lap("read", t0)
	res.Orders = h.orders
	calEnd := int(civilDay(opts.CalibrationEnd, opts.Location))
	res.CalibrationEnd = dayTime(calEnd).Format(time.DateOnly)
	unit, perMonth := opts.unit()

	t0 = time.Now()
	rfm := make([]analytics.RFM, len(h.customers))
	lastDay := math.MinInt32
	for i, ds := range h.days {
		rfm[i] = analytics.SummarizeDays(ds, calEnd, calEnd, unit)
		if rfm[i].Buyer {
			rfm[i].M /= retain.MinorPerUnit(h.currency[i])
			lastDay = max(lastDay, rfm[i].LastDay)
		}
	}
	patterns, of := analytics.Group(rfm)
	if patterns.Len() == 0 {
		return nil, retain.Errorf(retain.EINVALID, "no orders on or before %s to score", res.CalibrationEnd)
	}
	if calEnd-lastDay > 90 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the last order before the calibration end is from %s, %d days earlier: if your data stops there, pass --calibration-end %s",
			dayTime(lastDay).Format(time.DateOnly), calEnd-lastDay, dayTime(lastDay).Format(time.DateOnly)))
	}
	if h.otherCurrencyOrders > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d orders are in a currency other than their customer's first order: counted as purchases, their value left out of spend", h.otherCurrencyOrders))
	}
	lap("summarize", t0)

	t0 = time.Now()
	model, choice := opts.Model, ModelChoice{Method: "asked", Why: "--model " + opts.Model}
	if model == "" {
		model, choice = chooseOnHoldout(h, calEnd, unit)
	}
	lap("choose", t0)
	t0 = time.Now()
	fit, candidates, err := chooseModel(model, patterns)
	if err != nil {
		return nil, err
	}
	if choice.Method == logLikelihoodWins {
		choice.Why += fmt.Sprintf(" (%s, %.4f)", fit.Model, fit.LogLik)
	}
	res.Model, res.Params, res.LogLik, res.Fit, res.Candidates, res.Choice = fit.Model, fit.Params, fit.LogLik, fit, candidates, choice
	lap("fit", t0)

	t0 = time.Now()
	spend := fitSpend(rfm, h.currency)
	res.Spend = spend
	if len(spend) > 0 {
		s := spend[0]
		res.GammaGamma = map[string]float64{"p": s.P, "q": s.Q, "v": s.V}
	}
	lap("fit_spend", t0)

	t0 = time.Now()
	scores := predict(fit.model, patterns, of, rfm, h, spend, opts, calEnd, unit, perMonth)
	lap("predict", t0)

	t0 = time.Now()
	signals, err := db.CustomerSignals(ctx, dayTime(calEnd-180))
	if err != nil {
		return nil, err
	}
	res.Summary = finishScores(scores, rfm, h, signals, opts, calEnd, unit, fit.Model)
	res.Summary.Orders = h.orders
	for _, r := range rfm {
		if r.Buyer {
			res.Buyers++
			if r.X > 0 {
				res.Repeaters++
			}
		}
	}
	res.Customers = len(scores)
	lap("health", t0)

	t0 = time.Now()
	params, _ := json.Marshal(fit.Params)
	fitJSON, err := json.Marshal(map[string]any{"model": fit, "candidates": candidates, "choice": choice, "spend": spend})
	if err != nil { // a NaN: recorded as nothing, it would fail the run's insert far from its cause
		return nil, fmt.Errorf("score: the fit's record: %w", err)
	}
	summary, _ := json.Marshal(res.Summary)
	run := &store.ScoringRun{StartedAt: startedAt.UTC(), Model: fit.Model, ModelVersion: ModelVersion, TimeUnit: opts.TimeUnit,
		CalibrationEnd: dayTime(calEnd), HorizonDays: opts.HorizonDays, DiscountRate: opts.Discount,
		Params: params, LogLikelihood: fit.LogLik, Fit: fitJSON, Summary: summary}
	if err := db.SaveScoringRun(ctx, run, scores, opts.KeepRuns); err != nil {
		return nil, err
	}
	res.RunID = run.ID
	lap("write", t0)
	res.Seconds = math.Round(time.Since(start).Seconds()*1000) / 1000
	return res, nil
}

// fitSpend fits Gamma-Gamma per currency (spend in different currencies
// cannot be pooled), the most common currency first.
func fitSpend(rfm []analytics.RFM, currency []string) []SpendFit {
	byCur := map[string][]analytics.RFM{}
	for i, r := range rfm {
		if r.Buyer {
			byCur[currency[i]] = append(byCur[currency[i]], r)
		}
	}
	var out []SpendFit
	for cur, rs := range byCur {
		d := analytics.GroupSpend(rs)
		s := SpendFit{Currency: cur, ZeroSpend: d.Dropped, CorrXM: corrXM(rs)}
		g, info, err := analytics.FitGammaGamma(d)
		s.P, s.Q, s.V, s.LogLik, s.Repeaters, s.gg = g.P, g.Q, g.V, info.LogLik, info.Customers, g
		s.ok = err == nil
		if err != nil {
			s.Error = err.Error()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Repeaters != out[j].Repeaters {
			return out[i].Repeaters > out[j].Repeaters
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}

// corrXM is corr(x, m̄) over repeaters: Gamma-Gamma assumes spend does not
// depend on frequency (P10), so it is reported.
func corrXM(rs []analytics.RFM) float64 {
	var n, sx, sm, sxx, smm, sxm float64
	for _, r := range rs {
		if r.X == 0 || r.M <= 0 {
			continue
		}
		x := float64(r.X)
		n++
		sx, sm, sxx, smm, sxm = sx+x, sm+r.M, sxx+x*x, smm+r.M*r.M, sxm+x*r.M
	}
	d := math.Sqrt((n*sxx - sx*sx) * (n*smm - sm*sm))
	if n < 3 || d == 0 {
		return 0
	}
	return (n*sxm - sx*sm) / d
}

// patternPrediction is what depends on a customer only through (x, t_x, T).
type patternPrediction struct {
	pAlive, expected, clvPerSpend, wait, pFurther float64
}

// predict computes each buyer's predictions, once per pattern, on all cores.
func predict(m analytics.Model, p *analytics.Patterns, of []int, rfm []analytics.RFM, h *history, spend []SpendFit,
	opts ScoreOptions, calEnd int, unit, perMonth float64) []retain.Score {
	horizon := float64(opts.HorizonDays) / unit
	pp := make([]patternPrediction, p.Len())
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < p.Len(); i += workers {
				x, tx, T := p.X[i], p.Tx[i], p.T[i]
				wait, pf := analytics.NextPurchase(m, x, tx, T)
				pp[i] = patternPrediction{
					pAlive:      m.PAlive(x, tx, T),
					expected:    m.ExpectedY(horizon, x, tx, T),
					clvPerSpend: analytics.CLV(m, 1, x, tx, T, opts.Months, perMonth, opts.Discount),
					wait:        wait, pFurther: pf,
				}
			}
		}(w)
	}
	wg.Wait()
	spendOf := map[string]SpendFit{}
	for _, s := range spend {
		spendOf[s.Currency] = s
	}
	_, isBG := m.(analytics.BGNBD)
	scores := make([]retain.Score, 0, len(rfm))
	for i, r := range rfm {
		if !r.Buyer {
			continue
		}
		pr := pp[of[i]]
		em := r.M
		if s, ok := spendOf[h.currency[i]]; ok && s.ok {
			em = s.gg.ExpectedSpend(r.X, r.M)
		}
		sc := retain.Score{CustomerID: h.customers[i].ID, Frequency: r.X, Recency: r.Tx, Age: r.T, Monetary: r.M,
			Currency: h.currency[i], PAlive: pr.pAlive, ExpectedPurchases: pr.expected, ExpectedSpend: em, CLV: em * pr.clvPerSpend,
			PNextOrder: pr.pFurther}
		// A next-order date only where it means something (§4.7, P12): a
		// likely next order, within a year.
		if pr.pFurther >= 0.2 && !math.IsNaN(pr.wait) && !(r.X == 0 && isBG) && pr.wait*unit <= 365 {
			sc.NextOrderAt = dayTime(calEnd).Add(time.Duration(pr.wait * unit * 24 * float64(time.Hour))).Truncate(24 * time.Hour)
		}
		scores = append(scores, sc)
	}
	return scores
}
