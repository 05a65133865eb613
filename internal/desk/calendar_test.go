package desk

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The zones: the two home countries, and two with DST changes inside
// business hours' reach (2026: US 8 Mar and 1 Nov, EU 29 Mar and 25 Oct).
var zones = []string{"Asia/Dhaka", "Asia/Kathmandu", "Europe/London", "America/New_York"}

var dstChanges = []time.Time{
	time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
	time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
}

func drawCalendar(t *rapid.T) *Calendar {
	loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Calendar{Zone: loc}
	switch rapid.IntRange(0, 2).Draw(t, "week") {
	case 0:
		*c = Bangladesh(loc) // Friday off
	case 1:
		*c = Nepal(loc) // Saturday off
	default: // random hours: up to two spans a day, some reaching midnight, some days closed
		for d := range c.Week {
			n := rapid.IntRange(0, 2).Draw(t, "spans")
			at := rapid.IntRange(0, 600).Draw(t, "first_open")
			for range n {
				open := at + rapid.IntRange(0, 240).Draw(t, "gap")
				if open >= 24*60 {
					break
				}
				closeAt := min(24*60, open+rapid.IntRange(1, 600).Draw(t, "length"))
				c.Week[d] = append(c.Week[d], Interval{open, closeAt})
				at = closeAt
			}
		}
	}
	open := 0
	for _, ivs := range c.Week {
		for _, iv := range ivs {
			open += iv.Close - iv.Open
		}
	}
	if c.Check() != nil || open < 60 {
		// A week with no hours at all is refused, and one open a few
		// minutes a week puts a day's target past the ten years any walk
		// over the calendar looks (maxDays): give it one working day.
		c.Week[time.Monday] = []Interval{{9 * 60, 17 * 60}}
	}
	for range rapid.IntRange(0, 6).Draw(t, "holidays") {
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "holiday"))
		c.AddHoliday(day.Date())
	}
	return c
}

func drawInstant(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+"_near_dst") {
		return rapid.SampledFrom(dstChanges).Draw(t, label+"_dst").Add(time.Duration(rapid.IntRange(-72*3600, 72*3600).Draw(t, label+"_s")) * time.Second)
	}
	return time.Unix(rapid.Int64Range(1767225600, 1798761600).Draw(t, label), 0) // 2026
}

// TestSLADueNeverClosed: across business hours, holidays, both countries'
// weekends and DST changes, the time d of business time after a start is
// never inside closed hours, and exactly d of business time lies between.
func TestSLADueNeverClosed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawCalendar(t)
		start := drawInstant(t, "start")
		d := time.Duration(rapid.IntRange(1, 40*60).Draw(t, "minutes")) * time.Minute
		due, ok := c.Add(start, d)
		if !ok {
			if c.Between(start, start.AddDate(10, 0, 0)) >= d {
				t.Fatalf("no due time for %v after %v", d, start)
			}
			return // a calendar with fewer hours in ten years than that (a minute a week)
		}
		if !c.Open(due.Add(-time.Nanosecond)) || !openByTheBook(c, due.Add(-time.Nanosecond)) {
			t.Fatalf("%v after %v is due at %v (local %v), in closed hours", d, start, due, due.In(c.Zone))
		}
		if got := c.Between(start, due); got != d {
			t.Fatalf("between %v and its due %v: %v of business time, want %v", start, due, got, d)
		}
		if due.Before(start) {
			t.Fatalf("due %v before the start %v", due, start)
		}
	})
}

// openByTheBook checks an instant against the calendar as a person reads
// it, independently of the code under test: not on a holiday, and its
// local time of day inside one of that weekday's spans. (On a day a DST
// change shifts the clock, only the holiday is checked: its wall times
// are not one to one.)
func openByTheBook(c *Calendar, t time.Time) bool {
	l := t.In(c.Zone)
	if c.Holidays[dateOf(l)] {
		return false
	}
	y, m, d := l.Date()
	_, off0 := time.Date(y, m, d, 0, 0, 0, 0, c.Zone).Zone()
	_, off1 := time.Date(y, m, d+1, 0, 0, 0, 0, c.Zone).Zone()
	if off0 != off1 {
		return true
	}
	minute := l.Hour()*60 + l.Minute()
	for _, iv := range c.Week[l.Weekday()] {
		if iv.Open <= minute && minute < iv.Close {
			return true
		}
	}
	return false
}

