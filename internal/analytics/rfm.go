package analytics

import (
	"sort"
)

// Purchase is one order of one customer: the customer's index in the
// caller's slice, the civil day it happened (days since any fixed epoch,
// e.g. Unix days in the business's time zone) and its value.
type Purchase struct {
	Customer int
	Day      int
	Value    float64
}

// RFM is one customer's summary for the models (§1.3): X repeat purchase
// days, Tx the time of the last purchase and T the age at the calibration
// end, both measured from the first purchase in the chosen unit, M the mean
// value of the repeat purchases (0 when X = 0).
type RFM struct {
	X     int
	Tx, T float64
	M     float64
	// FirstDay and LastDay are the civil days of the first and last purchase.
	FirstDay, LastDay int
	// Holdout is the number of distinct purchase days after the calibration
	// end up to the holdout end (Summarize with a holdout end).
	Holdout int
	// Buyer is false for a customer with no purchase by the calibration end.
	Buyer bool
}

// Summarize builds the RFM summary of n customers from their purchases, as
// lifetimes' summary_data_from_transaction_data with freq='D': purchases on
// one day merge into one (their values summed), only days up to calEnd count,
// the first purchase is not a repeat purchase and is excluded from M, and
// times are days divided by unit (1 for days, 7 for weeks). Purchases after
// calEnd and up to holdoutEnd are counted as distinct holdout days.
// purchases may be in any order; it is sorted in place.
func Summarize(n int, purchases []Purchase, calEnd, holdoutEnd int, unit float64) []RFM {
	sort.Slice(purchases, func(i, j int) bool {
		if purchases[i].Customer != purchases[j].Customer {
			return purchases[i].Customer < purchases[j].Customer
		}
		return purchases[i].Day < purchases[j].Day
	})
	out := make([]RFM, n)
	for i := 0; i < len(purchases); {
		c := purchases[i].Customer
		j := i
		for j < len(purchases) && purchases[j].Customer == c {
			j++
		}
		out[c] = summarizeOne(purchases[i:j], calEnd, holdoutEnd, unit)
		i = j
	}
	return out
}

func summarizeOne(ps []Purchase, calEnd, holdoutEnd int, unit float64) RFM {
	var r RFM
	spent, days := 0.0, 0
	for k := 0; k < len(ps); {
		day, value := ps[k].Day, 0.0
		for k < len(ps) && ps[k].Day == day {
			value += ps[k].Value
			k++
		}
		switch {
		case day > calEnd:
			if day <= holdoutEnd && r.Buyer {
				r.Holdout++
			}
		case !r.Buyer:
			r.Buyer, r.FirstDay, r.LastDay = true, day, day
		default:
			days++
			spent += value
			r.LastDay = day
		}
	}
	if !r.Buyer {
		return r
	}
	r.X = days
	r.Tx = float64(r.LastDay-r.FirstDay) / unit
	r.T = float64(calEnd-r.FirstDay) / unit
	if days > 0 {
		r.M = spent / float64(days)
	}
	return r
}

// SummarizeDays is Summarize for one customer whose purchases are already
// merged by day and sorted (as the scoring reads them from the store).
func SummarizeDays(days []Day, calEnd, holdoutEnd int, unit float64) RFM {
	var r RFM
	spent := 0.0
	for _, d := range days {
		day := int(d.Day)
		switch {
		case day > calEnd:
			if day <= holdoutEnd && r.Buyer {
				r.Holdout++
			}
		case !r.Buyer:
			r.Buyer, r.FirstDay, r.LastDay = true, day, day
		default:
			r.X++
			spent += float64(d.Value)
			r.LastDay = day
		}
	}
	if !r.Buyer {
		return r
	}
	r.Tx = float64(r.LastDay-r.FirstDay) / unit
	r.T = float64(calEnd-r.FirstDay) / unit
	if r.X > 0 {
		r.M = spent / float64(r.X)
	}
	return r
}
