package analytics_test

import (
	"testing"

	"github.com/retainhq/retain/internal/analytics"
)

// TestHoldoutForecastCDNOW checks §8 item 7: the per-customer forecasts
// E[Y(39)] on the summary data, against the weeks 40–78 purchase days.
func TestHoldoutForecastCDNOW(t *testing.T) {
	rfm := summaryRFM(t)
	holdout := sampleRFM(t) // same customer order (sample id), with holdout counts
	models := map[string]struct {
		m            analytics.Model
		cond, uncond float64
	}{
		"bgnbd fitted":     {bgF, 1653.42, 1666.67},
		"bgnbd published":  {bgP, 1653.95, -1},
		"paretonbd fitted": {analytics.ParetoNBD{R: 0.553282, Alpha: 10.577753, S: 0.606171, Beta: 11.666907}, 1665.57, 1745.18},
		"mbgnbd fitted":    {mbgM, 1576.74, 1574.32},
	}
	for name, c := range models {
		var cond, uncond float64
		for _, r := range rfm {
			cond += c.m.ExpectedY(39, r.X, r.Tx, r.T)
			uncond += c.m.ExpectedX(r.T+39) - c.m.ExpectedX(r.T)
		}
		near(t, name+" ΣE[Y(39)]", cond, c.cond, 0.01)
		if c.uncond > 0 {
			near(t, name+" unconditional", uncond, c.uncond, 0.01)
		}
	}
	pred, act, n := make([]float64, 8), make([]float64, 8), make([]int, 8)
	actual := 0
	for i, r := range rfm {
		g := min(r.X, 7)
		pred[g] += bgF.ExpectedY(39, r.X, r.Tx, r.T)
		act[g] += float64(holdout[i].Holdout)
		n[g]++
		actual += holdout[i].Holdout
	}
	if actual != 1882 {
		t.Fatalf("actual holdout purchases %d, want 1882", actual)
	}
	wantN := []int{1411, 439, 214, 100, 62, 38, 29, 64}
	wantPred := []float64{0.225, 0.523, 1.044, 1.520, 2.164, 2.654, 3.504, 6.157}
	wantAct := []float64{0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359}
	for g := range n {
		if n[g] != wantN[g] {
			t.Errorf("x=%d: %d customers, want %d", g, n[g], wantN[g])
		}
		near(t, "predicted mean", pred[g]/float64(n[g]), wantPred[g], 0.0005)
		near(t, "actual mean", act[g]/float64(n[g]), wantAct[g], 0.0005)
	}
}
