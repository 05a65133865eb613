package loyalty_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/loyalty"
)

// effectWorld makes customers of two kinds — regulars (six orders a year,
// who buy again within 90 days with probability pRegular) and occasional
// ones (one order, pOccasional) — and makes members of the regulars only,
// joining on 2026-03-10, when memberBoost is added to their chance.
func effectWorld(seed uint64, pRegular, pOccasional, memberBoost float64) []loyalty.Buyer {
	rng := rand.New(rand.NewPCG(seed, 1))
	joined := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	var out []loyalty.Buyer
	for i := range 4000 {
		regular, member := i%2 == 0, i%4 == 0
		var b loyalty.Buyer
		n, p := 1, pOccasional
		if regular {
			n, p = 6, pRegular
		}
		for k := range n { // the history before March: the last order in late February
			b.Orders = append(b.Orders, loyalty.Purchase{At: joined.AddDate(0, 0, -12-30*(n-1-k)), Amount: 150000})
		}
		if member {
			b.Joined, p = joined, p+memberBoost
		}
		if rng.Float64() < p {
			b.Orders = append(b.Orders, loyalty.Purchase{At: joined.AddDate(0, 0, 20), Amount: 150000})
		}
		out = append(out, b)
	}
	return out
}

// TestEffectMatches: members who are all regulars, behaving as regular
// non-members do, show no effect — though against all non-members (a naive
// comparison) they would look 50 points better; a boost the programme gives
// them is measured as that boost.
func TestEffectMatches(t *testing.T) {
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	e := loyalty.MeasureEffect(effectWorld(1, 0.7, 0.2, 0), now, 90)
	if e.Members != 1000 || e.Unmatched != 0 {
		t.Fatalf("members compared %d, unmatched %d", e.Members, e.Unmatched)
	}
	if math.Abs(e.MemberRate-e.MatchedRate) > 0.06 || math.Abs(e.MemberRate-0.7) > 0.06 {
		t.Errorf("no boost: members %.3f, matched %.3f (want both about 0.70, not 0.45 as all non-members are)", e.MemberRate, e.MatchedRate)
	}
	e = loyalty.MeasureEffect(effectWorld(2, 0.5, 0.2, 0.25), now, 90)
	if lift := e.MemberRate - e.MatchedRate; math.Abs(lift-0.25) > 0.07 {
		t.Errorf("a boost of 0.25: measured %.3f (members %.3f, matched %.3f)", lift, e.MemberRate, e.MatchedRate)
	}
	if e.MemberSpend <= e.MatchedSpend {
		t.Errorf("the boosted members spent %.0f, the matched %.0f", e.MemberSpend, e.MatchedSpend)
	}
	// Members who joined less than a window ago are not compared yet.
	if e := loyalty.MeasureEffect(effectWorld(1, 0.7, 0.2, 0), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), 90); e.Members != 0 {
		t.Errorf("compared %d members whose window is still open", e.Members)
	}
}

// TestEffectAYearBefore: when every buyer is a member — those who joined
// in March 2026, and those whose orders of a year before made them members
// only in August — the March members are compared with customers of the
// same history a year before: a boost is measured as the boost, and none
// as none.
func TestEffectAYearBefore(t *testing.T) {
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	joined := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	world := func(seed uint64, boost float64) []loyalty.Buyer {
		rng := rand.New(rand.NewPCG(seed, 2))
		var out []loyalty.Buyer
		history := func(at time.Time, p float64, joins time.Time) loyalty.Buyer {
			b := loyalty.Buyer{Joined: joins, Orders: []loyalty.Purchase{{At: at.AddDate(0, 0, -60), Amount: 90000}, {At: at.AddDate(0, 0, -12), Amount: 90000}}}
			if rng.Float64() < p {
				b.Orders = append(b.Orders, loyalty.Purchase{At: at.AddDate(0, 0, 25), Amount: 90000})
			}
			return b
		}
		for range 2000 {
			out = append(out, history(joined, 0.4+boost, joined), // members since March
				history(joined.AddDate(-1, 0, 0), 0.4, time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC))) // a year before, members since August
		}
		return out
	}
	for _, boost := range []float64{0, 0.2} {
		e := loyalty.MeasureEffect(world(3, boost), now, 90)
		if e.Members != 2000 || e.YearBefore != e.Members {
			t.Fatalf("boost %.1f: %d compared, %d a year before, %d unmatched", boost, e.Members, e.YearBefore, e.Unmatched)
		}
		if lift := e.MemberRate - e.MatchedRate; math.Abs(lift-boost) > 0.06 {
			t.Errorf("boost %.1f measured as %.3f (members %.3f, a year before %.3f)", boost, lift, e.MemberRate, e.MatchedRate)
		}
	}
}
