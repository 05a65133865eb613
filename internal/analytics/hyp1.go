package analytics

import "math"

// lnHyp1 returns ln ₂F₁(1, b; c; z) for 0 ≤ z < 1 and c > b > 0, with its
// partial derivatives with respect to b, c and z, summed in one pass of the
// power series Σ tₙ, tₙ₊₁ = tₙ·(b+n)/(c+n)·z (every term positive). The
// Euler-transformed Pareto/NBD terms only need this a = 1 case, and the
// derivatives give its log-likelihood an analytic gradient. For z near 1,
// where the series is slow, it falls back to gonum (derivatives by finite
// differences).
func lnHyp1(b, c, z float64) (v, db, dc, dz float64) {
	if z == 0 {
		return 0, 0, 0, b / c // d/dz at 0 is the first term's coefficient
	}
	if math.IsNaN(b+c+z) || math.IsInf(b+c+z, 0) {
		// A line search's step past what float64 holds: NaN tells it to
		// step back (4,000 terms of NaN and a fallback that loops do not).
		nan := math.NaN()
		return nan, nan, nan, nan
	}
	const maxTerms = 4000
	t, sum := 1.0, 1.0
	var hb, hc, sb, sc, sz float64
	for n := 0; n < maxTerms; n++ {
		fn := float64(n)
		hb += 1 / (b + fn)
		hc += 1 / (c + fn)
		t *= (b + fn) / (c + fn) * z
		sum += t
		sb += t * hb
		sc += t * hc
		sz += t * (fn + 1)
		if t < 1e-17*sum {
			return math.Log(sum), sb / sum, -sc / sum, sz / (z * sum)
		}
	}
	lf := func(b, c, z float64) float64 { return math.Log(hyp2f1(1, b, c, z)) }
	v = lf(b, c, z)
	const h = 1e-6
	db = (lf(b+h, c, z) - lf(b-h, c, z)) / (2 * h)
	dc = (lf(b, c+h, z) - lf(b, c-h, z)) / (2 * h)
	dz = (lf(b, c, z+h*z) - lf(b, c, z-h*z)) / (2 * h * z)
	return v, db, dc, dz
}
