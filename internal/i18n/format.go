package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/calendar"
)

var digitSets = map[string][10]rune{
	"bn": {'০', '১', '২', '৩', '৪', '৫', '৬', '৭', '৮', '৯'},
	"ne": {'०', '१', '२', '३', '४', '५', '६', '७', '८', '९'},
}

// Digits writes ASCII digits in the language's native digits when the
// localizer asks for them.
func (z *Localizer) Digits(s string) string {
	set, ok := digitSets[z.Lang]
	if !z.Native || !ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return set[r-'0']
		}
		return r
	}, s)
}

// Number formats v with dec decimals: 1,234,567 in English, 12,34,567
// (Indian grouping) in Bengali and Nepali.
func (z *Localizer) Number(v float64, dec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var groups []string
	if z.Lang == "en" {
		for len(intPart) > 3 {
			groups = append([]string{intPart[len(intPart)-3:]}, groups...)
			intPart = intPart[:len(intPart)-3]
		}
	} else if len(intPart) > 3 {
		groups = []string{intPart[len(intPart)-3:]}
		intPart = intPart[:len(intPart)-3]
		for len(intPart) > 2 {
			groups = append([]string{intPart[len(intPart)-2:]}, groups...)
			intPart = intPart[:len(intPart)-2]
		}
	}
	out := strings.Join(append([]string{intPart}, groups...), ",")
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return z.Digits(out)
}

// Int formats an integer.
func (z *Localizer) Int(v int64) string { return z.Number(float64(v), 0) }

// Percent formats a share 0–1 as a percentage with one decimal.
func (z *Localizer) Percent(share float64) string { return z.Number(100*share, 1) + "%" }

var symbols = map[string]string{"BDT": "৳", "NPR": "रू ", "INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}

// Money formats minor units of a currency: ৳12,34,567.50.
func (z *Localizer) Money(minor int64, currency string) string {
	d := digits(currency)
	return z.MoneyMajor(float64(minor)/math.Pow10(d), currency)
}

// MoneyMajor formats an amount in the currency's major units (a CLV).
func (z *Localizer) MoneyMajor(major float64, currency string) string {
	sym, ok := symbols[currency]
	if !ok {
		sym = currency + " "
	}
	return sym + z.Number(major, digits(currency))
}

// digits is the currency's minor-unit digits (2 when unknown).
func digits(currency string) int {
	d, err := retain.CurrencyDigits(currency)
	if err != nil {
		return 2
	}
	return d
}

var months = map[string][12]string{
	"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	"bn": {"জানু", "ফেব্রু", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টে", "অক্টো", "নভে", "ডিসে"},
	"ne": {"जनवरी", "फेब्रुअरी", "मार्च", "अप्रिल", "मे", "जुन", "जुलाई", "अगस्ट", "सेप्टेम्बर", "अक्टोबर", "नोभेम्बर", "डिसेम्बर"},
}

// Date formats a day: 2 Jun 2026, in loc, or in the localizer's Zone
// when loc is nil.
func (z *Localizer) Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(z.zone(loc))
	if z.Calendar == CalendarBangla {
		d := calendar.ToBangla(t)
		return z.Digits(strconv.Itoa(d.Day) + " " + banglaMonths[z.Lang][d.Month-1] + " " + strconv.Itoa(d.Year))
	}
	return z.Digits(strconv.Itoa(t.Day()) + " " + months[z.Lang][t.Month()-1] + " " + strconv.Itoa(t.Year()))
}

// The calendars a reader may see dates in.
const (
	CalendarGregorian = ""
	CalendarBangla    = "bangla" // Bangabda, as revised in Bangladesh (internal/calendar)
)

// Calendars are the calendar choices, Gregorian first.
var Calendars = []string{CalendarGregorian, CalendarBangla}

// banglaMonths are the Bangla months' names, from Boishakh.
var banglaMonths = map[string][12]string{
	"en": {"Boishakh", "Joishtho", "Asharh", "Shrabon", "Bhadro", "Ashwin", "Kartik", "Ogrohayon", "Poush", "Magh", "Falgun", "Choitro"},
	"bn": {"বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন", "কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন", "চৈত্র"},
	"ne": {"बैशाख", "जेठ", "असार", "साउन", "भदौ", "असोज", "कात्तिक", "मंसिर", "पुष", "माघ", "फागुन", "चैत"},
}

// DateTime formats a day and time: 2 Jun 2026 14:05, in loc or the Zone.
func (z *Localizer) DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(z.zone(loc))
	return z.Date(t, t.Location()) + " " + z.Digits(t.Format("15:04"))
}

func (z *Localizer) zone(loc *time.Location) *time.Location {
	switch {
	case loc != nil:
		return loc
	case z.Zone != nil:
		return z.Zone
	}
	return time.UTC
}

// Month formats a month: Jun 2026.
func (z *Localizer) Month(t time.Time) string {
	return z.Digits(months[z.Lang][t.Month()-1] + " " + strconv.Itoa(t.Year()))
}
