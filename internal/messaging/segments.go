package messaging

import (
	"strings"
	"unicode/utf16"
)

// gsm7 is the GSM 03.38 default alphabet; gsm7Ext are the characters that
// take two places (an escape and the character).
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// SMSSegments is how many SMS parts a text is sent as, and whether it
// needs Unicode (UCS-2): one part holds 160 GSM characters or 70 Unicode
// ones; a longer text is split into parts of 153 or 67. A Bengali or
// Nepali message is Unicode, so it costs about twice as many parts as the
// same length in English.
func SMSSegments(text string) (parts int, unicode bool) {
	units := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7, r):
			units++
		case strings.ContainsRune(gsm7Ext, r):
			units += 2
		default:
			unicode = true
		}
	}
	single, multi := 160, 153
	if unicode {
		units, single, multi = len(utf16.Encode([]rune(text))), 70, 67
	}
	switch {
	case units == 0:
		return 0, unicode
	case units <= single:
		return 1, unicode
	}
	return (units + multi - 1) / multi, unicode
}
