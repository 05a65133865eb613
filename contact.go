package retain

import (
	"net/mail"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// CallingCodes maps the ISO 3166 countries Retain knows to their calling code,
// used to turn local phone numbers into E.164. Bangladesh and Nepal first.
var callingCodes = map[string]string{
	"BD": "880", "NP": "977", "IN": "91", "PK": "92", "LK": "94", "BT": "975",
	"AE": "971", "SA": "966", "MY": "60", "SG": "65", "GB": "44", "US": "1", "CA": "1",
}

// LatinDigits writes Bengali (০–৯) and Devanagari (०–९) digits as 0–9, so
// what a person types in their own script matches what is stored.
func LatinDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '০' && r <= '৯':
			return '0' + (r - '০')
		case r >= '०' && r <= '९':
			return '0' + (r - '०')
		}
		return r
	}, s)
}

// NormalizePhone returns phone in E.164 form (+8801712345678). A number
// without a leading + or 00 is read as a national number of country (an ISO
// 3166 code such as "BD" or "NP"); the national trunk 0 is dropped.
func NormalizePhone(phone, country string) (string, error) {
	var digits strings.Builder
	for i, r := range LatinDigits(strings.TrimSpace(phone)) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '/':
		default:
			return "", Because("not_phone", "%q is not a phone number", phone)
		}
	}
	d := digits.String()
	trimmed := strings.TrimSpace(phone)
	switch {
	case strings.HasPrefix(trimmed, "+"):
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	default:
		cc, ok := callingCodes[strings.ToUpper(country)]
		if !ok {
			return "", Because("phone_no_country", "%q has no country code: write it as +<country><number> or set a default phone country", phone)
		}
		d = cc + strings.TrimPrefix(d, "0")
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", Because("not_intl_phone", "%q is not a valid international phone number", phone)
	}
	return "+" + d, nil
}

// NormalizeEmail checks an address and lower-cases its domain.
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return "", Because("not_email", "%q is not an email address", email)
	}
	local, domain, _ := strings.Cut(a.Address, "@")
	return local + "@" + strings.ToLower(domain), nil
}

// NormalizeLocale returns the canonical BCP 47 form of a locale ("bn", "ne-NP").
func NormalizeLocale(s string) (string, error) {
	t, err := language.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", Because("not_locale", "%q is not a language tag (use en, bn or ne)", s)
	}
	return t.String(), nil
}

// CheckTimeZone checks that tz is an IANA time zone name such as Asia/Dhaka.
func CheckTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return Because("not_time_zone", "%q is not an IANA time zone (for example Asia/Dhaka)", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Because("not_time_zone", "%q is not an IANA time zone (for example Asia/Dhaka)", tz)
	}
	return nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05 -0700", // Shopify exports
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"20060102", // CDNOW
}

// ParseTime reads a timestamp in one of the common export layouts. A value
// without a zone or offset is read in loc (the business's time zone). The
// result is in UTC, truncated to microseconds (PostgreSQL's precision), so a
// value reads back equal from either database.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	latin := LatinDigits(s) // ২০২৬-০৩-০১ as typed on a Bengali keyboard
	for _, layout := range timeLayouts {
		t, err := time.ParseInLocation(layout, latin, loc)
		if err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, Because("date_out_of_range", "%q is out of range", s)
			}
			return t.UTC().Truncate(time.Microsecond), nil
		}
	}
	return time.Time{}, Because("not_date", "%q is not a date or time: write it as YYYY-MM-DD (2026-03-01), with a time if you have one (2026-03-01 14:30)", s)
}
