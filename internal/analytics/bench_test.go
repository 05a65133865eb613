package analytics_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/retainhq/retain/internal/analytics"
)

// simulate draws n customers from BG/NBD with the published CDNOW
// parameters, as docs/benchmarks.md describes: T ~ U(27, 39) weeks, λ ~ Gamma(r, α),
// p ~ Beta(a, b), J ~ Geometric(p), K ~ Poisson(λT), x = min(K, J),
// t_x = T·Beta(x, K−x+1), spend ~ Gamma(p·x, x·ν) with ν ~ Gamma(q, γ).
// With days true, times are rounded to whole days, as real orders are.
func simulate(n int, seed uint64, days bool) []analytics.RFM {
	src := rand.New(rand.NewPCG(seed, 20240601))
	lam := distuv.Gamma{Alpha: 0.243, Beta: 4.414, Src: src}
	pd := distuv.Beta{Alpha: 0.793, Beta: 2.426, Src: src}
	nu := distuv.Gamma{Alpha: 3.74, Beta: 15.44, Src: src}
	out := make([]analytics.RFM, n)
	for i := range out {
		T := 27 + 12*src.Float64()
		l, p := lam.Rand(), pd.Rand()
		k := int(distuv.Poisson{Lambda: l * T, Src: src}.Rand())
		// J, the repeat purchase after which the customer drops out, is
		// Geometric on 1, 2, …: BG/NBD has no drop-out before the first
		// repeat purchase.
		j := 1
		for j < k && src.Float64() > p {
			j++
		}
		x := min(k, j)
		tx := 0.0
		if x > 0 {
			tx = T * distuv.Beta{Alpha: float64(x), Beta: float64(k - x + 1), Src: src}.Rand()
		}
		if days {
			T, tx = math.Round(T*7)/7, math.Round(tx*7)/7
		}
		m := 0.0
		if x > 0 {
			m = distuv.Gamma{Alpha: 6.25 * float64(x), Beta: float64(x) * nu.Rand(), Src: src}.Rand()
		}
		out[i] = analytics.RFM{X: x, Tx: tx, T: T, M: m, Buyer: true}
	}
	return out
}

var sizes = []int{100_000, 1_000_000}

func benchFit(b *testing.B, days bool, fit func(*analytics.Patterns) (map[string]float64, analytics.FitInfo, error)) {
	for _, n := range sizes {
		name := fmt.Sprintf("n=%d", n)
		if days {
			name += "/days"
		}
		b.Run(name, func(b *testing.B) {
			p, _ := analytics.Group(simulate(n, 1, days))
			b.ResetTimer()
			var params map[string]float64
			var info analytics.FitInfo
			for range b.N {
				var err error
				params, info, err = fit(p)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(info.Iterations), "iterations")
			b.ReportMetric(float64(info.Evaluations), "evaluations")
			for k, v := range params {
				b.ReportMetric(v, k)
			}
			b.ReportMetric(float64(p.Len()), "patterns")
		})
	}
}

func BenchmarkFitBGNBD(b *testing.B) {
	for _, days := range []bool{false, true} {
		benchFit(b, days, func(p *analytics.Patterns) (map[string]float64, analytics.FitInfo, error) {
			m, info, err := analytics.FitBGNBD(p)
			return analytics.Params(m), info, err
		})
	}
}

func BenchmarkFitParetoNBD(b *testing.B) {
	for _, days := range []bool{false, true} {
		benchFit(b, days, func(p *analytics.Patterns) (map[string]float64, analytics.FitInfo, error) {
			m, info, err := analytics.FitParetoNBD(p)
			return analytics.Params(m), info, err
		})
	}
}

func BenchmarkFitGammaGamma(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := analytics.GroupSpend(simulate(n, 1, false))
			b.ResetTimer()
			var g analytics.GammaGamma
			for range b.N {
				var err error
				if g, _, err = analytics.FitGammaGamma(d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(g.P, "p")
			b.ReportMetric(g.Q, "q")
			b.ReportMetric(g.V, "v")
		})
	}
}

// BenchmarkCLV is 12 months of discounted CLV for every customer (weekly
// model, monthly discount 0.01), BG/NBD at the published parameters.
func BenchmarkCLV(b *testing.B) {
	gg := analytics.GammaGamma{P: 6.25, Q: 3.74, V: 15.44}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rfm := simulate(n, 1, false)
			clv := make([]float64, n)
			workers := runtime.GOMAXPROCS(0)
			b.ResetTimer()
			for range b.N {
				// On all cores, as retain score does.
				var wg sync.WaitGroup
				for w := 0; w < workers; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for i := w; i < n; i += workers {
							r := rfm[i]
							clv[i] = analytics.CLV(bgP, gg.ExpectedSpend(r.X, r.M), r.X, r.Tx, r.T, 12, 4.345, 0.01)
						}
					}(w)
				}
				wg.Wait()
			}
			total := 0.0
			for _, v := range clv {
				total += v
			}
			b.ReportMetric(total/float64(n), "mean_clv")
		})
	}
}
