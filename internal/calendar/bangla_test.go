package calendar

import (
	"testing"
	"time"
)

// TestBanglaKnownDays: the days the 2019 revision fixed — Pohela Boishakh
// on 14 April, 8 Falgun on 21 February (Language Martyrs' Day), 12
// Chaitra on 26 March (Independence Day), 1 Poush on 16 December (Victory
// Day), 1 Falgun on 14 February — in every year from 1990 to 2040, leap
// years or not: 255 pairs, both ways.
func TestBanglaKnownDays(t *testing.T) {
	n := 0
	for g := 1990; g <= 2040; g++ {
		for _, c := range []struct {
			month time.Month
			day   int
			bm    int
			bd    int
			year  int // the Bangla year, from the Gregorian
		}{
			{time.April, 14, 1, 1, g - 593},
			{time.December, 16, 9, 1, g - 593},
			{time.February, 14, 11, 1, g - 594},
			{time.February, 21, 11, 8, g - 594},
			{time.March, 26, 12, 12, g - 594},
		} {
			day := time.Date(g, c.month, c.day, 0, 0, 0, 0, time.UTC)
			want := Date{Year: c.year, Month: c.bm, Day: c.bd}
			if got := ToBangla(day); got != want {
				t.Errorf("%s: %s, want %s", day.Format(time.DateOnly), got, want)
			}
			if back, err := FromBangla(want); err != nil || !back.Equal(day) {
				t.Errorf("%s back: %v %v, want %s", want, back, err, day.Format(time.DateOnly))
			}
			n++
		}
	}
	if n != 255 {
		t.Fatalf("%d pairs", n)
	}
}

// TestBanglaEveryDay: every day from 1900 to 2100 converts to a Bangla
// date that converts back to it, each the day after the one before, and
// the months have their lengths (Falgun 30 days only before a leap 29
// February).
func TestBanglaEveryDay(t *testing.T) {
	prev := ToBangla(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC))
	for day := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() <= 2100; day = day.AddDate(0, 0, 1) {
		d := ToBangla(day)
		back, err := FromBangla(d)
		if err != nil || !back.Equal(day) {
			t.Fatalf("%s → %s → %v %v", day.Format(time.DateOnly), d, back, err)
		}
		next := d.Day == prev.Day+1 && d.Month == prev.Month && d.Year == prev.Year
		turn := d.Day == 1 && (d.Month == prev.Month+1 && d.Year == prev.Year || d.Month == 1 && prev.Month == 12 && d.Year == prev.Year+1)
		if !next && !turn {
			t.Fatalf("%s: %s after %s", day.Format(time.DateOnly), d, prev)
		}
		if turn && prev.Month == 11 {
			leap := day.AddDate(0, 0, -15).Month() == time.February && isLeap(day.Year())
			if want := map[bool]int{true: 30, false: 29}[leap]; prev.Day != want {
				t.Fatalf("Falgun %d ended on day %d, want %d", prev.Year, prev.Day, want)
			}
		}
		prev = d
	}
}

// TestFromBanglaRefuses: no 30 Falgun outside a leap year (1431's falls
// in February 2025), no 32nd day, no 13th month; 30 Falgun 1430 is a day.
func TestFromBanglaRefuses(t *testing.T) {
	for _, d := range []Date{{1431, 11, 30}, {1430, 1, 32}, {1430, 13, 1}, {1430, 0, 1}, {1430, 7, 31}} {
		if _, err := FromBangla(d); err == nil {
			t.Errorf("%s was accepted", d)
		}
	}
	if d, err := FromBangla(Date{1430, 11, 30}); err != nil || d.Format(time.DateOnly) != "2024-03-14" {
		t.Errorf("30 Falgun 1430 (February 2024 is leap): %v %v, want 2024-03-14", d, err)
	}
}
