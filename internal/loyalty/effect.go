package loyalty

import (
	"slices"
	"time"
)

// The programme's effect, measured against customers like the members who
// were not members: each member is compared, at the month they joined,
// with the customers who then had the same purchase history — how many
// orders (1, 2, 3–4, 5+), how long since the last (≤ 30, ≤ 90, ≤ 180,
// > 180 days), and an average order above or below the median (RFM cells)
// — and had not joined (yet). The effect is what members did in the
// window after joining against what their cell's others did in the same
// window: direct standardisation, so a programme whose members were simply
// the best customers already does not look like it made them so.
//
// A programme every buyer is in leaves no such others: a member's cell is
// then compared a year earlier, before they joined, with the customers of
// the same cell then (a year back, so the season is the same). A cell
// needs MinMatched others to count; members whose cell has too few either
// way are left out, and counted.

// MinMatched is how many comparable customers a member's cell needs.
const MinMatched = 5

// Buyer is one customer's purchases and, for a member, when they joined.
type Buyer struct {
	Orders []Purchase // in time order
	Joined time.Time  // zero: not a member
}

// Purchase is an order: when, and its total in minor units.
type Purchase struct {
	At     time.Time
	Amount int64
}

// Effect compares members with matched non-members.
type Effect struct {
	WindowDays int `json:"window_days"`
	// Members compared: joined at least a window before now, with an
	// order before joining, and a non-member in their cell.
	Members   int `json:"members"`
	Unmatched int `json:"unmatched"` // members whose cell had too few others, then or a year before
	// YearBefore of Members were compared a year before joining.
	YearBefore int `json:"compared_a_year_before"`
	// The share who ordered within the window after joining, and what
	// they spent in it (mean, minor units); Matched* are the same for the
	// members' cells' non-members, weighted as the members are.
	MemberRate   float64 `json:"member_repeat_rate"`
	MatchedRate  float64 `json:"matched_repeat_rate"`
	MemberSpend  float64 `json:"member_spend_minor"`
	MatchedSpend float64 `json:"matched_spend_minor"`
}

// cell is a customer's RFM cell at a moment.
type cell struct{ f, r, m int }

// cellAt is the cell of the purchases before t; false with none.
func cellAt(orders []Purchase, t time.Time, medianAOV float64) (cell, bool) {
	var n int
	var sum int64
	var last time.Time
	for _, o := range orders {
		if !o.At.Before(t) {
			break
		}
		n, sum, last = n+1, sum+o.Amount, o.At
	}
	if n == 0 {
		return cell{}, false
	}
	c := cell{}
	switch {
	case n >= 5:
		c.f = 3
	case n >= 3:
		c.f = 2
	default:
		c.f = n - 1
	}
	days := t.Sub(last).Hours() / 24
	switch {
	case days > 180:
		c.r = 3
	case days > 90:
		c.r = 2
	case days > 30:
		c.r = 1
	}
	if float64(sum)/float64(n) > medianAOV {
		c.m = 1
	}
	return c, true
}

// after is whether the customer ordered in (t, t+window], and the spend.
func after(orders []Purchase, t time.Time, window time.Duration) (bool, int64) {
	var spend int64
	ordered := false
	for _, o := range orders {
		if o.At.After(t) && !o.At.After(t.Add(window)) {
			ordered, spend = true, spend+o.Amount
		}
	}
	return ordered, spend
}

// MeasureEffect compares the members among buyers with the customers like
// them who had not joined, over a window of days after joining, at now.
func MeasureEffect(buyers []Buyer, now time.Time, windowDays int) Effect {
	e := Effect{WindowDays: windowDays}
	window := time.Duration(windowDays) * 24 * time.Hour
	var aovs []float64
	for _, b := range buyers {
		var sum int64
		for _, o := range b.Orders {
			sum += o.Amount
		}
		if len(b.Orders) > 0 {
			aovs = append(aovs, float64(sum)/float64(len(b.Orders)))
		}
	}
	if len(aovs) == 0 {
		return e
	}
	slices.Sort(aovs)
	median := aovs[len(aovs)/2]
	monthOf := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	// The others' outcomes at each month a member joined, and a year
	// before it, by cell: computed once a month.
	type tally struct {
		n, ordered int
		spend      int64
	}
	cells := map[time.Time]map[cell]*tally{}
	at := func(m time.Time) map[cell]*tally {
		if cs, ok := cells[m]; ok {
			return cs
		}
		cs := map[cell]*tally{}
		for _, b := range buyers {
			if !b.Joined.IsZero() && b.Joined.Before(m.AddDate(0, 1, 0)) {
				continue // a member by then, or joining that month (compared, not a comparison)
			}
			c, ok := cellAt(b.Orders, m, median)
			if !ok {
				continue
			}
			t := cs[c]
			if t == nil {
				t = &tally{}
				cs[c] = t
			}
			ordered, spend := after(b.Orders, m, window)
			t.n++
			t.spend += spend
			if ordered {
				t.ordered++
			}
		}
		cells[m] = cs
		return cs
	}
	var rate, spend, mRate, mSpend float64
	for _, b := range buyers {
		if b.Joined.IsZero() || b.Joined.Add(window).After(now) {
			continue
		}
		c, ok := cellAt(b.Orders, b.Joined, median)
		if !ok {
			continue
		}
		m := monthOf(b.Joined)
		t := at(m)[c]
		if t == nil || t.n < MinMatched {
			t = at(m.AddDate(-1, 0, 0))[c] // customers with the member's history, a year earlier
			if t == nil || t.n < MinMatched {
				e.Unmatched++
				continue
			}
			e.YearBefore++
		}
		e.Members++
		ordered, s := after(b.Orders, b.Joined, window)
		if ordered {
			rate++
		}
		spend += float64(s)
		mRate += float64(t.ordered) / float64(t.n)
		mSpend += float64(t.spend) / float64(t.n)
	}
	if e.Members > 0 {
		n := float64(e.Members)
		e.MemberRate, e.MatchedRate, e.MemberSpend, e.MatchedSpend = rate/n, mRate/n, spend/n, mSpend/n
	}
	return e
}
