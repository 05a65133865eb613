package delivery

import "testing"

// TestRisk: two refusals in the last three finished deliveries make a
// number risky; pending orders are skipped, and refusals older than the
// last three do not count.
func TestRisk(t *testing.T) {
	for _, c := range []struct {
		outcomes    []string
		risky       bool
		refused, of int
	}{
		{nil, false, 0, 0},
		{[]string{Refused}, false, 1, 1},
		{[]string{Refused, Refused}, true, 2, 2},
		{[]string{Refused, Delivered, Refused}, true, 2, 3},
		{[]string{Pending, Refused, Pending, Delivered, Refused}, true, 2, 3},
		{[]string{Delivered, Delivered, Returned, Refused, Refused}, false, 0, 3},
		{[]string{Returned, Refused, Delivered}, false, 1, 3},
	} {
		risky, refused, of := NewHistory("+8801711000000", c.outcomes).Risk()
		if risky != c.risky || refused != c.refused || of != c.of {
			t.Errorf("%q: risky %v, %d of %d; want %v, %d of %d", c.outcomes, risky, refused, of, c.risky, c.refused, c.of)
		}
	}
	h := NewHistory("x", []string{Refused, Delivered, Returned, Pending, Delivered})
	if h.Orders != 5 || h.Delivered != 2 || h.Refused != 1 || h.Returned != 1 {
		t.Errorf("counts: %+v", h)
	}
}
