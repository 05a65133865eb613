package messaging

import "testing"

func TestM8_OptOutKeywords(t *testing.T) {
	for _, s := range []string{"stop", "STOP", " Stop ", "stop.", "quit", "END", "revoke", "opt out", "Opt  Out", "cancel",
		"unsubscribe!", "STOPALL", "বন্ধ", "বন্ধ করুন।", "বাতিল", "रोक", "बन्द", "बन्द गर्नुहोस्।", "रद्द"} {
		if !IsOptOut(s) {
			t.Errorf("%q not recognised as an opt-out", s)
		}
	}
	for _, s := range []string{"don't stop", "stop by tomorrow", "yes", "", "stopped", "cancel my order 1234", "धन्यवाद"} {
		if IsOptOut(s) {
			t.Errorf("%q taken for an opt-out", s)
		}
	}
}
