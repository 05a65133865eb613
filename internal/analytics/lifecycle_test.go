package analytics

import (
	"testing"

	"github.com/retainhq/retain"
)

// TestStage: each lifecycle rule, in the order they are tried.
func TestStage(t *testing.T) {
	c := DefaultRhythm
	every := func(first, gap, n int) []Day {
		var ds []Day
		for i := range n {
			ds = append(ds, Day{Day: int32(first + i*gap), Value: 100})
		}
		return ds
	}
	regular := every(1000, 30, 6)                                  // last order on day 1150, usual gap 30
	back := append(every(1000, 30, 5), Day{Day: 1400, Value: 100}) // a 280-day gap, then an order
	risk := []retain.Flag{{Name: "overdue", Kind: retain.FlagRisk}}
	for _, tc := range []struct {
		name   string
		days   []Day
		asOf   int
		health float64
		flags  []retain.Flag
		f      int
		want   string
	}{
		{"no orders", nil, 1000, 50, nil, 1, retain.StageProspect},
		{"gone past three gaps", regular, 1150 + 100, 80, nil, 5, retain.StageLapsed},
		{"one order long ago", every(1000, 0, 1), 1000 + 200, 60, nil, 1, retain.StageLapsed},
		{"slipping regular", regular, 1150 + 50, 70, risk, 5, retain.StageAtRisk},
		{"low health", regular, 1150 + 10, 39, nil, 5, retain.StageAtRisk},
		{"one recent order", every(1000, 0, 1), 1000 + 10, 60, nil, 1, retain.StageNew},
		{"back after a lapse", back, 1400 + 5, 70, nil, 3, retain.StageWonBack},
		{"frequent", regular, 1150 + 10, 80, nil, 4, retain.StageLoyal},
		{"everyone else", regular, 1150 + 10, 80, nil, 3, retain.StageActive},
	} {
		if got := c.Stage(tc.days, tc.asOf, 40, tc.health, tc.flags, tc.f); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
