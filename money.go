package retain

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Money is an amount in integer minor units (cents, paisa) of Currency.
// Floating point never touches money in Retain.
type Money struct {
	Minor    int64
	Currency string
}

// CurrencyDigits returns the number of minor-unit digits of an ISO 4217 code
// (2 for BDT, NPR and USD, 0 for JPY, 3 for KWD), or an error for a code that
// is not a currency.
func CurrencyDigits(code string) (int, error) {
	if len(code) != 3 {
		return 0, Because("not_currency", "%q is not an ISO 4217 currency code", code)
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, Because("not_currency", "%q is not an ISO 4217 currency code", code)
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}

// MinorPerUnit is 10^digits of a currency (100 for BDT), to turn an amount
// in major units (a model's CLV) into minor units or back; 1 for a code that
// is not a currency, which amounts are checked against on the way in.
func MinorPerUnit(code string) float64 {
	d, err := CurrencyDigits(code)
	if err != nil {
		return 1
	}
	return math.Pow10(d)
}

// NormalizeCurrency upper-cases code and checks it is a known currency.
func NormalizeCurrency(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if _, err := CurrencyDigits(code); err != nil {
		return "", err
	}
	return code, nil
}

// amountNoise strips grouping characters; built once, it is safe for
// concurrent use.
var amountNoise = strings.NewReplacer(",", "", " ", "", "_", "")

// ParseAmount parses a decimal string such as "1,250.50", "-3" or "৳ 99.9"
// into minor units of cur. Grouping commas, spaces and a leading currency
// symbol are ignored; more decimals than the currency has is an error rather
// than a silent rounding.
func ParseAmount(s, cur string) (int64, error) {
	digits, err := CurrencyDigits(cur)
	if err != nil {
		return 0, err
	}
	orig := s
	s = LatinDigits(strings.TrimSpace(s)) // ১,৫৫০ as typed on a Bengali keyboard
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9') && r != '-' && r != '.' && r != '+'
	})
	s = amountNoise.Replace(s)
	if s == "" {
		return 0, Because("not_amount", "%q is not an amount", orig)
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, Because("not_amount", "%q is not an amount", orig)
	}
	if len(frac) > digits {
		trimmed := strings.TrimRight(frac, "0")
		if len(trimmed) > digits {
			return 0, Because("too_many_decimals", "%q has more than %d decimal places for %s", orig, digits, cur)
		}
		frac = trimmed
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, Because("not_amount", "%q is not an amount", orig)
			}
		}
	}
	frac += strings.Repeat("0", digits-len(frac))
	if whole == "" {
		whole = "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v > math.MaxInt64/1000 {
		return 0, Because("too_large", "%q is too large", orig)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// FormatAmount renders minor units of cur as a plain decimal string ("1250.50").
func FormatAmount(minor int64, cur string) string {
	digits, err := CurrencyDigits(cur)
	if err != nil || digits == 0 {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	p := int64(math.Pow10(digits))
	return fmt.Sprintf("%s%d.%0*d", sign, minor/p, digits, minor%p)
}

// MulAmount is a line's total, unit price × quantity in minor units, or an
// error when it does not fit in 64 bits (it would wrap around silently).
func MulAmount(price, quantity int64) (int64, error) {
	if price == 0 || quantity == 0 {
		return 0, nil
	}
	total := price * quantity
	if total/quantity != price || (price < 0) != (quantity < 0) && total > 0 || (price < 0) == (quantity < 0) && total < 0 {
		return 0, Because("amount_overflow", "%d × %d minor units is more than an amount can hold", quantity, price)
	}
	return total, nil
}

// AddAmounts adds amounts in minor units, or fails when the sum does not
// fit in 64 bits.
func AddAmounts(a, b int64) (int64, error) {
	sum := a + b
	if (b > 0 && sum < a) || (b < 0 && sum > a) {
		return 0, Because("amount_overflow", "the amounts add up to more than an amount can hold")
	}
	return sum, nil
}
