package retain

import (
	"strconv"
	"unicode/utf8"
)

// MaxRefLen bounds external ids.
const MaxRefLen = 200

// checkRef checks an external id: required or not, printable and bounded.
func checkRef(p Problems, field, v string, required bool) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case len(v) > MaxRefLen:
		p.Add(field, "is longer than %d characters", MaxRefLen)
	case !utf8.ValidString(v):
		p.Add(field, "is not valid UTF-8")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
