package analytics

import "math"

// Model is a fitted purchase-count model: BG/NBD, MBG/NBD or Pareto/NBD.
type Model interface {
	// LogLik is one customer's log-likelihood ℓ(x, t_x, T).
	LogLik(x int, tx, T float64) float64
	// PAlive is the probability the customer is still active at T.
	PAlive(x int, tx, T float64) float64
	// ExpectedX is a new customer's expected purchases in (0, t].
	ExpectedX(t float64) float64
	// ExpectedY is the expected purchases in (T, T+t].
	ExpectedY(t float64, x int, tx, T float64) float64
	// Survival is P(no purchase in (T, T+w]).
	Survival(w float64, x int, tx, T float64) float64
}

// Params returns a model's parameters by their conventional names.
func Params(m Model) map[string]float64 {
	switch v := m.(type) {
	case BGNBD:
		return map[string]float64{"r": v.R, "alpha": v.Alpha, "a": v.A, "b": v.B}
	case MBGNBD:
		return map[string]float64{"r": v.R, "alpha": v.Alpha, "a": v.A, "b": v.B}
	case ParetoNBD:
		return map[string]float64{"r": v.R, "alpha": v.Alpha, "s": v.S, "beta": v.Beta}
	}
	return nil
}

// NextPurchase returns the median wait (in model time, from T) for the
// customer's next purchase given that there is one, and the probability that
// there is one at all (§4.7). A caller should not show a date when that
// probability is low.
func NextPurchase(m Model, x int, tx, T float64) (wait, pFurther float64) {
	switch v := m.(type) {
	case BGNBD:
		return v.WaitQuantile(0.5, x, T), v.PAlive(x, tx, T)
	case MBGNBD:
		return v.WaitQuantile(0.5, x, T), v.PAlive(x, tx, T)
	case ParetoNBD:
		return v.MedianWait(x, tx, T), v.PFurther(x, tx, T)
	}
	return math.NaN(), 0
}

// CLV is the discounted customer lifetime value over months months (§4.6):
// Σ_{i=1}^{K} E[M]·(E[Y(i·f)] − E[Y((i−1)·f)])/(1+d)^i, with f model time
// units per month and d the monthly discount rate. E[Y] is evaluated once
// per month boundary (its customer-only parts once in all); with d = 0 a
// single call suffices.
func CLV(m Model, spend float64, x int, tx, T float64, months int, perMonth, discount float64) float64 {
	if discount == 0 {
		return finite(spend*m.ExpectedY(float64(months)*perMonth, x, tx, T), 0)
	}
	ey := curve(m, x, tx, T)
	total, prev := 0.0, 0.0
	for i := 1; i <= months; i++ {
		cur := ey(float64(i) * perMonth)
		total += spend * (cur - prev) / math.Pow(1+discount, float64(i))
		prev = cur
	}
	return finite(total, 0)
}

// curve returns t ↦ E[Y(t) | x, t_x, T] with what depends only on the
// customer computed once.
func curve(m Model, x int, tx, T float64) func(float64) float64 {
	switch v := m.(type) {
	case BGNBD:
		return v.expectedYCurve(x, tx, T)
	case ParetoNBD:
		return v.expectedYCurve(x, tx, T)
	}
	return func(t float64) float64 { return m.ExpectedY(t, x, tx, T) }
}
