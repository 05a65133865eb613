package loyalty

import (
	"slices"
	"time"
)

// The programme's effect, measured against customers like the members who
// did not join: each member is compared, at the month they joined, with
// the non-members who then had the same purchase history — how many orders
// (1, 2, 3–4, 5+), how long since the last (≤ 30, ≤ 90, ≤ 180, > 180
// days), and an average order above or below the median (RFM cells). The
// effect is what members did in the window after joining against what
// their cell's non-members did in the same window: direct
// standardisation, so a programme whose members were simply the best
// customers already does not look like it made them so. Members whose cell
// held no non-member are left out and counted.

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
	Unmatched int `json:"unmatched"` // members whose cell had no non-member
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

// MeasureEffect compares the members among buyers with matched
// non-members over a window of days after joining, at now.
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
	// The non-members' outcomes by the month a member joined, and cell.
	type tally struct {
		n, ordered int
		spend      int64
	}
	months := map[time.Time]map[cell]*tally{}
	monthOf := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
	for _, b := range buyers {
		if !b.Joined.IsZero() && !b.Joined.Add(window).After(now) {
			months[monthOf(b.Joined.UTC())] = nil
		}
	}
	for m := range months {
		cells := map[cell]*tally{}
		for _, b := range buyers {
			if !b.Joined.IsZero() {
				continue
			}
			c, ok := cellAt(b.Orders, m, median)
			if !ok {
				continue
			}
			t := cells[c]
			if t == nil {
				t = &tally{}
				cells[c] = t
			}
			ordered, spend := after(b.Orders, m, window)
			t.n++
			t.spend += spend
			if ordered {
				t.ordered++
			}
		}
		months[m] = cells
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
		t := months[monthOf(b.Joined.UTC())][c]
		if t == nil || t.n == 0 {
			e.Unmatched++
			continue
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
