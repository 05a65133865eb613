// Package auth holds credentials: password hashing now, sessions later.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters from docs/reliability.md S1 (OWASP's m=19 MiB, t=2, p=1).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	keyLen    = 32
)

// MinPasswordLen is the shortest password accepted (ASVS 6.2.1).
const MinPasswordLen = 8

// MaxPasswordLen is the longest password accepted: long passphrases are
// welcome, megabytes into the hash are not.
const MaxPasswordLen = 256

// Why a new password is refused, as codes a form turns into its reader's
// words.
const (
	PasswordShort  = "short"
	PasswordLong   = "long"
	PasswordCommon = "common"
)

// PasswordProblem is what is wrong with a new password: too short, too
// long, or one of the passwords every attacker tries first; "" when
// nothing is.
func PasswordProblem(password string) string {
	switch n := len([]rune(password)); {
	case n < MinPasswordLen:
		return PasswordShort
	case n > MaxPasswordLen:
		return PasswordLong
	case isCommon(password):
		return PasswordCommon
	}
	return ""
}

// CheckPassword says in English what PasswordProblem finds (the CLI's
// words).
func CheckPassword(password string) error {
	switch PasswordProblem(password) {
	case PasswordShort:
		return fmt.Errorf("a password needs at least %d characters", MinPasswordLen)
	case PasswordLong:
		return fmt.Errorf("a password may have at most %d characters", MaxPasswordLen)
	case PasswordCommon:
		return fmt.Errorf("that password is one of the first an attacker tries; choose another")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, passes, memoryKiB, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is what an unknown account's password is checked against, so a
// login takes as long whether or not the email exists.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no account has this password")
	return h
})

// VerifyPassword reports whether password matches the encoded hash. An
// empty or malformed hash (no such account) costs the same time as a real
// one and never matches.
func VerifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		verify(strings.Split(dummyHash(), "$"), password)
		return false
	}
	return verify(parts, password)
}

func verify(parts []string, password string) bool {
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// RandomPassword returns a 20-character password from crypto/rand.
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// RandomToken is 256 random bits, URL-safe: a one-time secret handed to a
// person in a link (the setup wizard's).
func RandomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
