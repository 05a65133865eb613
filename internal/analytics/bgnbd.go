package analytics

import (
	"fmt"
	"math"
)

// BGNBD is the BG/NBD model (Fader, Hardie & Lee 2005; §4.2): purchases at
// rate λ ~ Gamma(R, Alpha) while alive; after each repeat purchase the
// customer drops out with probability p ~ Beta(A, B).
type BGNBD struct{ R, Alpha, A, B float64 }

// LogLik is one customer's log-likelihood ℓ(x, t_x, T), in log-sum-exp form
// (Hardie note 027), so it stays finite for large x and T (P4).
func (m BGNBD) LogLik(x int, tx, T float64) float64 {
	fx := float64(x)
	a12 := lgamma(m.R+fx) - lgamma(m.R) + m.R*math.Log(m.Alpha) +
		lgamma(m.A+m.B) + lgamma(m.B+fx) - lgamma(m.B) - lgamma(m.A+m.B+fx)
	a3 := -(m.R + fx) * math.Log(m.Alpha+T)
	if x == 0 {
		return a12 + a3
	}
	a4 := math.Log(m.A) - math.Log(m.B+fx-1) - (m.R+fx)*math.Log(m.Alpha+tx)
	return a12 + logsumexp(a3, a4)
}

// PAlive is P(alive | x, t_x, T); 1 for x = 0 by the model's construction
// (P12: do not rank one-time buyers by it).
func (m BGNBD) PAlive(x int, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	fx := float64(x)
	z := (m.R+fx)*math.Log((m.Alpha+T)/(m.Alpha+tx)) + math.Log(m.A/(m.B+fx-1))
	return clamp01(logistic(-z))
}

// ExpectedX is E[X(t)], the purchases of a new customer in (0, t] (eq. 9).
func (m BGNBD) ExpectedX(t float64) float64 {
	z := t / (m.Alpha + t)
	a1 := safeA(m.A)
	// (α/(α+t))^r·₂F₁(r, b; a+b−1; z) = (1−z)^(a−1)·₂F₁(a+b−1−r, a−1; a+b−1; z) (Euler).
	br := math.Pow(1-z, a1-1) * hyp2f1(a1+m.B-1-m.R, a1-1, a1+m.B-1, z)
	return finite((a1+m.B-1)/(a1-1)*(1-br), 0)
}

// ExpectedY is E[Y(t) | x, t_x, T], the expected purchases in (T, T+t]
// (eq. 10), always in the Euler-transformed form that cannot overflow (P2).
func (m BGNBD) ExpectedY(t float64, x int, tx, T float64) float64 {
	return m.expectedYCurve(x, tx, T)(t)
}

func (m BGNBD) expectedYCurve(x int, tx, T float64) func(float64) float64 {
	fx := float64(x)
	a1 := safeA(m.A)
	pre := (a1 + m.B + fx - 1) / (a1 - 1)
	den := 1.0
	if x > 0 {
		den += math.Exp(math.Log(m.A/(m.B+fx-1)) + (m.R+fx)*math.Log((m.Alpha+T)/(m.Alpha+tx)))
	}
	return func(t float64) float64 {
		if t <= 0 {
			return 0
		}
		z := t / (m.Alpha + T + t)
		br := 1 - math.Pow(1-z, a1-1)*hyp2f1(a1+m.B-1-m.R, a1-1, a1+m.B+fx-1, z)
		return math.Max(0, finite(pre*br/den, 0))
	}
}

// safeA moves a away from 1, where (a+b+x−1)/(a−1) is a removable 0/0 that
// cancels badly (P3).
func safeA(a float64) float64 {
	if math.Abs(a-1) < 1e-7 {
		return 1 + 1e-7
	}
	return a
}

// ProbN is P(X(t) = n) for a new customer (eq. 8).
func (m BGNBD) ProbN(t float64, n int) float64 {
	lb := func(u, v float64) float64 { return lgamma(u) + lgamma(v) - lgamma(u+v) }
	fn := float64(n)
	lq := math.Log(m.Alpha / (m.Alpha + t))
	lp := math.Log(t / (m.Alpha + t))
	term := func(j int) float64 { // ln[Γ(r+j)/(Γ(r) j!) · (t/(α+t))^j]
		fj := float64(j)
		return lgamma(m.R+fj) - lgamma(m.R) - lgamma(fj+1) + fj*lp
	}
	p := math.Exp(lb(m.A, m.B+fn) - lb(m.A, m.B) + term(n) + m.R*lq)
	if n > 0 {
		sum := 0.0
		for j := 0; j < n; j++ {
			sum += math.Exp(term(j))
		}
		p += math.Exp(lb(m.A+1, m.B+fn-1)-lb(m.A, m.B)) * (1 - math.Exp(m.R*lq)*sum)
	}
	return clamp01(p)
}

// Survival is S(w) = P(no purchase in (T, T+w] | x, t_x, T) (§4.7).
func (m BGNBD) Survival(w float64, x int, tx, T float64) float64 {
	pa := m.PAlive(x, tx, T)
	return clamp01(1 - pa + pa*math.Pow((m.Alpha+T)/(m.Alpha+T+w), m.R+float64(x)))
}

// WaitQuantile is the q-quantile of the wait for the next purchase given the
// customer is alive: Lomax(r+x, α+T) (§4.7).
func (m BGNBD) WaitQuantile(q float64, x int, T float64) float64 {
	return (m.Alpha + T) * (math.Pow(1-q, -1/(m.R+float64(x))) - 1)
}

