package analytics_test

import (
	"math"
	"testing"

	"github.com/retainhq/retain/internal/analytics"
)

var pnB = analytics.ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 0.6061, Beta: 11.6562}

func TestParetoNBDFitCDNOW(t *testing.T) {
	p, _ := analytics.Group(summaryRFM(t))
	m, info, err := analytics.FitParetoNBD(p)
	if err != nil {
		t.Fatalf("fit: %v (%+v)", err, info)
	}
	near(t, "r", m.R, 0.553, 0.005)
	near(t, "alpha", m.Alpha, 10.578, 0.005)
	near(t, "s", m.S, 0.606, 0.005)
	near(t, "beta", m.Beta, 11.669, 0.02)
	rel(t, "r (reproduced)", m.R, 0.553282, 1e-3)
	rel(t, "s (reproduced)", m.S, 0.606171, 1e-3)
	near(t, "LL", info.LogLik, -9594.9739, 1e-3)
	t.Logf("Pareto/NBD %+v; %+v", m, info)
}

func TestParetoNBDFixtures(t *testing.T) {
	near(t, "LL at BTYD params", analytics.SumLogLik(t, pnB.LogLik, summaryRFM(t)), -9594.97396, 1e-3)
	near(t, "P(alive|26,30.86,31)", pnB.PAlive(26, 30.86, 31), 0.99792, 1e-5)
	near(t, "E[Y(52)|26,30.86,31]", pnB.ExpectedY(52, 26, 30.86, 31), 25.4549, 1e-4)
	rel(t, "E[Y(39)|cust1]", pnB.ExpectedY(39, 2, 30.43, 38.86), 1.45509, 1e-5)
	rel(t, "P(alive|cust1)", pnB.PAlive(2, 30.43, 38.86), 0.86911, 1e-5)
	for i, want := range []float64{0, 0.0510045, 0.0996209, 0.1461243, 0.1907419, 0.2336638, 0.2750506, 0.3150399, 0.3537502, 0.3912843} {
		near(t, "E[X(t)]", pnB.ExpectedX(float64(i)), want, 5e-8)
	}
	for i, w := range []float64{4, 13, 52} {
		rel(t, "S(w) cust1", pnB.Survival(w, 2, 30.43, 38.86), []float64{0.8468592, 0.6330949, 0.3685265}[i], 1e-6)
	}
	rel(t, "median wait", pnB.MedianWait(2, 30.43, 38.86), 12.166, 1e-4)
	rel(t, "P(further)", pnB.PFurther(2, 30.43, 38.86), 0.70458, 1e-4)
}

func TestParetoNBDGuards(t *testing.T) {
	under := analytics.ParetoNBD{R: 0.55, Alpha: 10.58, S: 0.61, Beta: 11.67}
	a, b := under.ExpectedY(10, 132, 200, 200), under.ExpectedY(10, 133, 200, 200)
	near(t, "E[Y(10)|132,200,200]", a, 6.206, 0.005)
	near(t, "E[Y(10)|133,200,200]", b, 6.253, 0.005)
	over := analytics.ParetoNBD{R: 10.465, Alpha: 7.98565181e-03, S: 3.0516, Beta: 2.820}
	for i, x := range []int{400, 500, 500} {
		tx, T := []float64{5, 1, 4}[i], []float64{6, 37, 37}[i]
		if ll := over.LogLik(x, tx, T); math.IsNaN(ll) || math.IsInf(ll, 0) {
			t.Errorf("ℓ(%d,%v,%v) = %v", x, tx, T, ll)
		}
	}
	for i, x := range []int{40, 50, 50} {
		tx, T := []float64{5, 1, 4}[i], []float64{6, 37, 37}[i]
		if v := over.PAlive(x, tx, T); math.IsNaN(v) || v < 0 || v > 1 {
			t.Errorf("P(alive|%d) = %v", x, v)
		}
	}
	if v := pnB.PAlive(3, 20, 20); v != 1 { // t_x = T: A0 = 0, ln A0 = −Inf
		t.Errorf("P(alive | t_x = T) = %v", v)
	}
	s1 := analytics.ParetoNBD{R: 0.5, Alpha: 10, S: 1, Beta: 12}
	if v := s1.ExpectedY(39, 2, 30, 38); math.IsNaN(v) || v <= 0 {
		t.Errorf("s = 1: E[Y] = %v", v)
	}
}
