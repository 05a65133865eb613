package i18n

import (
	"testing"
	"time"
)

// TestDateInBangla: a reader who chose the Bangla calendar reads Victory
// Day as 1 Poush, in their language and digits, and the day is the one in
// their zone (an evening in UTC is the next day in Dhaka).
func TestDateInBangla(t *testing.T) {
	day := time.Date(2026, 12, 15, 20, 0, 0, 0, time.UTC) // 16 December in Dhaka
	dhaka := time.FixedZone("Asia/Dhaka", 6*3600)
	for lang, want := range map[string]string{"en": "1 Poush 1433", "bn": "১ পৌষ ১৪৩৩", "ne": "१ पुष १४३३"} {
		z := New(lang, true)
		z.Zone, z.Calendar = dhaka, CalendarBangla
		if got := z.Date(day, nil); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	z := New("en", false)
	z.Zone = dhaka
	if got := z.Date(day, nil); got != "16 Dec 2026" {
		t.Errorf("Gregorian: %q", got)
	}
}
