package messaging

import "testing"

func TestParseScore(t *testing.T) {
	for _, c := range []struct {
		reply   string
		lo, hi  int
		score   int
		comment string
		ok      bool
	}{
		{"4", 1, 5, 4, "", true},
		{" ৪ ", 1, 5, 4, "", true},
		{"५", 1, 5, 5, "", true},
		{"৪/৫", 1, 5, 4, "", true},
		{"4 out of 5", 1, 5, 4, "", true},
		{"2. The rider asked for extra money", 1, 5, 2, "The rider asked for extra money", true},
		{"৩ ডেলিভারি দেরিতে এসেছে।", 1, 5, 3, "ডেলিভারি দেরিতে এসেছে", true},
		{"10", 0, 10, 10, "", true},
		{"०", 0, 10, 0, "", true},
		{"চার", 1, 5, 4, "", true},
		{"चार", 1, 5, 4, "", true},
		{"char", 1, 5, 4, "", true},
		{"ছয়", 0, 10, 6, "", true},
		{"Excellent!", 1, 5, 5, "", true},
		{"খারাপ", 1, 5, 2, "", true},
		{"धेरै राम्रो", 1, 5, 5, "", true},
		{"score:3", 1, 5, 3, "", true},
		// Not a score: out of range, a word on the wrong scale, a sentence.
		{"6", 1, 5, 0, "", false},
		{"score:9", 1, 5, 0, "", false},
		{"excellent", 0, 10, 0, "", false},
		{"the parcel was torn", 1, 5, 0, "", false},
		{"", 1, 5, 0, "", false},
		{"STOP", 1, 5, 0, "", false},
	} {
		n, comment, ok := ParseScore(c.reply, c.lo, c.hi)
		if ok != c.ok || n != c.score || comment != c.comment {
			t.Errorf("ParseScore(%q, %d, %d) = %d, %q, %v; want %d, %q, %v", c.reply, c.lo, c.hi, n, comment, ok, c.score, c.comment, c.ok)
		}
	}
}
