package retain

import (
	"strconv"
	"strings"
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

// TextProblem says what makes s unfit to store as text ("" when nothing):
// a NUL byte (PostgreSQL refuses it; a C string ends there) or invalid
// UTF-8.
func TextProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	return ""
}
