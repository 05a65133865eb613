package analytics

import (
	"fmt"
	"math"
)

// ParetoNBD is the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987;
// §4.4): purchases at rate λ ~ Gamma(R, Alpha) while alive; an exponential
// lifetime with rate μ ~ Gamma(S, Beta).
type ParetoNBD struct{ R, Alpha, S, Beta float64 }

// logA0Terms returns ℓ1 and ℓ2, the logs of the two terms whose difference
// is A0 (note 009), in the Euler forms that keep ln ₂F₁ finite for large x.
func (m ParetoNBD) logA0Terms(x int, tx, T float64) (l1, l2 float64) {
	l1, _ = m.term(float64(x), tx)
	l2, _ = m.term(float64(x), T)
	return l1, l2
}

// term is ln of one A0 term at time t, and its gradient with respect to
// (r, α, s, β). With the Euler transform it simplifies to
//
//	α ≥ β: −(r+x)·ln(α+t) − s·ln(β+t) + ln ₂F₁(1, r+x; k+1; (α−β)/(α+t))
//	α < β: (1−r−x)·ln(α+t) − (s+1)·ln(β+t) + ln ₂F₁(1, s+1; k+1; (β−α)/(β+t))
//
// with k = r+s+x.
func (m ParetoNBD) term(fx, t float64) (float64, [4]float64) {
	r, a, s, b := m.R, m.Alpha, m.S, m.Beta
	la, lb := math.Log(a+t), math.Log(b+t)
	c := r + s + fx + 1
	if a >= b {
		z := (a - b) / (a + t)
		f, fb, fc, fz := lnHyp1(r+fx, c, z)
		return -(r+fx)*la - s*lb + f, [4]float64{
			-la + fb + fc,
			-(r+fx)/(a+t) + fz*(b+t)/((a+t)*(a+t)),
			-lb + fc,
			-s/(b+t) - fz/(a+t),
		}
	}
	z := (b - a) / (b + t)
	f, fb, fc, fz := lnHyp1(s+1, c, z)
	return (1-r-fx)*la - (s+1)*lb + f, [4]float64{
		-la + fc,
		(1-r-fx)/(a+t) - fz/(b+t),
		-lb + fb + fc,
		-(s+1)/(b+t) + fz*(a+t)/((b+t)*(b+t)),
	}
}

// gradLogLikRest is logLikRest and its gradient with respect to (r, α, s, β).
func (m ParetoNBD) gradLogLikRest(fx, tx, T float64) (float64, [4]float64) {
	r, a, s, b := m.R, m.Alpha, m.S, m.Beta
	k := r + s + fx
	A := -(r+fx)*math.Log(a+T) - s*math.Log(b+T)
	dA := [4]float64{-math.Log(a + T), -(r + fx) / (a + T), -math.Log(b + T), -s / (b + T)}
	base := r*math.Log(a) + s*math.Log(b)
	g := [4]float64{math.Log(a), r / a, math.Log(b), s / b}
	l1, d1 := m.term(fx, tx)
	l2, d2 := m.term(fx, T)
	if l2 >= l1 { // t_x = T: A0 = 0
		for i := range g {
			g[i] += dA[i]
		}
		return base + A, g
	}
	q := math.Exp(l2 - l1)
	lnA0 := l1 + math.Log1p(-q)
	B := math.Log(s) - math.Log(k) + lnA0
	lse := logsumexp(A, B)
	wA := math.Exp(A - lse)
	wB := 1 - wA
	dB := [4]float64{-1 / k, 0, 1/s - 1/k, 0}
	for i := range g {
		dB[i] += (d1[i] - q*d2[i]) / (1 - q)
		g[i] += wA*dA[i] + wB*dB[i]
	}
	return base + lse, g
}

// logA0 is ln A0 = ℓ1 + ln(−expm1(ℓ2−ℓ1)); −Inf when t_x = T (P5).
func (m ParetoNBD) logA0(x int, tx, T float64) float64 {
	l1, l2 := m.logA0Terms(x, tx, T)
	if l2 >= l1 {
		return math.Inf(-1)
	}
	return l1 + math.Log(-math.Expm1(l2-l1))
}

// LogLik is one customer's log-likelihood.
func (m ParetoNBD) LogLik(x int, tx, T float64) float64 {
	fx := float64(x)
	return lgamma(m.R+fx) - lgamma(m.R) + m.logLikRest(x, tx, T, fx)
}

// logLikRest is ℓ without lnΓ(r+x) − lnΓ(r), which the fit takes from a table.
func (m ParetoNBD) logLikRest(x int, tx, T, fx float64) float64 {
	k := m.R + m.S + fx
	a := -(m.R+fx)*math.Log(m.Alpha+T) - m.S*math.Log(m.Beta+T)
	return m.R*math.Log(m.Alpha) + m.S*math.Log(m.Beta) + logsumexp(a, math.Log(m.S)-math.Log(k)+m.logA0(x, tx, T))
}

