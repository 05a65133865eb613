package analytics

import "math"

// Wilson is the Wilson score interval of a share: k successes of n, at the
// confidence z stands for (1.96: 95%). It stays inside 0–1 and is honest
// for small n, where the plain k/n ± z·se is not (4 of 4 is not "100% ±
// 0"). n = 0 gives 0, 1: nothing is known.
func Wilson(k, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	p, fn := float64(k)/float64(n), float64(n)
	z2 := z * z
	centre := p + z2/(2*fn)
	spread := z * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	den := 1 + z2/fn
	return max(0, (centre-spread)/den), min(1, (centre+spread)/den)
}