// bgnbdTerms is what ℓ and its gradient need for one distinct x, built once
// per evaluation for all x up to the largest (§6.3: one lgamma per distinct x).
type bgnbdTerms struct {
	lg, dr, db, dab []float64 // Σ ln(r+j)+ln(b+j)−ln(a+b+j); Σ 1/(r+j); Σ 1/(b+j); Σ 1/(a+b+j), j < x
	lab             []float64 // ln a − ln(b+x−1), x ≥ 1
}

func (t *bgnbdTerms) build(r, a, b float64, maxX int) {
	t.lg, t.dr, t.db, t.dab = grow(t.lg, maxX+1), grow(t.dr, maxX+1), grow(t.db, maxX+1), grow(t.dab, maxX+1)
	t.lg[0], t.dr[0], t.db[0], t.dab[0] = 0, 0, 0, 0
	t.lab = grow(t.lab, maxX+1)
	for x := 1; x <= maxX; x++ {
		t.lab[x] = math.Log(a) - math.Log(b+float64(x)-1)
	}
	for j := 0; j < maxX; j++ {
		fj := float64(j)
		t.lg[j+1] = t.lg[j] + math.Log(r+fj) + math.Log(b+fj) - math.Log(a+b+fj)
		t.dr[j+1] = t.dr[j] + 1/(r+fj)
		t.db[j+1] = t.db[j] + 1/(b+fj)
		t.dab[j+1] = t.dab[j] + 1/(a+b+fj)
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// bgnbdObjective is Σw·ℓ and its gradient in log-parameters over patterns.
func bgnbdObjective(p *Patterns, theta []float64, terms *bgnbdTerms, lo, hi int, grad []float64) float64 {
	r, alpha, a, b := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
	lnAlpha := math.Log(alpha)
	var ll, gr, gal, ga, gb float64
	for i := lo; i < hi; i++ {
		x, tx, T, w := p.X[i], p.Tx[i], p.T[i], p.W[i]
		fx := float64(x)
		lT := math.Log(alpha + T)
		a3 := -(r + fx) * lT
		l := terms.lg[x] + r*lnAlpha
		w3, w4, ltx := 1.0, 0.0, 0.0
		if x > 0 {
			// logsumexp(A3, A4) = A3 + log1pexp(A4−A3), and the weight of A4
			// is logistic(A4−A3): one exp for both.
			ltx = math.Log(alpha + tx)
			d := terms.lab[x] - (r+fx)*(ltx-lT)
			e := math.Exp(-math.Abs(d))
			if d > 0 {
				l += a3 + d + math.Log1p(e)
				w4 = 1 / (1 + e)
			} else {
				l += a3 + math.Log1p(e)
				w4 = e / (1 + e)
			}
			w3 = 1 - w4
		} else {
			l += a3
		}
		ll += w * l
		gr += w * (terms.dr[x] + lnAlpha - w3*lT - w4*ltx)
		gal += w * (r/alpha - w3*(r+fx)/(alpha+T) - w4*(r+fx)/(alpha+tx))
		ga += w * (-terms.dab[x] + w4/a)
		g := terms.db[x] - terms.dab[x]
		if x > 0 {
			g -= w4 / (b + fx - 1)
		}
		gb += w * g
	}
	grad[0], grad[1], grad[2], grad[3] = gr*r, gal*alpha, ga*a, gb*b
	return ll
}

// FitBGNBD fits BG/NBD to the patterns by maximum likelihood.
func FitBGNBD(p *Patterns) (BGNBD, FitInfo, error) {
	if p.Len() == 0 {
		return BGNBD{}, FitInfo{}, fmt.Errorf("analytics: BG/NBD: no customers with purchases")
	}
	c := 1 / p.maxT()
	sp := p.scaled(c)
	evaluate := func(theta, grad []float64) float64 {
		var terms bgnbdTerms
		terms.build(math.Exp(theta[0]), math.Exp(theta[2]), math.Exp(theta[3]), sp.maxX)
		return sumParallel(sp.Len(), 4, theta, func(th []float64, lo, hi int, g []float64) float64 {
			return bgnbdObjective(sp, th, &terms, lo, hi, g)
		}, grad)
	}
	theta, info, err := minimize([]float64{0.1, 0.1, 0.1, 0.1}, sp.sumW, evaluate)
	m := BGNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]) / c, A: math.Exp(theta[2]), B: math.Exp(theta[3])}
	// The reported LL is on unscaled time (P1), by the same table-based sum.
	unscaled := []float64{theta[0], math.Log(m.Alpha), theta[2], theta[3]}
	var terms bgnbdTerms
	terms.build(m.R, m.A, m.B, p.maxX)
	info.LogLik = sumParallel(p.Len(), 4, unscaled, func(th []float64, lo, hi int, g []float64) float64 {
		return bgnbdObjective(p, th, &terms, lo, hi, g)
	}, make([]float64, 4))
	info.Customers, info.Patterns = int(p.sumW), p.Len()
	if se, ok := standardErrors(theta, evaluate); ok {
		info.SE = map[string]float64{"r": se[0], "alpha": se[1] / c, "a": se[2], "b": se[3]}
	}
	return m, info, err
}

// sumLogLik is Σw·ℓ on the unscaled patterns, the number to report (P1).
func sumLogLik(p *Patterns, ll func(x int, tx, T float64) float64) float64 {
	total := 0.0
	for i := range p.X {
		total += p.W[i] * ll(p.X[i], p.Tx[i], p.T[i])
	}
	return total
}
