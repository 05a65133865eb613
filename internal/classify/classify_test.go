package classify

import "testing"

func TestCause(t *testing.T) {
	for _, c := range []struct{ code, text, want string }{
		{"damaged", "", Quality},
		{"", "The blender stopped working after two days, poor quality", Quality},
		{"", "Way too expensive for what you get, not worth it", Price},
		{"", "The checkout is confusing and I can't find my orders", Usability},
		{"", "Support never answered, staff were rude", Service},
		{"", "Parcel arrived 5 days late, courier kept delaying", Delivery},
		{"", "পণ্যটি ভাঙা অবস্থায় এসেছে, খুব খারাপ মান", Quality},
		{"", "ডেলিভারি অনেক দেরি হয়েছে, কুরিয়ার ফোন ধরে না", Delivery},
		{"", "सामान धेरै महँगो छ", Price},
		{"", "कर्मचारीले कुनै जवाफ दिएनन्", Service},
		{"refused", "customer not reachable", Delivery},
		{"", "great, thanks!", ""},
		{"", "", ""},
	} {
		if got := Cause(c.code, c.text); got != c.want {
			t.Errorf("Cause(%q, %q) = %q, want %q", c.code, c.text, got, c.want)
		}
	}
}
