package analytics

import (
	"sort"

	"github.com/retainhq/retain"
)

// Quintiles returns each value's quintile score 1–5 (5 = the top fifth),
// by rank, so ties and skewed data still spread over the scale. Higher is
// better unless lowerIsBetter.
func Quintiles(values []float64, lowerIsBetter bool) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if lowerIsBetter {
			return values[idx[a]] > values[idx[b]]
		}
		return values[idx[a]] < values[idx[b]]
	})
	out := make([]int, len(values))
	n := len(values)
	for rank := 0; rank < n; {
		// Equal values share the score of their first rank.
		end := rank
		for end < n && values[idx[end]] == values[idx[rank]] {
			end++
		}
		score := 1 + rank*5/n
		for k := rank; k < end; k++ {
			out[idx[k]] = score
		}
		rank = end
	}
	return out
}

// Segment names a customer from their RFM quintile scores, with the usual
// retail segment map: the first rule that matches wins.
func Segment(r, f, m int) retain.Segment {
	switch {
	case r >= 4 && f >= 4 && m >= 4:
		return "champions"
	case r == 1 && f >= 4:
		return "cannot_lose"
	case r <= 2 && f >= 3:
		return "at_risk"
	case r >= 3 && f >= 4:
		return "loyal"
	case r >= 4 && f >= 2:
		return "potential_loyalist"
	case r == 5 && f == 1:
		return "new"
	case r == 4 && f == 1:
		return "promising"
	case r == 3 && f >= 3:
		return "need_attention"
	case r == 3:
		return "about_to_sleep"
	case r == 1 && f == 1:
		return "lost"
	}
	return "hibernating"
}
