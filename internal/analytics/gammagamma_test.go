package analytics_test

import (
	"testing"

	"github.com/retainhq/retain/internal/analytics"
)

var gg = analytics.GammaGamma{P: 6.25, Q: 3.74, V: 15.44}

func TestGammaGammaFitCDNOW(t *testing.T) {
	d := analytics.GroupSpend(summaryRFM(t))
	g, info, err := analytics.FitGammaGamma(d)
	if err != nil {
		t.Fatalf("fit: %v (%+v)", err, info)
	}
	rel(t, "p", g.P, 6.248802, 1e-4)
	rel(t, "q", g.Q, 3.744588, 1e-4)
	rel(t, "v", g.V, 15.447748, 1e-4)
	near(t, "LL", info.LogLik, -4055.9232, 1e-3)
	if info.Customers != 946 {
		t.Errorf("fit on %d repeaters, want 946", info.Customers)
	}
}

func TestGammaGammaAndCLVFixtures(t *testing.T) {
	rfm := summaryRFM(t)
	wantM := []float64{24.6637, 18.9169, 35.2190, 35.2190, 35.2190, 71.4697, 18.9169, 35.2190, 27.2884, 35.2190}
	wantCLV := []float64{36.2892, 4.6373, 8.3690, 8.3690, 8.3690, 283.5328, 6.8824, 8.3690, 43.3679, 8.3690}
	wantCLVF0 := []float64{38.5251, 4.9277, 8.8844, 8.8844, 8.8844, 300.7401, 7.3121, 8.8844, 46.0390, 8.8844}
	for i := 0; i < 10; i++ {
		r := rfm[i]
		em := gg.ExpectedSpend(r.X, r.M)
		rel(t, "E[M]", em, wantM[i], 1e-5)
		rel(t, "CLV P", analytics.CLV(bgP, em, r.X, r.Tx, r.T, 12, 4.345, 0.01), wantCLV[i], 1e-5)
		near(t, "CLV F d=0", analytics.CLV(bgF, em, r.X, r.Tx, r.T, 12, 4.345, 0), wantCLVF0[i], 1e-3)
	}
	sumP, sumF := 0.0, 0.0
	for _, r := range rfm {
		em := gg.ExpectedSpend(r.X, r.M)
		sumP += analytics.CLV(bgP, em, r.X, r.Tx, r.T, 12, 4.345, 0.01)
		sumF += analytics.CLV(bgF, em, r.X, r.Tx, r.T, 12, 4.345, 0.01)
	}
	near(t, "ΣCLV P", sumP, 71560.21, 0.01)
	near(t, "ΣCLV F", sumF, 71538.43, 0.05)
	// lifetimes' relations with spend 1: one month at d = 0 is E[Y(1 month)]; d = 1 halves it.
	r := rfm[0]
	month := bgF.ExpectedY(4.345, r.X, r.Tx, r.T)
	rel(t, "1 month d=0", analytics.CLV(bgF, 1, r.X, r.Tx, r.T, 1, 4.345, 0), month, 1e-9)
	rel(t, "1 month d=1", analytics.CLV(bgF, 1, r.X, r.Tx, r.T, 1, 4.345, 1), month/2, 1e-9)
	if mean, ok := (analytics.GammaGamma{P: 2, Q: 0.9, V: 3}).PopulationMean(); ok {
		t.Errorf("q ≤ 1 has a population mean %v", mean)
	}
}
