// Package desk is the support desk's time: business-hours calendars and
// the SLA clocks that run on them (docs/desk.md). A first response due in
// "4 business hours" from a message at 17:30 on a Thursday in Dhaka is due
// on Saturday at 12:30 when the team works 10:00–19:00 and Friday is the
// weekend; a clock paused while the ticket waits on the customer does not
// count that time.
package desk

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Interval is a span of a day's business hours in minutes after local
// midnight: [Open, Close), 0 ≤ Open < Close ≤ 1440.
type Interval struct{ Open, Close int }

// Calendar is a team's business hours: each weekday's open intervals, in
// the team's time zone, and the dates it is closed all day.
type Calendar struct {
	Zone     *time.Location
	Week     [7][]Interval      // by time.Weekday
	Holidays map[civilDate]bool // closed all day
}

type civilDate struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

// Check says what is wrong with a calendar: intervals out of the day or
// overlapping, or no business hours at all (a clock could never run).
func (c *Calendar) Check() error {
	if c.Zone == nil {
		return fmt.Errorf("calendar: no time zone")
	}
	open := false
	for day, ivs := range c.Week {
		sort.Slice(ivs, func(i, j int) bool { return ivs[i].Open < ivs[j].Open })
		for i, iv := range ivs {
			if iv.Open < 0 || iv.Close > 24*60 || iv.Open >= iv.Close {
				return fmt.Errorf("calendar: %s: %s is not a span of the day", time.Weekday(day), iv)
			}
			if i > 0 && iv.Open < ivs[i-1].Close {
				return fmt.Errorf("calendar: %s: %s overlaps %s", time.Weekday(day), iv, ivs[i-1])
			}
			open = true
		}
	}
	if !open {
		return fmt.Errorf("calendar: no business hours in the week")
	}
	return nil
}

func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", iv.Open/60, iv.Open%60, iv.Close/60, iv.Close%60)
}

// AddHoliday closes a date (in the calendar's zone) all day.
func (c *Calendar) AddHoliday(y int, m time.Month, d int) {
	if c.Holidays == nil {
		c.Holidays = map[civilDate]bool{}
	}
	c.Holidays[civilDate{y, m, d}] = true
}

// Week days and hours of the two countries' usual shop weeks, as starting
// points: Bangladesh closes on Friday, Nepal on Saturday.
func Bangladesh(zone *time.Location) Calendar {
	return weekExcept(zone, time.Friday, Interval{10 * 60, 19 * 60})
}

// Nepal is Sunday to Friday, 10:00–18:00.
func Nepal(zone *time.Location) Calendar {
	return weekExcept(zone, time.Saturday, Interval{10 * 60, 18 * 60})
}

func weekExcept(zone *time.Location, closed time.Weekday, hours Interval) Calendar {
	c := Calendar{Zone: zone}
	for d := range c.Week {
		if time.Weekday(d) != closed {
			c.Week[d] = []Interval{hours}
		}
	}
	return c
}

// spans are the instants a local date's intervals open and close. A wall
// time a DST change skips is read as time.Date reads it (moved on by the
// gap), and one it repeats as its first occurrence.
func (c *Calendar) spans(day time.Time) [][2]time.Time {
	if c.Holidays[dateOf(day)] {
		return nil
	}
	y, m, d := day.Date()
	var out [][2]time.Time
	for _, iv := range c.Week[day.Weekday()] {
		open := time.Date(y, m, d, iv.Open/60, iv.Open%60, 0, 0, c.Zone)
		closeAt := time.Date(y, m, d+iv.Close/(24*60), (iv.Close%(24*60))/60, iv.Close%60, 0, 0, c.Zone)
		if closeAt.After(open) {
			out = append(out, [2]time.Time{open, closeAt})
		}
	}
	return out
}

// maxDays bounds every walk over the calendar: ten years of days.
const maxDays = 3660

// Open reports whether t is inside business hours.
func (c *Calendar) Open(t time.Time) bool {
	for _, s := range c.spans(localDay(t, c.Zone)) {
		if !t.Before(s[0]) && t.Before(s[1]) {
			return true
		}
	}
	return false
}

func localDay(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, zone) // noon: never a DST edge
}

// Between is the business time in [a, b): additive, Between(a, b) +
// Between(b, c) = Between(a, c) for a ≤ b ≤ c.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var total time.Duration
	day := localDay(a, c.Zone).AddDate(0, 0, -1) // an interval of the day before may reach past midnight
	for i := 0; i < maxDays; i++ {
		for _, s := range c.spans(day) {
			lo, hi := maxTime(s[0], a), minTime(s[1], b)
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
		day = day.AddDate(0, 0, 1)
		if y, m, d := day.Date(); time.Date(y, m, d, 0, 0, 0, 0, c.Zone).After(b) {
			break
		}
	}
	return total
}

// Add is the instant business time d after start: the end of the d-th
// business duration. It is never inside closed hours (it is the moment
// an open span reaches d, at most its close), and Between(start, Add(start,
// d)) = d. It returns false when the calendar has no hours in ten years.
func (c *Calendar) Add(start time.Time, d time.Duration) (time.Time, bool) {
	if d <= 0 {
		return start, true
	}
	left := d
	day := localDay(start, c.Zone).AddDate(0, 0, -1)
	for i := 0; i < maxDays; i++ {
		for _, s := range c.spans(day) {
			lo := maxTime(s[0], start)
			if !s[1].After(lo) {
				continue
			}
			if avail := s[1].Sub(lo); avail >= left {
				return lo.Add(left), true
			} else {
				left -= avail
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ParseHours reads a day's hours as "10:00-13:00,14:00-19:00" ("" or
// "closed": none).
func ParseHours(s string) ([]Interval, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "closed") {
		return nil, nil
	}
	var out []Interval
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("%q is not HH:MM-HH:MM", part)
		}
		o, err1 := minutes(from)
		cl, err2 := minutes(to)
		if err1 != nil || err2 != nil || o >= cl {
			return nil, fmt.Errorf("%q is not HH:MM-HH:MM with the end after the start", part)
		}
		out = append(out, Interval{o, cl})
	}
	return out, nil
}

func minutes(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return h*60 + m, nil
}

// FormatHours writes a day's intervals as ParseHours reads them.
func FormatHours(ivs []Interval) string {
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Open/60, iv.Open%60, iv.Close/60, iv.Close%60)
	}
	return strings.Join(parts, ",")
}

// WeekdayKeys are the policy's names of the days, Sunday first.
var WeekdayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
