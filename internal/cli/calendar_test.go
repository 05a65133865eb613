package cli_test

import (
	"strings"
	"testing"
)

// TestCalendarConvert: Victory Day to Bangla and back, a date typed in
// Bengali digits, and refusals that name what is wrong: a day Falgun 1431
// does not have, a calendar not offered, neither direction given.
func TestCalendarConvert(t *testing.T) {
	if out := mustRun(t, "calendar", "convert", "2026-12-16", "--to", "bn"); out != "1433-09-01\n" {
		t.Errorf("to bn: %q", out)
	}
	if out := mustRun(t, "calendar", "convert", "১৪৩০-১১-৩০", "--from", "bn"); out != "2024-03-14\n" {
		t.Errorf("from bn: %q", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"calendar", "convert", "1431-11-30", "--from", "bn"}, "date: day 30"},
		{[]string{"calendar", "convert", "2026-12-16", "--to", "xx"}, "to:"},
		{[]string{"calendar", "convert", "2026-12-16"}, "to:"},
		{[]string{"calendar", "convert", "16/12/2026", "--to", "bn"}, "date:"},
		{[]string{"calendar", "convert", "1433-09-01junk", "--from", "bn"}, "date:"},
		{[]string{"calendar", "convert", "1433-9-1", "--from", "bn"}, "date:"},
	} {
		if code, _, errOut := run(t, c.args...); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want a refusal naming %q", c.args, code, errOut, c.want)
		}
	}
}
