package messaging

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// zones include half- and quarter-hour offsets, a 30-minute DST shift
// (Lord Howe), negative DST (Dublin) and a two-hour one (Troll).
var zones = []string{"Asia/Dhaka", "Asia/Kathmandu", "Asia/Kolkata", "America/New_York", "America/Los_Angeles",
	"America/St_Johns", "America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Australia/Lord_Howe",
	"Australia/Adelaide", "Pacific/Chatham", "Asia/Tehran", "Africa/Casablanca", "Antarctica/Troll", "UTC", "Pacific/Apia"}

// 2026 DST changes: US 8 Mar and 1 Nov, EU 29 Mar and 25 Oct, Australia 5 Apr and 4 Oct.
var changes = []time.Time{
	time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
	time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 4, 15, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 16, 0, 0, 0, time.UTC),
}

// TestM6_QuietHoursEarliestAllowed: for random zones, windows and instants
// (many near a DST change), the decision lies outside the window, is not
// before the request, and every minute between them is quiet: it is the
// earliest allowed instant.
func TestM6_QuietHoursEarliestAllowed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
		if err != nil {
			t.Skip(err)
		}
		w := Window{Start: rapid.IntRange(0, 1439).Draw(t, "start"), End: rapid.IntRange(0, 1439).Draw(t, "end")}
		// Many instants per zone and window: the cases are cheap.
		for range 50 {
			checkNextAllowed(t, w, loc)
		}
	})
}

func checkNextAllowed(t *rapid.T, w Window, loc *time.Location) {
	{
		var at time.Time
		if rapid.Bool().Draw(t, "near_change") {
			at = rapid.SampledFrom(changes).Draw(t, "change").Add(time.Duration(rapid.IntRange(-36*3600, 36*3600).Draw(t, "offset_s")) * time.Second)
		} else {
			at = time.Unix(rapid.Int64Range(1735689600, 1830297600).Draw(t, "unix"), 0) // 2025–2027
		}
		got := w.NextAllowed(at, loc)
		if got.Before(at) {
			t.Fatalf("%v in %s, window %v: %v is before the request", at, loc, w, got)
		}
		if w.Contains(got.In(loc)) {
			t.Fatalf("%v in %s, window %v: %v (local %v) is inside the window", at, loc, w, got, got.In(loc))
		}
		for u := at.Truncate(time.Minute).Add(time.Minute); u.Before(got); u = u.Add(time.Minute) {
			if !w.Contains(u.In(loc)) {
				t.Fatalf("%v in %s, window %v: %v allowed before the answer %v", at, loc, w, u.In(loc), got.In(loc))
			}
		}
	}
}

func TestQuietHoursExamples(t *testing.T) {
	ktm, _ := time.LoadLocation("Asia/Kathmandu")
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct {
		at   time.Time
		loc  *time.Location
		want string
	}{
		// 22:30 in Kathmandu (UTC+5:45) waits for 08:00 the next morning.
		{time.Date(2026, 5, 10, 22, 30, 0, 0, ktm), ktm, "2026-05-11T08:00:00+05:45"},
		// 07:59 waits one minute; 08:00 and 20:59 go now; 21:00 waits.
		{time.Date(2026, 5, 10, 7, 59, 0, 0, ktm), ktm, "2026-05-10T08:00:00+05:45"},
		{time.Date(2026, 5, 10, 8, 0, 0, 0, ktm), ktm, "2026-05-10T08:00:00+05:45"},
		{time.Date(2026, 5, 10, 20, 59, 59, 0, ktm), ktm, "2026-05-10T20:59:59+05:45"},
		// The night the US springs forward: 08:00 is EDT.
		{time.Date(2026, 3, 7, 23, 0, 0, 0, ny), ny, "2026-03-08T08:00:00-04:00"},
		// And falls back: 08:00 is EST, 25 hours after the previous 07:00.
		{time.Date(2026, 10, 31, 23, 0, 0, 0, ny), ny, "2026-11-01T08:00:00-05:00"},
	} {
		got := DefaultSMSWindow.NextAllowed(c.at, c.loc).In(c.loc).Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%v: %s, want %s", c.at, got, c.want)
		}
	}
	if w, err := ParseWindow("21:00-08:00"); err != nil || w != DefaultSMSWindow || w.String() != "21:00-08:00" {
		t.Errorf("ParseWindow = %v, %v", w, err)
	}
	for _, bad := range []string{"21-08", "25:00-08:00", "21:00-08:60", "9pm-8am"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
