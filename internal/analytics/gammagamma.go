package analytics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// GammaGamma is the Gamma-Gamma spend model (Colombo & Jiang 1999; Fader &
// Hardie note 025; §4.5): transaction values z ~ Gamma(P, ν), ν ~ Gamma(Q, V).
type GammaGamma struct{ P, Q, V float64 }

// LogLik is the log-density of a customer's mean spend m̄ over x purchases
// (with the p·x·ln x Jacobian term, as lifetimes).
func (g GammaGamma) LogLik(x int, m float64) float64 {
	px := g.P * float64(x)
	return lgamma(px+g.Q) - lgamma(px) - lgamma(g.Q) + g.Q*math.Log(g.V) + (px-1)*math.Log(m) +
		px*math.Log(float64(x)) - (px+g.Q)*math.Log(g.V+m*float64(x))
}

// PopulationMean is E[Z] = p·γ/(q−1); ok is false when q ≤ 1, where the
// mean is undefined (P10).
func (g GammaGamma) PopulationMean() (float64, bool) {
	if g.Q <= 1 {
		return 0, false
	}
	return g.P * g.V / (g.Q - 1), true
}

// ExpectedSpend is E[M | x, m̄], the mean value of the customer's future
// purchases: shrunk from their own mean toward the population's. When q ≤ 1
// it is the customer's own mean (0 for x = 0).
func (g GammaGamma) ExpectedSpend(x int, m float64) float64 {
	pop, ok := g.PopulationMean()
	if !ok {
		return m
	}
	px := g.P * float64(x)
	w := px / (px + g.Q - 1)
	return finite((1-w)*pop+w*m, 0)
}

// SpendData are the repeaters' (x, m̄) pairs with m̄ > 0, grouped.
type SpendData struct {
	X       []int
	M, W    []float64
	n       float64
	Dropped int // repeaters with m̄ = 0, excluded from the fit (P10)
}

// GroupSpend collects the repeaters' (x, m̄) pairs for the spend fit.
func GroupSpend(rfm []RFM) *SpendData {
	type key struct {
		x int
		m float64
	}
	idx := map[key]int{}
	d := &SpendData{}
	for _, r := range rfm {
		if r.X == 0 {
			continue
		}
		if r.M <= 0 {
			d.Dropped++
			continue
		}
		k := key{r.X, r.M}
		j, ok := idx[k]
		if !ok {
			j = len(d.X)
			idx[k] = j
			d.X, d.M, d.W = append(d.X, r.X), append(d.M, r.M), append(d.W, 0)
		}
		d.W[j]++
		d.n++
	}
	return d
}

// FitGammaGamma fits the spend model to repeaters with positive spend.
func FitGammaGamma(d *SpendData) (GammaGamma, FitInfo, error) {
	if len(d.X) == 0 {
		return GammaGamma{}, FitInfo{}, fmt.Errorf("analytics: Gamma-Gamma: no repeat purchases with a positive value")
	}
	maxX := 0
	for _, x := range d.X {
		maxX = max(maxX, x)
	}
	lnx := make([]float64, maxX+1)
	for x := 1; x <= maxX; x++ {
		lnx[x] = math.Log(float64(x))
	}
	lnm := make([]float64, len(d.M)) // ln m̄ does not change between evaluations
	for i, m := range d.M {
		lnm[i] = math.Log(m)
	}
	evaluate := func(theta, grad []float64) float64 {
		p, q, v := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])
		// Per distinct x: lnΓ(px+q) − lnΓ(px) and the digammas (§6.3).
		lg := make([]float64, maxX+1)
		dg := make([]float64, maxX+1)
		dq := make([]float64, maxX+1)
		for x := 1; x <= maxX; x++ {
			px := p * float64(x)
			lg[x] = lgamma(px+q) - lgamma(px)
			dg[x] = mathext.Digamma(px+q) - mathext.Digamma(px)
			dq[x] = mathext.Digamma(px + q)
		}
		lnv := math.Log(v)
		base := -lgamma(q) + q*lnv
		psiQ := mathext.Digamma(q)
		return sumParallel(len(d.X), 3, theta, func(_ []float64, lo, hi int, g []float64) float64 {
			var ll, gp, gq, gv float64
			for i := lo; i < hi; i++ {
				x, m, w := d.X[i], d.M[i], d.W[i]
				fx := float64(x)
				px := p * fx
				vm := v + m*fx
				lvm := math.Log(vm)
				lm := lnm[i]
				ll += w * (lg[x] + base + (px-1)*lm + px*lnx[x] - (px+q)*lvm)
				gp += w * fx * (dg[x] + lm + lnx[x] - lvm)
				gq += w * (dq[x] - psiQ + lnv - lvm)
				gv += w * (q/v - (px+q)/vm)
			}
			g[0], g[1], g[2] = gp*p, gq*q, gv*v
			return ll
		}, grad)
	}
	theta, info, err := minimize([]float64{0.1, 0.1, 0.1}, d.n, evaluate)
	g := GammaGamma{P: math.Exp(theta[0]), Q: math.Exp(theta[1]), V: math.Exp(theta[2])}
	info.LogLik = evaluate(theta, make([]float64, 3)) // spend has no time scale: the fit's own sum
	info.Customers, info.Patterns = int(d.n), len(d.X)
	if se, ok := standardErrors(theta, evaluate); ok {
		info.SE = map[string]float64{"p": se[0], "q": se[1], "v": se[2]}
	}
	if g.Q <= 1 && err == nil {
		err = fmt.Errorf("analytics: Gamma-Gamma: q = %.3f ≤ 1, the population mean spend is undefined; customers' own means are used", g.Q)
	}
	return g, info, err
}
