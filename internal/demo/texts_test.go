package demo

import (
	"testing"

	"github.com/retainhq/retain/internal/classify"
)

// TestDemoTextsClassified: the demo's comments, written for the demo and
// not part of the classifier's corpus, are a second check of the
// classifier: at least 90% of them get the cause they were written for
// (praise: none). go test -v prints the misses.
func TestDemoTextsClassified(t *testing.T) {
	causeOf := map[string]string{"price_value": classify.Price}
	right, n := 0, 0
	check := func(want, text string) {
		n++
		if got := classify.Cause("", text); got == want {
			right++
		} else {
			t.Logf("%q: %q, written as %q", text, got, want)
		}
	}
	for cause, byLang := range complaints {
		want := cause
		if c, ok := causeOf[cause]; ok {
			want = c
		}
		for _, texts := range byLang {
			for _, text := range texts {
				check(want, text)
			}
		}
	}
	for _, texts := range praise {
		for _, text := range texts {
			check("", text)
		}
	}
	t.Logf("%d of %d demo comments get their cause", right, n)
	if float64(right) < 0.9*float64(n) {
		t.Errorf("%d of %d demo comments get their cause, want at least 90%%", right, n)
	}
}
