package analytics

import "testing"

// SumLogLik is Σℓ over customers, for tests.
func SumLogLik(t testing.TB, ll func(int, float64, float64) float64, rfm []RFM) float64 {
	p, _ := Group(rfm)
	return sumLogLik(p, ll)
}
