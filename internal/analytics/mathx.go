package analytics

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// logsumexp returns ln(e^a + e^b) without overflow; either may be -Inf.
func logsumexp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// log1pexp returns ln(1 + e^u) without overflow.
func log1pexp(u float64) float64 {
	if u > 0 {
		return u + math.Log1p(math.Exp(-u))
	}
	return math.Log1p(math.Exp(u))
}

// logistic returns 1/(1+e^-z) without overflow.
func logistic(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// lgamma is ln Γ(x) for x > 0.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// hyp2f1 is the Gauss hypergeometric function for 0 ≤ z < 1 (gonum's Cephes
// port). Callers use the Euler-transformed forms of §4.2–4.4, which keep the
// parameters small and away from gonum's inaccurate region (P11).
func hyp2f1(a, b, c, z float64) float64 {
	if z == 0 {
		return 1
	}
	// A degenerate fit (parameters in the billions: data where every
	// customer stopped long ago) sends gonum's series into a loop that did
	// not end in minutes. No real customer base has such parameters; NaN
	// lets the callers' finite() fall back instead of hanging a scoring run.
	// NaN fails every comparison, so the same guard must name it: an
	// optimizer's step to parameters that overflow handed gonum NaNs, and
	// its series never ended.
	if !(math.Abs(a) <= hypParamLimit && math.Abs(b) <= hypParamLimit && math.Abs(c) <= hypParamLimit) || math.IsNaN(z) || math.IsInf(z, 0) {
		return math.NaN()
	}
	return mathext.Hypergeo(a, b, c, z)
}

// hypParamLimit bounds the parameters hyp2f1 hands to gonum.
const hypParamLimit = 1e9

// expm1Ratio returns (1 − u^e)/e = −expm1(e·ln u)/e, with the limit −ln u
// as e → 0 (Pareto/NBD with s → 1, P6).
func expm1Ratio(e, u float64) float64 {
	if math.Abs(e) < 1e-8 {
		return -math.Log(u)
	}
	return -math.Expm1(e*math.Log(u)) / e
}

// finite replaces NaN and ±Inf by fallback, so no such value reaches a score.
func finite(v, fallback float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fallback
	}
	return v
}

// clamp01 keeps a probability within [0, 1].
func clamp01(v float64) float64 {
	return math.Max(0, math.Min(1, finite(v, 0)))
}

// roundTo rounds v to dp decimals: stored explanations need no 17-digit
// floats, and a million of them are written per scoring run.
func roundTo(v float64, dp int) float64 {
	p := math.Pow10(dp)
	return math.Round(v*p) / p
}
