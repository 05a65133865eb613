package auth

import "strings"

// commonPasswords are passwords seen first in every guessing attack (ASVS
// 6.2.4 asks that such passwords be refused): the usual keyboard walks,
// number runs, words and their obvious variants, including the local ones a
// shop in Dhaka or Kathmandu would try. Compared lower-cased, with a
// trailing run of digits or "!" also tried without it.
var commonPasswords = setOf(`
password passw0rd password1 password12 password123 p@ssw0rd p@ssword passwort motdepasse contraseña
12345678 123456789 1234567890 0123456789 87654321 11111111 00000000 12121212 11223344 12341234 123123123
1q2w3e4r 1q2w3e4r5t qwertyui qwertyuiop qwerty123 qwerty12 asdfghjk asdfghjkl zxcvbnm1 zxcvbnm123 qazwsxedc
1qaz2wsx abcd1234 abc12345 abcdefgh a1b2c3d4 aaaaaaaa iloveyou iloveyou1 sunshine princess football
baseball welcome welcome1 welcome123 letmein letmein1 trustno1 dragon monkey master shadow superman
batman starwars whatever freedom computer internet michael jennifer charlie jordan23 liverpool chelsea
arsenal manchester cricket bangladesh dhaka1234 bangla123 nepal123 kathmandu himalaya everest pokhara
admin123 administrator admin1234 adminadmin root1234 changeme changeme1 default secret123 test1234
testtest guest123 login123 user1234 qwerty asdf1234 pass1234 mypassword temp1234 hello123 helloworld
retain retain123 retain1234 customer loyalty
`)

func setOf(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[w] = true
	}
	return out
}

// isCommon reports whether p is one of commonPasswords, or one with a
// trailing run of digits or exclamation marks added.
func isCommon(p string) bool {
	p = strings.ToLower(p)
	if commonPasswords[p] {
		return true
	}
	stem := strings.TrimRight(p, "0123456789!")
	return stem != p && len(stem) >= 4 && commonPasswords[stem]
}
