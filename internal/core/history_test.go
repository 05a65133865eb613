package core

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestCivilDay(t *testing.T) {
	dhaka, err := time.LoadLocation("Asia/Dhaka")
	if err != nil {
		t.Skip(err)
	}
	// 20:00 UTC is 02:00 the next day in Dhaka (UTC+6).
	at := time.Date(2026, 6, 1, 20, 0, 0, 0, time.UTC)
	if got, want := civilDay(at, dhaka), civilDay(at, time.UTC)+1; got != want {
		t.Errorf("Dhaka day %d, want %d", got, want)
	}
	// The UTC shortcut agrees with the calendar, before 1970 too.
	src := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		u := time.Unix(src.Int64N(4e9)-2e9, 0)
		y, m, d := u.UTC().Date()
		want := int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
		if got := civilDay(u, time.UTC); got != want {
			t.Fatalf("%v: day %d, want %d", u.UTC(), got, want)
		}
	}
}
