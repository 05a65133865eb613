package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/retainhq/retain"
)

// TOTP parameters: the ones every authenticator app reads from an
// otpauth:// link (RFC 6238 with SHA-1, 6 digits, 30 s), and one step of
// clock drift either way.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a new TOTP secret for a staff member, with the otpauth://
// link an authenticator app reads and the same link as a QR code (a PNG
// data: URL, so the page loads nothing from outside).
type Enrolment struct {
	Secret string
	URL    string
	QR     string
}

// NewTOTP makes a 160-bit secret for account at issuer.
func NewTOTP(issuer, account string) (Enrolment, error) {
	return enrolment(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: 20})
}

// EnrolmentFor shows an existing secret again (the first code was wrong).
func EnrolmentFor(issuer, account, secret string) (Enrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: totp secret: %w", err)
	}
	return enrolment(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw})
}

func enrolment(opts totp.GenerateOpts) (Enrolment, error) {
	key, err := totp.Generate(opts)
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: totp: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: totp qr: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return Enrolment{}, fmt.Errorf("auth: totp qr: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())}, nil
}

// CheckTOTP reports whether code is secret's code at now or one step either
// side, and which time step it matched: the caller accepts each step once,
// so a code seen over someone's shoulder cannot be used again.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune { // no spaces, as apps show them; Bengali and Devanagari digits
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, retain.LatinDigits(code))
	if len(code) != 6 {
		return 0, false
	}
	for d := -totpSkew; d <= totpSkew; d++ {
		t := now.Add(time.Duration(d*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / totpPeriod, true
		}
	}
	return 0, false
}

// TOTPCode is secret's code at t: what the person's app shows (tests sign
// in with it).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// recoveryAlphabet has no 0, O, 1 or I: codes are read off paper.
var recoveryAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// NewRecoveryCodes makes n one-time codes of 50 random bits each, written
// "XXXXX-XXXXX".
func NewRecoveryCodes(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		var raw [7]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("auth: recovery codes: %w", err)
		}
		s := recoveryAlphabet.EncodeToString(raw[:])[:10]
		out[i] = s[:5] + "-" + s[5:]
	}
	return out, nil
}

// NormalizeRecoveryCode is how a typed code is compared: upper case, no
// dash or space.
func NormalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
}
