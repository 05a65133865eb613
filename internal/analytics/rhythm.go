package analytics

import (
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/retainhq/retain"
)

// Day is one purchase day of a customer: what was spent and in which
// product categories (orders on one day merged). Categories are bits of a
// mask (category i is bit i mod 64), which keeps a day at 16 bytes: the
// monitor holds every customer's days at once.
type Day struct {
	Day   int32
	Value float32
	Cats  uint64
}

// RhythmConfig holds the monitor's thresholds; DefaultRhythm is tuned to
// docs/product.md, Purchase rhythm and health (overdue at 1.5× the customer's own cadence).
type RhythmConfig struct {
	Overdue   float64 // days since last order ÷ usual gap
	Slowing   float64 // recent gap ÷ earlier gap
	Speeding  float64 // recent gap ÷ earlier gap, below
	Shrinking float64 // recent value ÷ earlier value, below
	Rising    float64 // recent value ÷ earlier value, above
	Prior     float64 // pseudo-gaps of the population cadence mixed into a short history
	Lapse     float64 // days since last order ÷ usual gap, above which a customer has lapsed (Stage)
}

// DefaultRhythm is the default configuration.
var DefaultRhythm = RhythmConfig{Overdue: 1.5, Slowing: 1.5, Speeding: 0.6, Shrinking: 0.6, Rising: 1.5, Prior: 2, Lapse: 3}

// Cadence is a customer's usual gap between purchase days, shrunk toward the
// population's gap popGap when the history is short: (Σgaps + k·pop)/(n + k).
func (c RhythmConfig) Cadence(days []Day, popGap float64) float64 {
	n := len(days) - 1
	if n <= 0 {
		return popGap
	}
	span := float64(days[n].Day - days[0].Day)
	return (span + c.Prior*popGap) / (float64(n) + c.Prior)
}

// Rhythm compares a customer's recent behaviour with their own history as of
// the day asOf. days must be sorted; popGap is the population's median gap.
// catNames names the category bits for the evidence.
func (c RhythmConfig) Rhythm(days []Day, asOf int, popGap float64, catNames []string) []retain.Flag {
	flags := c.rhythm(days, asOf, popGap, catNames)
	for _, f := range flags {
		for k, v := range f.Values {
			f.Values[k] = roundTo(v, 3)
		}
	}
	return flags
}

