package retain

import "strings"

// CSVSafe defuses a text cell a spreadsheet would run as a formula: one
// that starts with = + - @, tab, CR or NUL gets a leading ' (docs/reliability.md S5).
// Every export of text a customer or import supplied goes through it.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\x00", rune(s[0])) {
		return "'" + s
	}
	return s
}
