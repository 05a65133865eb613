package analytics

import (
	"math"
	"testing"
)

func TestLnHyp1(t *testing.T) {
	for _, c := range [][3]float64{{1.5, 3.2, 0.1}, {30, 35.6, 0.6}, {2.6, 40, 0.95}, {0.7, 1.9, 0.3}, {5, 9, 0.999}} {
		b, cc, z := c[0], c[1], c[2]
		v, db, dc, dz := lnHyp1(b, cc, z)
		want := math.Log(hyp2f1(1, b, cc, z))
		if math.Abs(v-want) > 1e-10*math.Max(1, math.Abs(want)) {
			t.Errorf("lnHyp1(%v) = %v, gonum %v", c, v, want)
		}
		const h = 1e-5
		num := func(f func(float64) float64, x float64) float64 { return (f(x+h) - f(x-h)) / (2 * h) }
		nb := num(func(x float64) float64 { v, _, _, _ := lnHyp1(x, cc, z); return v }, b)
		nc := num(func(x float64) float64 { v, _, _, _ := lnHyp1(b, x, z); return v }, cc)
		nz := (func() float64 {
			hz := h * z
			a, _, _, _ := lnHyp1(b, cc, z+hz)
			d, _, _, _ := lnHyp1(b, cc, z-hz)
			return (a - d) / (2 * hz)
		})()
		for _, d := range [][3]float64{{db, nb, 0}, {dc, nc, 1}, {dz, nz, 2}} {
			if math.Abs(d[0]-d[1]) > 1e-5*math.Max(1, math.Abs(d[1])) {
				t.Errorf("%v: derivative %v = %v, numeric %v", c, d[2], d[0], d[1])
			}
		}
	}
}

// TestParetoGradient checks the analytic gradient against central
// differences of the value, on both branches (α ≥ β and α < β).
func TestParetoGradient(t *testing.T) {
	for _, m := range []ParetoNBD{{R: 0.55, Alpha: 10.6, S: 0.61, Beta: 11.7}, {R: 0.8, Alpha: 14, S: 1.3, Beta: 5}, {R: 2, Alpha: 3, S: 0.2, Beta: 40}} {
		for _, c := range [][3]float64{{0, 0, 38}, {2, 30.43, 38.86}, {12, 20, 39}, {150, 36, 37}} {
			fx, tx, T := c[0], c[1], c[2]
			v, g := m.gradLogLikRest(fx, tx, T)
			if want := m.logLikRest(int(fx), tx, T, fx); math.Abs(v-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%+v %v: value %v, logLikRest %v", m, c, v, want)
			}
			ps := []*float64{&m.R, &m.Alpha, &m.S, &m.Beta}
			for i, p := range ps {
				old := *p
				h := 1e-6 * old
				*p = old + h
				up := m.logLikRest(int(fx), tx, T, fx)
				*p = old - h
				down := m.logLikRest(int(fx), tx, T, fx)
				*p = old
				num := (up - down) / (2 * h)
				if math.Abs(g[i]-num) > 1e-5*math.Max(1, math.Abs(num)) {
					t.Errorf("%+v %v: ∂/∂param%d = %v, numeric %v", m, c, i, g[i], num)
				}
			}
		}
	}
}

// TestLnHyp1NaN: parameters past float64 give NaN at once; they once sent
// the fallback into a loop that hung a scoring run.
func TestLnHyp1NaN(t *testing.T) {
	for _, in := range [][3]float64{{math.NaN(), 2, 0.5}, {1, math.Inf(1), 0.5}, {1, 2, math.NaN()}} {
		if v, _, _, _ := lnHyp1(in[0], in[1], in[2]); !math.IsNaN(v) {
			t.Errorf("lnHyp1%v = %v, want NaN", in, v)
		}
	}
	if v := hyp2f1(math.NaN(), 1, 2, 0.99); !math.IsNaN(v) {
		t.Errorf("hyp2f1(NaN, …) = %v", v)
	}
}