// TestSLAElapsedAdditive: business time over [a, c) is that over [a, b)
// plus that over [b, c).
func TestSLAElapsedAdditive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawCalendar(t)
		a := drawInstant(t, "a")
		b := a.Add(time.Duration(rapid.IntRange(0, 10*24*3600).Draw(t, "ab")) * time.Second)
		e := b.Add(time.Duration(rapid.IntRange(0, 10*24*3600).Draw(t, "bc")) * time.Second)
		if x, y, z := c.Between(a, b), c.Between(b, e), c.Between(a, e); x+y != z {
			t.Fatalf("%v + %v ≠ %v over %v, %v, %v", x, y, z, a, b, e)
		}
	})
}

// TestSLAPausesNeverShorten: a clock paused while a ticket waits on the
// customer is due no earlier than without the pauses, never in closed
// hours, and its elapsed time at the due time is the target.
func TestSLAPausesNeverShorten(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawCalendar(t)
		start := drawInstant(t, "start")
		target := time.Duration(rapid.IntRange(1, 24*60).Draw(t, "minutes")) * time.Minute
		k := Clock{Cal: c, Start: start}
		plain, ok := k.Due(target)
		if !ok {
			t.Fatal("no due time")
		}
		at := start
		for range rapid.IntRange(1, 4).Draw(t, "pauses") {
			from := at.Add(time.Duration(rapid.IntRange(0, 2*24*3600).Draw(t, "until_pause")) * time.Second)
			to := from.Add(time.Duration(rapid.IntRange(1, 3*24*3600).Draw(t, "pause")) * time.Second)
			k.Pauses = append(k.Pauses, Span{from, to})
			at = to
		}
		paused, ok := k.Due(target)
		if !ok {
			t.Fatal("no due time after the pauses ended")
		}
		if paused.Before(plain) {
			t.Fatalf("pauses %v moved the due time earlier: %v → %v", k.Pauses, plain, paused)
		}
		if !c.Open(paused.Add(-time.Nanosecond)) {
			t.Fatalf("due %v (local %v) in closed hours", paused, paused.In(c.Zone))
		}
		if got := k.Elapsed(paused); got != target {
			t.Fatalf("elapsed at the due time %v: %v, want %v (pauses %v)", paused, got, target, k.Pauses)
		}
	})
}

// TestSLAExamples: a Thursday 17:30 message in Dhaka, four business hours
// on a 10:00–19:00 Saturday–Thursday week, is due Saturday 12:30; with
// Saturday a holiday, Sunday 12:30. In Kathmandu (Saturday off) Friday
// 17:00 + 2 h is due Sunday 11:00.
func TestSLAExamples(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	bd := Bangladesh(dhaka)
	start := time.Date(2026, 12, 3, 17, 30, 0, 0, dhaka) // a Thursday
	if due, _ := bd.Add(start, 4*time.Hour); !due.Equal(time.Date(2026, 12, 5, 12, 30, 0, 0, dhaka)) {
		t.Errorf("Dhaka: %v", due)
	}
	bd.AddHoliday(2026, 12, 5)
	if due, _ := bd.Add(start, 4*time.Hour); !due.Equal(time.Date(2026, 12, 6, 12, 30, 0, 0, dhaka)) {
		t.Errorf("Dhaka with a holiday: %v", due)
	}
	ktm, _ := time.LoadLocation("Asia/Kathmandu")
	np := Nepal(ktm)
	if due, _ := np.Add(time.Date(2026, 12, 4, 17, 0, 0, 0, ktm), 2*time.Hour); !due.Equal(time.Date(2026, 12, 6, 11, 0, 0, 0, ktm)) {
		t.Errorf("Kathmandu: %v", due)
	}
	if got, err := ParseHours("10:00-13:00, 14:00-19:00"); err != nil || len(got) != 2 || got[1] != (Interval{14 * 60, 19 * 60}) {
		t.Errorf("ParseHours: %v %v", got, err)
	}
	if _, err := ParseHours("19:00-10:00"); err == nil {
		t.Error("a span that ends before it starts was read")
	}
}
