// Package calendar converts Gregorian dates to and from the local
// calendars Retain's users live by. Bangla here is the Bangabda calendar
// as Bangladesh revised it in 2019: the year starts on 14 April (Pohela
// Boishakh); Boishakh to Ashwin have 31 days, Kartik to Chaitra 30, but
// Falgun 29 — 30 when the Gregorian year it falls in is a leap year — so
// that 21 February is 8 Falgun, 26 March 12 Chaitra and 16 December
// 1 Poush every year. A Bangla date is the Gregorian year less 593 from
// 14 April, less 594 before it.
package calendar

import (
	"fmt"
	"time"
)

// Date is a date of a local calendar: its year, month (1–12) and day.
type Date struct {
	Year, Month, Day int
}

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// banglaMonthDays is a Bangla month's length; leap is whether the
// Gregorian year its Falgun falls in is a leap year.
func banglaMonthDays(month int, leap bool) int {
	switch {
	case month <= 6:
		return 31
	case month == 11 && !leap:
		return 29
	}
	return 30
}

// newYear is 1 Boishakh of the Bangla year that starts in Gregorian year g.
func newYear(g int) time.Time { return time.Date(g, time.April, 14, 0, 0, 0, 0, time.UTC) }

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// ToBangla is the Bangla date of a Gregorian day (t's year, month and day,
// whatever its zone).
func ToBangla(t time.Time) Date {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	g := day.Year()
	if day.Before(newYear(g)) {
		g--
	}
	left := int(day.Sub(newYear(g)).Hours() / 24) // days since 1 Boishakh
	leap := isLeap(g + 1)                         // Falgun falls in February of the next Gregorian year
	month := 1
	for ; month < 12; month++ {
		n := banglaMonthDays(month, leap)
		if left < n {
			break
		}
		left -= n
	}
	return Date{Year: g - 593, Month: month, Day: left + 1}
}

// FromBangla is the Gregorian day (UTC midnight) of a Bangla date, or an
// error naming what is not a date.
func FromBangla(d Date) (time.Time, error) {
	if d.Year < 1 || d.Year > 9000 {
		return time.Time{}, fmt.Errorf("year %d is out of range", d.Year)
	}
	if d.Month < 1 || d.Month > 12 {
		return time.Time{}, fmt.Errorf("month %d is not from 1 to 12", d.Month)
	}
	g := d.Year + 593
	leap := isLeap(g + 1)
	if n := banglaMonthDays(d.Month, leap); d.Day < 1 || d.Day > n {
		return time.Time{}, fmt.Errorf("day %d: month %d of %d has %d days", d.Day, d.Month, d.Year, n)
	}
	days := d.Day - 1
	for m := 1; m < d.Month; m++ {
		days += banglaMonthDays(m, leap)
	}
	return newYear(g).AddDate(0, 0, days), nil
}
