package messaging

import (
	"strings"
	"testing"
)

func TestSMSSegments(t *testing.T) {
	for _, c := range []struct {
		text    string
		parts   int
		unicode bool
	}{
		{"", 0, false},
		{strings.Repeat("a", 160), 1, false},
		{strings.Repeat("a", 161), 2, false},
		{strings.Repeat("a", 306), 2, false},
		{strings.Repeat("a", 307), 3, false},
		{strings.Repeat("€", 80), 1, false}, // two places each
		{strings.Repeat("€", 81), 2, false},
		{strings.Repeat("ক", 70), 1, true},
		{strings.Repeat("ক", 71), 2, true},
		{"Hello " + strings.Repeat("क", 64), 1, true}, // one Devanagari letter makes all of it Unicode: 70 units
		{"Hello " + strings.Repeat("क", 65), 2, true},
	} {
		parts, uni := SMSSegments(c.text)
		if parts != c.parts || uni != c.unicode {
			t.Errorf("%d runes: %d parts (unicode %v), want %d (%v)", len([]rune(c.text)), parts, uni, c.parts, c.unicode)
		}
	}
}
