package analytics_test

import (
	"math"
	"testing"

	"github.com/retainhq/retain/internal/analytics"
)

var (
	bgP = analytics.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	bgF = analytics.BGNBD{R: 0.242593, Alpha: 4.413532, A: 0.792886, B: 2.425752}
)

func TestBGNBDFixtures(t *testing.T) {
	rel(t, "E[Y(39)|cust1] P", bgP.ExpectedY(39, 2, 30.43, 38.86), 1.2260282, 1e-6)
	rel(t, "P(alive|cust1) P", bgP.PAlive(2, 30.43, 38.86), 0.7265786, 1e-6)
	rel(t, "E[Y(39)|cust1] F", bgF.ExpectedY(39, 2, 30.43, 38.86), 1.2259104, 1e-4)
	rel(t, "P(alive|cust1) F", bgF.PAlive(2, 30.43, 38.86), 0.7266091, 1e-4)
	near(t, "P(alive|7,29.43,38.86)", bgF.PAlive(7, 29.43, 38.86), 0.6418, 1e-4)
	near(t, "E[Y(39)|7,29.43,38.86]", bgF.ExpectedY(39, 7, 29.43, 38.86), 3.3372, 1e-4)
	rel(t, "E[Y(39)|0,0,38.86]", bgF.ExpectedY(39, 0, 0, 38.86), 0.19478, 1e-4)
	for i, tt := range []float64{0.1429, 1, 3, 31.8571, 32, 78} {
		// printed to 7 decimals: half a unit of the last digit
		near(t, "E[X] P", bgP.ExpectedX(tt), []float64{0.0078283, 0.0532679, 0.1508652, 1.0419961, 1.0452433, 1.8605191}[i], 5e-8)
		rel(t, "E[X] F", bgF.ExpectedX(tt), []float64{0.0078161, 0.0531848, 0.1506320, 1.0404945, 1.0437374, 1.8579721}[i], 1e-4)
	}
	near(t, "P(X(2)=10)", bgP.ProbN(2, 10), 1.07869e-07, 1e-4)
	rel(t, "P(X(2)=10) tight", bgP.ProbN(2, 10), 1.07869e-07, 1e-4)
	rel(t, "P(X(39)=0)", bgP.ProbN(39, 0), 0.5737864, 1e-6)
	for i, want := range []float64{0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638, 0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260} {
		rel(t, "P(X(30)=n)", bgP.ProbN(30, 11+i), want, 1e-6)
	}
	logp := analytics.BGNBD{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}
	rel(t, "ℓ(0,0,40)", logp.LogLik(0, 0, 40), -0.59947382, 1e-7)
	rel(t, "ℓ(200,38,40)", logp.LogLik(200, 38, 40), 100.79569, 1e-7)
	// §3.7 next-order fixtures.
	for i, w := range []float64{4, 13, 52} {
		rel(t, "S(w) cust1", bgP.Survival(w, 2, 30.43, 38.86), []float64{0.8693057, 0.6765091, 0.3971586}[i], 1e-6)
		rel(t, "S(w) 7", bgP.Survival(w, 7, 29.43, 38.86), []float64{0.6965210, 0.4539814, 0.3603564}[i], 1e-6)
	}
	rel(t, "median wait", bgP.WaitQuantile(0.5, 2, 38.86), 15.669, 1e-4)
	rel(t, "quartile wait", bgP.WaitQuantile(0.25, 2, 38.86), 5.922, 1e-3)
	rel(t, "median wait 7", bgP.WaitQuantile(0.5, 7, 38.86), 4.346, 1e-3)
}

func TestBGNBDGuards(t *testing.T) {
	if v := bgF.PAlive(0, 1, 1); v != 1 {
		t.Errorf("P(alive|0,1,1) = %v", v)
	}
	if v := bgF.PAlive(1000, 10, 100); v != 0 {
		t.Errorf("P(alive|1000,10,100) = %v", v)
	}
	for x := 0; x <= 90; x += 10 {
		for tx := 0.0; tx <= 90; tx += 10 {
			if v := bgF.PAlive(x, tx, 100); v < 0 || v > 1 || math.IsNaN(v) {
				t.Fatalf("P(alive|%d,%v,100) = %v", x, tx, v)
			}
		}
	}
	scaled := analytics.BGNBD{R: bgF.R, Alpha: bgF.Alpha * 10, A: bgF.A, B: bgF.B}
	near(t, "×10 invariance", scaled.PAlive(3, 304.3, 388.6), bgF.PAlive(3, 30.43, 38.86), 1e-4)
	// P2: the direct ₂F₁ overflows here; the Euler form must not.
	if v := bgF.ExpectedY(520, 400, 30, 30); math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		t.Errorf("E[Y(520)|400,30,30] = %v", v)
	}
	// a + b < 1 (P3).
	low := analytics.BGNBD{R: 0.3, Alpha: 5, A: 0.4, B: 0.5}
	for x := 0; x < 5; x++ {
		if v := low.ExpectedY(39, x, 20, 39); math.IsNaN(v) || v < 0 {
			t.Errorf("a+b<1: E[Y|x=%d] = %v", x, v)
		}
	}
}
