package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCatalogsMatch: every key exists in every language, with text.
func TestCatalogsMatch(t *testing.T) {
	en, err := Keys("en")
	if err != nil || len(en) < 100 {
		t.Fatalf("en: %d keys, %v", len(en), err)
	}
	for _, l := range []string{"bn", "ne"} {
		keys, err := Keys(l)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, en) {
			t.Errorf("%s has %d keys, en %d", l, len(keys), len(en))
		}
		z := New(l, false)
		for _, k := range keys {
			if s := z.T(k); s == "" || strings.HasPrefix(s, Missing) {
				t.Errorf("%s: %s is empty or missing", l, k)
			}
		}
	}
	if s := New("bn", false).T("no.such.key"); !strings.HasPrefix(s, Missing) {
		t.Errorf("a missing key shows as %q", s)
	}
}

func TestFormatting(t *testing.T) {
	en, bn, ne := New("en", false), New("bn", true), New("ne", true)
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	kathmandu, _ := time.LoadLocation("Asia/Kathmandu")
	inDhaka, inKathmandu := New("en", false), New("ne", true)
	inDhaka.Zone, inKathmandu.Zone = dhaka, kathmandu
	placed := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC) // 04:00 the next morning in Dhaka
	for _, c := range []struct{ got, want string }{
		{en.Number(1234567.5, 1), "1,234,567.5"},
		{New("bn", false).Number(1234567, 0), "12,34,567"},
		{bn.Number(1234567, 0), "১২,৩৪,৫৬৭"},
		{ne.Number(-9876543.21, 2), "-९८,७६,५४३.२१"},
		{en.Number(999, 0), "999"},
		{New("ne", false).Number(100000, 0), "1,00,000"},
		{en.Money(123456789, "BDT"), "৳1,234,567.89"},
		{New("bn", false).Money(123456789, "BDT"), "৳12,34,567.89"},
		{ne.Money(50000, "NPR"), "रू ५००.००"},
		{en.Money(1500, "JPY"), "JPY 1,500"},
		{en.MoneyMajor(1234.5, "BDT"), "৳1,234.50"},
		{en.Percent(0.659), "65.9%"},
		{en.Date(time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC), nil), "2 Jun 2026"},
		{bn.Date(time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC), nil), "২ জুন ২০২৬"},
		{ne.Month(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), "डिसेम्बर २०२६"},
		// Times in the reader's zone: the day as well as the hour moves.
		{en.DateTime(placed, nil), "1 Jun 2026 22:00"},
		{inDhaka.DateTime(placed, nil), "2 Jun 2026 04:00"},
		{inDhaka.Date(placed, nil), "2 Jun 2026"},
		{inKathmandu.DateTime(placed, nil), "२ जुन २०२६ ०३:४५"},
		{inDhaka.DateTime(placed, time.UTC), "1 Jun 2026 22:00"}, // an explicit zone wins
		{inDhaka.ZoneName(dhaka), "Dhaka time"},
		{en.N("customers.count", 1), "1 customer"},
		{en.N("customers.count", 1234), "1,234 customers"},
		{bn.N("customers.count", 2), "২ জন গ্রাহক"},
		{inKathmandu.ZoneName(kathmandu), "काठमाडौंको समय"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if Lang("bn-BD") != "bn" || Lang("ne-NP") != "ne" || Lang("fr") != "en" {
		t.Error("Lang")
	}
}