func (c RhythmConfig) rhythm(days []Day, asOf int, popGap float64, catNames []string) []retain.Flag {
	var flags []retain.Flag
	if len(days) == 0 {
		return nil
	}
	cadence := c.Cadence(days, popGap)
	since := float64(asOf - int(days[len(days)-1].Day))
	// Overdue against their own gap: a one-time buyer has none yet (their
	// cadence would be the population's), and is new or lapsed instead.
	if len(days) >= 2 && cadence > 0 && since > c.Overdue*cadence {
		flags = append(flags, retain.Flag{Name: "overdue", Kind: "risk",
			Evidence: fmt.Sprintf("no order for %.0f days; usually orders every %.0f days (%.1f× the usual gap)", since, cadence, since/cadence),
			Values:   map[string]float64{"days_since_last": since, "usual_gap_days": cadence, "ratio": since / cadence}})
	}
	if len(days) < 4 {
		return append(flags, retain.Flag{Name: "not_enough_history", Kind: "info",
			Evidence: fmt.Sprintf("%d order days: trends need at least 4; the usual gap mixes in the population's %.0f days", len(days), popGap),
			Values:   map[string]float64{"order_days": float64(len(days))}})
	}
	// Recent = the last two gaps / orders; earlier = everything before.
	gaps := make([]float64, len(days)-1)
	for i := range gaps {
		gaps[i] = float64(days[i+1].Day - days[i].Day)
	}
	recentGap, earlierGap := mean(gaps[len(gaps)-2:]), mean(gaps[:len(gaps)-2])
	if len(gaps) >= 3 && earlierGap > 0 {
		ratio := recentGap / earlierGap
		switch {
		case ratio >= c.Slowing:
			flags = append(flags, retain.Flag{Name: "slowing", Kind: "risk",
				Evidence: fmt.Sprintf("the last two gaps average %.0f days against %.0f days before (%.1f×)", recentGap, earlierGap, ratio),
				Values:   map[string]float64{"recent_gap_days": recentGap, "earlier_gap_days": earlierGap, "ratio": ratio}})
		case ratio <= c.Speeding:
			flags = append(flags, retain.Flag{Name: "speeding_up", Kind: "opportunity",
				Evidence: fmt.Sprintf("the last two gaps average %.0f days against %.0f days before (%.1f×)", recentGap, earlierGap, ratio),
				Values:   map[string]float64{"recent_gap_days": recentGap, "earlier_gap_days": earlierGap, "ratio": ratio}})
		}
	}
	if len(gaps) >= 5 {
		early, late := cv(gaps[:len(gaps)-3]), cv(gaps[len(gaps)-3:])
		if late > 0.8 && late > 2*early {
			flags = append(flags, retain.Flag{Name: "irregular", Kind: "opportunity",
				Evidence: fmt.Sprintf("recent gaps vary far more than before (variation %.2f against %.2f): their needs may be changing", late, early),
				Values:   map[string]float64{"recent_cv": late, "earlier_cv": early}})
		}
	}
	values := make([]float64, len(days))
	for i, d := range days {
		values[i] = float64(d.Value)
	}
	recentVal, earlierVal := mean(values[len(values)-2:]), mean(values[:len(values)-2])
	if earlierVal > 0 {
		ratio := recentVal / earlierVal
		switch {
		case ratio <= c.Shrinking:
			flags = append(flags, retain.Flag{Name: "shrinking", Kind: "risk",
				Evidence: fmt.Sprintf("the last two orders average %.2f against %.2f before (%.0f%%): they may be buying elsewhere", recentVal, earlierVal, 100*ratio),
				Values:   map[string]float64{"recent_value": recentVal, "earlier_value": earlierVal, "ratio": ratio}})
		case ratio >= c.Rising:
			flags = append(flags, retain.Flag{Name: "value_rising", Kind: "opportunity",
				Evidence: fmt.Sprintf("the last two orders average %.2f against %.2f before (%.0f%%)", recentVal, earlierVal, 100*ratio),
				Values:   map[string]float64{"recent_value": recentVal, "earlier_value": earlierVal, "ratio": ratio}})
		}
	}
	if shift, newCats := mixShift(days, catNames); shift >= 0.5 {
		flags = append(flags, retain.Flag{Name: "mix_shift", Kind: "opportunity",
			Evidence: fmt.Sprintf("%.0f%% of the last two orders' categories are new for them (%v)", 100*shift, newCats),
			Values:   map[string]float64{"new_category_share": shift}})
	}
	return flags
}

// mixShift is the share of the last two orders' categories never bought before.
func mixShift(days []Day, catNames []string) (float64, []string) {
	var seen uint64
	for _, d := range days[:len(days)-2] {
		seen |= d.Cats
	}
	if seen == 0 {
		return 0, nil
	}
	total, fresh := 0, 0
	var freshMask uint64
	for _, d := range days[len(days)-2:] {
		total += bits.OnesCount64(d.Cats)
		fresh += bits.OnesCount64(d.Cats &^ seen)
		freshMask |= d.Cats &^ seen
	}
	if total == 0 {
		return 0, nil
	}
	var names []string
	for i, n := range catNames {
		if freshMask&(1<<(uint(i)%64)) != 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return float64(fresh) / float64(total), names
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// cv is the coefficient of variation (sd / mean).
func cv(v []float64) float64 {
	m := mean(v)
	if m == 0 || len(v) < 2 {
		return 0
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss/float64(len(v)-1)) / m
}
