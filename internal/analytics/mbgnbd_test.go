package analytics_test

import (
	"math"
	"testing"

	"github.com/retainhq/retain/internal/analytics"
)

var mbgM = analytics.MBGNBD{R: 0.524838, Alpha: 6.182988, A: 0.891356, B: 1.614000}

func TestMBGNBDFitCDNOW(t *testing.T) {
	p, _ := analytics.Group(summaryRFM(t))
	m, info, err := analytics.FitMBGNBD(p)
	if err != nil {
		t.Fatalf("fit: %v (%+v)", err, info)
	}
	rel(t, "r", m.R, mbgM.R, 1e-3)
	rel(t, "alpha", m.Alpha, mbgM.Alpha, 1e-3)
	rel(t, "a", m.A, mbgM.A, 1e-3)
	rel(t, "b", m.B, mbgM.B, 1e-3)
	near(t, "LL", info.LogLik, -9582.1327, 1e-3)
}

func TestMBGNBDFixtures(t *testing.T) {
	rel(t, "E[Y(39)|cust1]", mbgM.ExpectedY(39, 2, 30.43, 38.86), 1.26267, 1e-4)
	rel(t, "P(alive|cust1)", mbgM.PAlive(2, 30.43, 38.86), 0.70613, 1e-4)
	rel(t, "P(alive|0,0,38.86)", mbgM.PAlive(0, 0, 38.86), 0.38972, 1e-4)
	for i, tt := range []float64{0.1429, 1, 3, 31.8571, 32, 78} {
		near(t, "E[X]", mbgM.ExpectedX(tt), []float64{0.00778, 0.05306, 0.15079, 1.03347, 1.03661, 1.80364}[i], 5e-6)
	}
	if v := mbgM.PAlive(0, 1, 1); v >= 1 {
		t.Errorf("P(alive|0,1,1) = %v, want < 1", v)
	}
	for i, w := range []float64{4, 13, 52} {
		rel(t, "S(w)", mbgM.Survival(w, 2, 30.43, 38.86), []float64{0.8635004, 0.6661289, 0.3955595}[i], 1e-5)
	}
}

// TestDegenerateFitDoesNotHang: the parameters a scoring run once fitted to
// orders that all lay months before the calibration end. Predicting with
// them used to loop in the hypergeometric series; now it ends, with finite
// answers.
func TestDegenerateFitDoesNotHang(t *testing.T) {
	m := analytics.MBGNBD{R: 4.663251489002341e+07, Alpha: 1.8746183560207844e+09, A: 2.733217022803333e+11, B: 1.0970474154694272e+12}
	for _, v := range []float64{m.ExpectedY(90, 4, 160, 436), m.ExpectedX(90), m.PAlive(4, 160, 436)} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Errorf("got %v, want a finite, non-negative number", v)
		}
	}
}
