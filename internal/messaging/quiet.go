package messaging

import (
	"fmt"
	"time"
)

// Window is a daily quiet window in local wall-clock time, from Start up to
// (not including) End, in minutes after midnight. A window with Start > End
// crosses midnight (21:00–08:00); Start == End is no window at all.
type Window struct {
	Start, End int
}

// DefaultSMSWindow keeps texts and WhatsApp messages between 08:00 and 21:00
// local time (TCPA's floor).
var DefaultSMSWindow = Window{Start: 21 * 60, End: 8 * 60}

// ParseWindow reads "HH:MM-HH:MM"; "" and "off" mean no window.
func ParseWindow(s string) (Window, error) {
	if s == "" || s == "off" {
		return Window{}, nil
	}
	var h1, m1, h2, m2 int
	if n, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || n != 4 ||
		h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return Window{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM, e.g. 21:00-08:00", s)
	}
	return Window{Start: h1*60 + m1, End: h2*60 + m2}, nil
}

func (w Window) String() string {
	if w.Start == w.End {
		return "off"
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// Contains reports whether the wall clock of local lies in the window.
func (w Window) Contains(local time.Time) bool {
	m := local.Hour()*60 + local.Minute()
	switch {
	case w.Start == w.End:
		return false
	case w.Start < w.End:
		return m >= w.Start && m < w.End
	default:
		return m >= w.Start || m < w.End
	}
}

// NextAllowed is the earliest instant at or after t that lies outside the
// window in loc: t itself when it is outside. It is DST-safe: when the clock
// changes before the window would end, it walks the local clock minute by
// minute (a change can skip the end, repeat it, or step out of the window
// and back in).
func (w Window) NextAllowed(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	if !w.Contains(local) {
		return t
	}
	y, m, d := local.Date()
	if w.Start > w.End && local.Hour()*60+local.Minute() >= w.Start {
		d++ // the evening part: the window ends tomorrow morning
	}
	end := time.Date(y, m, d, w.End/60, w.End%60, 0, 0, loc)
	// With one UTC offset from t to the end the wall clock is plain. (A
	// clock change can also make end a time that does not exist, or resolve
	// it to the first, earlier occurrence of a repeated hour.)
	if _, change := local.ZoneBounds(); (change.IsZero() || change.After(end)) && !end.Before(t) && !w.Contains(end.In(loc)) {
		return end
	}
	u := t.Truncate(time.Minute) // offsets are whole minutes
	for range 3 * 1440 {
		u = u.Add(time.Minute)
		if !w.Contains(u.In(loc)) {
			return u
		}
	}
	return end
}

// Policy is when and how often customers may be messaged.
type Policy struct {
	Quiet map[string]Window // per channel (webhooks have none)
	// Strict is the window for a customer whose time zone is unknown, in
	// Zone: the business's own window is not trusted then (M6).
	Strict Window
	Zone   *time.Location // the business's time zone
	Caps   map[string]int // marketing messages per customer, channel and local day; 0: none
}

// DefaultPolicy keeps SMS and WhatsApp to 08:00–21:00 (20:00–09:00 quiet when
// the zone is unknown), email marketing to one a day and texts to one a day.
func DefaultPolicy(zone *time.Location) Policy {
	return Policy{
		Quiet:  map[string]Window{"sms": DefaultSMSWindow, "whatsapp": DefaultSMSWindow},
		Strict: Window{Start: 20 * 60, End: 9 * 60},
		Zone:   zone,
		Caps:   map[string]int{"email": 1, "sms": 1, "whatsapp": 1},
	}
}
