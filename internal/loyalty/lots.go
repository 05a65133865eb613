package loyalty

import (
	"cmp"
	"slices"
	"time"
)

// A Lot is points earned together (an order's, a bonus), with what is left
// of them and when that expires.
type Lot struct {
	ID        int64
	Remaining int64
	EarnedAt  time.Time
	ExpiresAt time.Time // zero: never
}

// Live reports whether the lot's points can be spent at now.
func (l Lot) Live(now time.Time) bool {
	return l.Remaining > 0 && (l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt))
}

// Draw is points taken from one lot.
type Draw struct {
	Lot    int64
	Points int64
}

// Take draws n points from the live lots, those expiring soonest first
// (then the oldest; a lot that never expires last), so no point is lost
// to expiry that could have been spent. False, and nothing drawn, when
// the live lots hold fewer than n.
func Take(lots []Lot, n int64, now time.Time) ([]Draw, bool) {
	if n <= 0 {
		return nil, n == 0
	}
	live := slices.DeleteFunc(slices.Clone(lots), func(l Lot) bool { return !l.Live(now) })
	slices.SortStableFunc(live, spendOrder)
	var out []Draw
	for _, l := range live {
		take := min(l.Remaining, n)
		out = append(out, Draw{Lot: l.ID, Points: take})
		if n -= take; n == 0 {
			return out, true
		}
	}
	return nil, false
}

// SpendOrder is the lots in the order a redemption draws on them.
func SpendOrder(lots []Lot) []Lot {
	out := slices.Clone(lots)
	slices.SortStableFunc(out, spendOrder)
	return out
}

// spendOrder: the soonest expiry first, never-expiring last, then the
// oldest, then the lower id.
func spendOrder(a, b Lot) int {
	switch {
	case a.ExpiresAt.IsZero() != b.ExpiresAt.IsZero():
		if a.ExpiresAt.IsZero() {
			return 1
		}
		return -1
	case !a.ExpiresAt.Equal(b.ExpiresAt):
		return a.ExpiresAt.Compare(b.ExpiresAt)
	case !a.EarnedAt.Equal(b.EarnedAt):
		return a.EarnedAt.Compare(b.EarnedAt)
	}
	return cmp.Compare(a.ID, b.ID)
}

// Expired are the lots past their expiry at now with points left: what
// expiry removes (exactly their remainder).
func Expired(lots []Lot, now time.Time) []Draw {
	var out []Draw
	for _, l := range lots {
		if l.Remaining > 0 && !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt) {
			out = append(out, Draw{Lot: l.ID, Points: l.Remaining})
		}
	}
	return out
}
