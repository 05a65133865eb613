package auth

import (
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %s", h)
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Error("right password rejected")
	}
	if VerifyPassword(h, "correct horse batterx") {
		t.Error("wrong password accepted")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("7-character password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestCommonPasswordsRefused: the passwords attackers try first are refused
// even when long enough; a passphrase is accepted.
func TestCommonPasswordsRefused(t *testing.T) {
	for _, p := range []string{"password", "Password1", "12345678", "qwertyuiop", "iloveyou!!", "bangladesh2026", "short"} {
		if _, err := HashPassword(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
	if _, err := HashPassword(strings.Repeat("a", MaxPasswordLen+1)); err == nil {
		t.Error("a 257-character password accepted")
	}
	for _, p := range []string{"correct horse battery staple", "Tea garden at Sreemangal 7"} {
		if _, err := HashPassword(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}
