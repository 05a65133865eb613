package desk

import (
	"sort"
	"time"
)

// Span is a stretch of time; To is zero while it lasts.
type Span struct{ From, To time.Time }

// Clock is an SLA clock: the business time on a calendar since Start,
// less the spans it was paused (a ticket pending on the customer).
type Clock struct {
	Cal    *Calendar
	Start  time.Time
	Pauses []Span
}

// running are the spans the clock ran in up to now, in order: from the
// start to each pause, from each pause's end to the next.
func (k Clock) running(now time.Time) []Span {
	pauses := append([]Span(nil), k.Pauses...)
	sort.Slice(pauses, func(i, j int) bool { return pauses[i].From.Before(pauses[j].From) })
	var out []Span
	cursor := k.Start
	for _, p := range pauses {
		if p.From.After(cursor) {
			out = append(out, Span{cursor, minTime(p.From, now)})
		}
		if p.To.IsZero() {
			return out // paused now
		}
		cursor = maxTime(cursor, p.To)
		if !cursor.Before(now) {
			return out
		}
	}
	return append(out, Span{cursor, now})
}

// Elapsed is the business time the clock has run by now.
func (k Clock) Elapsed(now time.Time) time.Duration {
	var total time.Duration
	for _, s := range k.running(now) {
		total += k.Cal.Between(s.From, s.To)
	}
	return total
}

// Due is when the clock reaches target if it is not paused again: never
// earlier than without the pauses it had. While it is paused there is no
// due time (ok false), and none either on a calendar without hours.
func (k Clock) Due(target time.Duration) (time.Time, bool) {
	pauses := append([]Span(nil), k.Pauses...)
	sort.Slice(pauses, func(i, j int) bool { return pauses[i].From.Before(pauses[j].From) })
	left, cursor := target, k.Start
	for _, p := range pauses {
		if p.From.After(cursor) {
			if b := k.Cal.Between(cursor, p.From); b >= left {
				return k.Cal.Add(cursor, left)
			} else {
				left -= b
			}
		}
		if p.To.IsZero() {
			return time.Time{}, false
		}
		cursor = maxTime(cursor, p.To)
	}
	return k.Cal.Add(cursor, left)
}
