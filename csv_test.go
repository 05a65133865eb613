package retain_test

import (
	"testing"

	"github.com/retainhq/retain"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-2": "'-2", "@x": "'@x", "\tx": "'\tx",
		"\rx": "'\rx", "\x00x": "'\x00x", "Karim": "Karim", "": "", "a=b": "a=b"} {
		if got := retain.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