// PAlive is P(alive | x, t_x, T).
func (m ParetoNBD) PAlive(x int, tx, T float64) float64 {
	fx := float64(x)
	k := m.R + m.S + fx
	a := -(m.R+fx)*math.Log(m.Alpha+T) - m.S*math.Log(m.Beta+T)
	return clamp01(math.Exp(a - logsumexp(a, math.Log(m.S)-math.Log(k)+m.logA0(x, tx, T))))
}

// ExpectedX is E[X(t)] for a new customer; finite as s → 1 (P6).
func (m ParetoNBD) ExpectedX(t float64) float64 {
	return finite(m.R*m.Beta/m.Alpha*expm1Ratio(m.S-1, m.Beta/(m.Beta+t)), 0)
}

// ExpectedY is E[Y(t) | x, t_x, T].
func (m ParetoNBD) ExpectedY(t float64, x int, tx, T float64) float64 {
	return m.expectedYCurve(x, tx, T)(t)
}

func (m ParetoNBD) expectedYCurve(x int, tx, T float64) func(float64) float64 {
	fx := float64(x)
	pre := m.PAlive(x, tx, T) * (m.R + fx) * (m.Beta + T) / (m.Alpha + T)
	return func(t float64) float64 {
		if t <= 0 {
			return 0
		}
		return math.Max(0, finite(pre*expm1Ratio(m.S-1, (m.Beta+T)/(m.Beta+T+t)), 0))
	}
}

// Survival is S(w) = P(no purchase in (T, T+w] | x, t_x, T), by the identity
// S(w) = exp(ℓ(x, t_x, T+w) − ℓ(x, t_x, T)) of §4.7.
func (m ParetoNBD) Survival(w float64, x int, tx, T float64) float64 {
	fx := float64(x)
	return clamp01(math.Exp(m.logLikRest(x, tx, T+w, fx) - m.logLikRest(x, tx, T, fx)))
}

// PFurther is P(any further purchase) = 1 − S(∞).
func (m ParetoNBD) PFurther(x int, tx, T float64) float64 {
	fx := float64(x)
	k := m.R + m.S + fx
	l1, _ := m.logA0Terms(x, tx, T)
	inf := m.R*math.Log(m.Alpha) + m.S*math.Log(m.Beta) + math.Log(m.S) - math.Log(k) + l1
	return clamp01(1 - math.Exp(inf-m.logLikRest(x, tx, T, fx)))
}

// MedianWait solves S(w) = 1 − ½·P(further) by bisection: the median wait
// for the next purchase given there is one (§4.7). S is monotone.
func (m ParetoNBD) MedianWait(x int, tx, T float64) float64 {
	target := 1 - 0.5*m.PFurther(x, tx, T)
	lo, hi := 0.0, math.Max(1, T)
	for m.Survival(hi, x, tx, T) > target && hi < 1e7 {
		hi *= 2
	}
	for i := 0; i < 100 && hi-lo > 1e-9*hi; i++ {
		mid := (lo + hi) / 2
		if m.Survival(mid, x, tx, T) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// FitParetoNBD fits Pareto/NBD by maximum likelihood with BFGS and the
// analytic gradient of gradLogLikRest, from a fixed start: deterministic,
// unlike lifetimes' random Nelder-Mead start.
func FitParetoNBD(p *Patterns) (ParetoNBD, FitInfo, error) {
	if p.Len() == 0 {
		return ParetoNBD{}, FitInfo{}, fmt.Errorf("analytics: Pareto/NBD: no customers with purchases")
	}
	c := 1 / p.maxT()
	sp := p.scaled(c)
	evaluate := func(theta, grad []float64) float64 {
		m := ParetoNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]), S: math.Exp(theta[2]), Beta: math.Exp(theta[3])}
		lg := make([]float64, sp.maxX+1)
		dr := make([]float64, sp.maxX+1)
		for j := 0; j < sp.maxX; j++ {
			lg[j+1] = lg[j] + math.Log(m.R+float64(j))
			dr[j+1] = dr[j] + 1/(m.R+float64(j))
		}
		return sumParallel(sp.Len(), 4, theta, func(_ []float64, lo, hi int, g []float64) float64 {
			ll := 0.0
			var acc [4]float64
			for i := lo; i < hi; i++ {
				x, w := sp.X[i], sp.W[i]
				v, d := m.gradLogLikRest(float64(x), sp.Tx[i], sp.T[i])
				ll += w * (lg[x] + v)
				d[0] += dr[x]
				for j := range acc {
					acc[j] += w * d[j]
				}
			}
			g[0], g[1], g[2], g[3] = acc[0]*m.R, acc[1]*m.Alpha, acc[2]*m.S, acc[3]*m.Beta
			return ll
		}, grad)
	}
	theta, info, err := minimize([]float64{0, 0, 0, 0}, sp.sumW, evaluate)
	m := ParetoNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]) / c, S: math.Exp(theta[2]), Beta: math.Exp(theta[3]) / c}
	info.LogLik = sumLogLik(p, m.LogLik)
	info.Customers, info.Patterns = int(p.sumW), p.Len()
	if se, ok := standardErrors(theta, evaluate); ok {
		info.SE = map[string]float64{"r": se[0], "alpha": se[1] / c, "s": se[2], "beta": se[3] / c}
	}
	return m, info, err
}
