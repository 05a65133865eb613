package analytics

import (
	"fmt"
	"math"
)

// MBGNBD is the modified BG/NBD model (Batislam et al. 2007; §4.3): like
// BG/NBD, but a customer may also drop out right after the first purchase,
// so P(alive) < 1 even for one-time buyers (P12).
type MBGNBD struct{ R, Alpha, A, B float64 }

// LogLik is one customer's log-likelihood.
func (m MBGNBD) LogLik(x int, tx, T float64) float64 {
	fx := float64(x)
	a1 := lgamma(m.R+fx) - lgamma(m.R) + m.R*math.Log(m.Alpha)
	a2 := lgamma(m.A+m.B) + lgamma(m.B+fx+1) - lgamma(m.B) - lgamma(m.A+m.B+fx+1)
	a3 := -(m.R + fx) * math.Log(m.Alpha+T)
	a4 := math.Log(m.A) - math.Log(m.B+fx) + (m.R+fx)*(math.Log(m.Alpha+T)-math.Log(m.Alpha+tx))
	return a1 + a2 + a3 + log1pexp(a4)
}

// PAlive is P(alive | x, t_x, T).
func (m MBGNBD) PAlive(x int, tx, T float64) float64 {
	fx := float64(x)
	z := math.Log(m.A/(m.B+fx)) + (m.R+fx)*math.Log((m.Alpha+T)/(m.Alpha+tx))
	return clamp01(logistic(-z))
}

// ExpectedX is E[X(t)] for a new customer.
func (m MBGNBD) ExpectedX(t float64) float64 {
	z := t / (m.Alpha + t)
	a1 := safeA(m.A)
	// (α/(α+t))^r·₂F₁(r, b+1; a+b; z) = (1−z)^(a−1)·₂F₁(a+b−r, a−1; a+b; z) (Euler).
	br := math.Pow(1-z, a1-1) * hyp2f1(a1+m.B-m.R, a1-1, a1+m.B, z)
	return finite(m.B/(a1-1)*(1-br), 0)
}

// ExpectedY is E[Y(t) | x, t_x, T], in the overflow-free Euler form.
func (m MBGNBD) ExpectedY(t float64, x int, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	fx := float64(x)
	a1 := safeA(m.A)
	z := t / (m.Alpha + T + t)
	br := 1 - math.Pow(1-z, a1-1)*hyp2f1(a1+m.B-m.R, a1-1, a1+m.B+fx, z)
	num := (a1 + m.B + fx) / (a1 - 1) * br
	den := 1 + math.Exp(math.Log(m.A/(m.B+fx))+(m.R+fx)*math.Log((m.Alpha+T)/(m.Alpha+tx)))
	return math.Max(0, finite(num/den, 0))
}

// Survival is S(w) = P(no purchase in (T, T+w] | x, t_x, T).
func (m MBGNBD) Survival(w float64, x int, tx, T float64) float64 {
	pa := m.PAlive(x, tx, T)
	return clamp01(1 - pa + pa*math.Pow((m.Alpha+T)/(m.Alpha+T+w), m.R+float64(x)))
}

// WaitQuantile is the q-quantile of the wait for the next purchase given alive.
func (m MBGNBD) WaitQuantile(q float64, x int, T float64) float64 {
	return (m.Alpha + T) * (math.Pow(1-q, -1/(m.R+float64(x))) - 1)
}

// mbgTerms are the per-x sums for the MBG/NBD objective.
type mbgTerms struct {
	lgr, dr, lgb, db, dab []float64 // over j < x: ln(r+j), 1/(r+j); over j ≤ x: ln(b+j)−ln(a+b+j), 1/(b+j), 1/(a+b+j)
}

func (t *mbgTerms) build(r, a, b float64, maxX int) {
	n := maxX + 1
	t.lgr, t.dr, t.lgb, t.db, t.dab = grow(t.lgr, n), grow(t.dr, n), grow(t.lgb, n), grow(t.db, n), grow(t.dab, n)
	t.lgr[0], t.dr[0] = 0, 0
	t.lgb[0], t.db[0], t.dab[0] = math.Log(b)-math.Log(a+b), 1/b, 1/(a+b)
	for j := 1; j <= maxX; j++ {
		fj := float64(j)
		t.lgr[j] = t.lgr[j-1] + math.Log(r+fj-1)
		t.dr[j] = t.dr[j-1] + 1/(r+fj-1)
		t.lgb[j] = t.lgb[j-1] + math.Log(b+fj) - math.Log(a+b+fj)
		t.db[j] = t.db[j-1] + 1/(b+fj)
		t.dab[j] = t.dab[j-1] + 1/(a+b+fj)
	}
}

func mbgObjective(p *Patterns, theta []float64, tm *mbgTerms, lo, hi int, grad []float64) float64 {
	r, alpha, a, b := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
	lnAlpha := math.Log(alpha)
	var ll, gr, gal, ga, gb float64
	for i := lo; i < hi; i++ {
		x, tx, T, w := p.X[i], p.Tx[i], p.T[i], p.W[i]
		fx := float64(x)
		lT, ltx := math.Log(alpha+T), math.Log(alpha+tx)
		a4 := math.Log(a) - math.Log(b+fx) + (r+fx)*(lT-ltx)
		s := logistic(a4)
		// lnΓ(b+x+1)−lnΓ(b)−lnΓ(a+b+x+1)+lnΓ(a+b) = Σ_{j≤x} ln(b+j) − ln(a+b+j)
		ll += w * (tm.lgr[x] + r*lnAlpha + tm.lgb[x] - (r+fx)*lT + log1pexp(a4))
		gr += w * (tm.dr[x] + lnAlpha - lT + s*(lT-ltx))
		gal += w * (r/alpha - (r+fx)/(alpha+T) + s*(r+fx)*(1/(alpha+T)-1/(alpha+tx)))
		ga += w * (-tm.dab[x] + s/a)
		gb += w * (tm.db[x] - tm.dab[x] - s/(b+fx))
	}
	grad[0], grad[1], grad[2], grad[3] = gr*r, gal*alpha, ga*a, gb*b
	return ll
}

// FitMBGNBD fits MBG/NBD by maximum likelihood.
func FitMBGNBD(p *Patterns) (MBGNBD, FitInfo, error) {
	if p.Len() == 0 {
		return MBGNBD{}, FitInfo{}, fmt.Errorf("analytics: MBG/NBD: no customers with purchases")
	}
	c := 1 / p.maxT()
	sp := p.scaled(c)
	evaluate := func(theta, grad []float64) float64 {
		var tm mbgTerms
		tm.build(math.Exp(theta[0]), math.Exp(theta[2]), math.Exp(theta[3]), sp.maxX)
		return sumParallel(sp.Len(), 4, theta, func(th []float64, lo, hi int, g []float64) float64 {
			return mbgObjective(sp, th, &tm, lo, hi, g)
		}, grad)
	}
	theta, info, err := minimize([]float64{0.1, 0.1, 0.1, 0.1}, sp.sumW, evaluate)
	m := MBGNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]) / c, A: math.Exp(theta[2]), B: math.Exp(theta[3])}
	info.LogLik = sumLogLik(p, m.LogLik)
	info.Customers, info.Patterns = int(p.sumW), p.Len()
	if se, ok := standardErrors(theta, evaluate); ok {
		info.SE = map[string]float64{"r": se[0], "alpha": se[1] / c, "a": se[2], "b": se[3]}
	}
	return m, info, err
}
