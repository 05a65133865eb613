package loyalty

import (
	"crypto/rand"
	"math"
	"strings"

	"github.com/retainhq/retain"
)

// Discount is what a coupon takes off an order of total (minor units): an
// amount never more than the order, a percent rounded down to the minor
// unit, store credit up to what is left of it (left), a free item nothing.
func Discount(kind string, amount int64, percent int, left, total int64) int64 {
	switch kind {
	case retain.CouponAmount:
		return min(amount, total)
	case retain.CouponPercent:
		return int64(math.Floor(float64(total) * float64(percent) / 100))
	case retain.CouponStoreCredit:
		return min(left, total)
	}
	return 0
}

// Codes are read over the phone and typed at a till: upper-case letters
// and digits with none that look or sound alike (no 0/O, 1/I/L, U/V), in
// groups of five. Fifteen characters of 29 are 72 bits, so a code cannot
// be guessed: at a thousand guesses a second against a million live
// coupons, the first hit would take about 300 years.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"
	codeLength   = 15
	codeGroup    = 5
)

// CodeBits is how much chance is in a code.
func CodeBits() float64 { return codeLength * math.Log2(float64(len(codeAlphabet))) }

// NewCode returns a fresh random code, normalised (no dashes).
func NewCode() string {
	b := make([]byte, codeLength)
	// Rejection sampling keeps every character equally likely.
	limit := byte(256 - 256%len(codeAlphabet))
	var buf [32]byte
	for i := 0; i < len(b); {
		rand.Read(buf[:]) // never fails (crypto/rand panics instead)
		for _, c := range buf {
			if c < limit && i < len(b) {
				b[i] = codeAlphabet[int(c)%len(codeAlphabet)]
				i++
			}
		}
	}
	return string(b)
}

// FormatCode groups a normalised code for reading: K7MQ2-XRT9P-4HW3N.
func FormatCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizeCode reads a code as typed: any case, with dashes or spaces,
// in Bengali or Devanagari digits. It fails, naming the problem, when what
// is left cannot be a code; a custom code (a campaign's EID2026) is 3–32
// letters and digits.
func NormalizeCode(s string) (string, error) {
	s = strings.ToUpper(retain.LatinDigits(strings.TrimSpace(s)))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", retain.Because("code_character", "%q is not a letter or a digit", r)
		}
	}
	if b.Len() < 3 || b.Len() > 32 {
		return "", retain.Because("code_length", "is %d letters and digits, not 3 to 32", b.Len())
	}
	return b.String(), nil
}
