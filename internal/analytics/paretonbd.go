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
// is A0 (note 009), using the Euler forms that keep ln ₂F₁ finite for large x.
func (m ParetoNBD) logA0Terms(x int, tx, T float64) (l1, l2 float64) {
	fx := float64(x)
	k := m.R + m.S + fx
	term := func(t float64) float64 {
		if m.Alpha >= m.Beta {
			z := (m.Alpha - m.Beta) / (m.Alpha + t)
			return -m.S*math.Log1p(-z) + math.Log(hyp2f1(1, m.R+fx, k+1, z)) - k*math.Log(m.Alpha+t)
		}
		z := (m.Beta - m.Alpha) / (m.Beta + t)
		return (1-m.R-fx)*math.Log1p(-z) + math.Log(hyp2f1(1, m.S+1, k+1, z)) - k*math.Log(m.Beta+t)
	}
	return term(tx), term(T)
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
	if t <= 0 {
		return 0
	}
	fx := float64(x)
	v := m.PAlive(x, tx, T) * (m.R + fx) * (m.Beta + T) / (m.Alpha + T) * expm1Ratio(m.S-1, (m.Beta+T)/(m.Beta+T+t))
	return math.Max(0, finite(v, 0))
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

// FitParetoNBD fits Pareto/NBD by maximum likelihood. Its gradient has no
// convenient closed form, so BFGS runs on central differences of the
// (parallel, per-distinct-x) objective, from a fixed start: deterministic,
// unlike lifetimes' random Nelder-Mead start.
func FitParetoNBD(p *Patterns) (ParetoNBD, FitInfo, error) {
	if p.Len() == 0 {
		return ParetoNBD{}, FitInfo{}, fmt.Errorf("analytics: Pareto/NBD: no customers with purchases")
	}
	c := 1 / p.maxT()
	sp := p.scaled(c)
	value := func(theta []float64) float64 {
		m := ParetoNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]), S: math.Exp(theta[2]), Beta: math.Exp(theta[3])}
		lg := make([]float64, sp.maxX+1)
		for j := 0; j < sp.maxX; j++ {
			lg[j+1] = lg[j] + math.Log(m.R+float64(j))
		}
		return sumParallel(sp.Len(), 0, theta, func(_ []float64, lo, hi int, _ []float64) float64 {
			s := 0.0
			for i := lo; i < hi; i++ {
				x := sp.X[i]
				s += sp.W[i] * (lg[x] + m.logLikRest(x, sp.Tx[i], sp.T[i], float64(x)))
			}
			return s
		}, nil)
	}
	evaluate := func(theta, grad []float64) float64 {
		const h = 1e-6
		v := value(theta)
		x := append([]float64(nil), theta...)
		for i := range theta {
			x[i] = theta[i] + h
			up := value(x)
			x[i] = theta[i] - h
			down := value(x)
			x[i] = theta[i]
			grad[i] = (up - down) / (2 * h)
		}
		return v
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
