package retain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in, cur string
		want    int64
		err     string
	}{
		{"1250.50", "BDT", 125050, ""},
		{"1,250.5", "BDT", 125050, ""},
		{"৳ 99", "BDT", 9900, ""},
		{"-3", "USD", -300, ""},
		{".5", "USD", 50, ""},
		{"7", "JPY", 7, ""},
		{"7.0", "JPY", 7, ""},
		{"7.5", "JPY", 0, "decimal places"},
		{"1.234", "KWD", 1234, ""},
		{"10.999", "USD", 0, "decimal places"},
		{"1e5", "USD", 0, "not an amount"},
		{"", "USD", 0, "not an amount"},
		{"12", "XYZ", 0, "ISO 4217"},
		{"99999999999999999999", "USD", 0, "too large"},
	}
	for _, c := range cases {
		got, err := retain.ParseAmount(c.in, c.cur)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseAmount(%q, %s) = %d, %v; want error with %q", c.in, c.cur, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
	if s := retain.FormatAmount(-125050, "BDT"); s != "-1250.50" {
		t.Errorf("FormatAmount = %s", s)
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct{ in, country, want string }{
		{"+880 1712-345678", "", "+8801712345678"},
		{"01712345678", "BD", "+8801712345678"},
		{"০১৭১২৩৪৫৬৭৮", "BD", "+8801712345678"}, // Bengali digits
		{"9812345678", "NP", "+9779812345678"},
		{"००९७७९८१२३४५६७८", "", "+9779812345678"}, // Devanagari digits with 00 prefix
		{"01712345678", "", ""},
		{"12", "", ""},
		{"+88017x", "", ""},
	}
	for _, c := range cases {
		got, err := retain.NormalizePhone(c.in, c.country)
		if (err != nil) != (c.want == "") || got != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.in, c.country, got, err, c.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2026-03-01", time.Date(2026, 2, 28, 18, 0, 0, 0, time.UTC)}, // midnight in Dhaka
		{"19970101", time.Date(1996, 12, 31, 18, 0, 0, 0, time.UTC)},
		{"2026-03-01T10:00:00+05:45", time.Date(2026, 3, 1, 4, 15, 0, 0, time.UTC)},
		{"2026-01-02 10:00:00 +0600", time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)},
		{"2026-03-01 12:30", time.Date(2026, 3, 1, 6, 30, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := retain.ParseTime(c.in, dhaka)
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"2026-13-01", "yesterday", "01/02/2026", "0001-01-01"} {
		if _, err := retain.ParseTime(bad, dhaka); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestValidateReportsEveryField(t *testing.T) {
	o := retain.Order{Currency: "XYZ", Lines: []retain.OrderLine{{ExternalID: "l", Quantity: 0}}}
	p := o.Validate()
	for _, f := range []string{"external_id", "customer_id", "currency", "placed_at", "lines[0].quantity", "lines[0].sku"} {
		if p[f].Text == "" {
			t.Errorf("no problem reported for %s: %v", f, p)
		}
	}
	r := retain.SurveyResponse{ExternalID: "s", CustomerRef: "c", Kind: "csat", Score: 0, RespondedAt: time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)}
	if p := r.Validate(); !strings.Contains(p["score"].Text, "1–5") {
		t.Errorf("csat 0: %v", p)
	}
}

// TestAmountsNeverWrap: a line total or an order total that does not fit
// in 64 bits is an error, not a wrapped (often zero or negative) amount.
func TestAmountsNeverWrap(t *testing.T) {
	if _, err := retain.MulAmount(100, 1<<62); err == nil { // 2^62 × 1.00 wrapped to 0
		t.Error("2^62 × 100 accepted")
	}
	if _, err := retain.MulAmount(-3, 1<<62); err == nil {
		t.Error("-3 × 2^62 accepted")
	}
	if v, err := retain.MulAmount(45000, 2); err != nil || v != 90000 {
		t.Errorf("45000 × 2 = %d, %v", v, err)
	}
	if _, err := retain.AddAmounts(1<<62, 1<<62); err == nil {
		t.Error("2^62 + 2^62 accepted")
	}
	o := retain.Order{ExternalID: "o", CustomerRef: "c", Currency: "BDT", PlacedAt: time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC), Lines: []retain.OrderLine{
		{ExternalID: "1", SKU: "a", Quantity: 1, UnitPrice: 1 << 62, Total: 1 << 62},
		{ExternalID: "2", SKU: "b", Quantity: 1, UnitPrice: 1 << 62, Total: 1 << 62}}}
	if p := o.Validate(); p["lines"].Text == "" {
		t.Errorf("lines adding up past 2^63 accepted: %v", p)
	}
}

// TestNativeDigits: amounts and dates typed with Bengali or Devanagari
// digits read as the same numbers.
func TestNativeDigits(t *testing.T) {
	if v, err := retain.ParseAmount("৳১,৫৫০.৫০", "BDT"); err != nil || v != 155050 {
		t.Errorf("৳১,৫৫০.৫০ = %d, %v", v, err)
	}
	if v, err := retain.ParseAmount("रू ९९०", "NPR"); err != nil || v != 99000 {
		t.Errorf("रू ९९० = %d, %v", v, err)
	}
	want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"২০২৬-০৩-০১", "२०२६-०३-०१"} {
		if got, err := retain.ParseTime(s, time.UTC); err != nil || !got.Equal(want) {
			t.Errorf("%s = %v, %v", s, got, err)
		}
	}
}
