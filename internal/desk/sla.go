package desk

import "time"

// State is what an SLA clock knows of a ticket when something happens to
// it (it opens, someone writes, its status moves).
type State struct {
	Status        string
	Opened        time.Time
	FirstResponse time.Time // the first agent reply; zero: none yet
	LastCustomer  time.Time // the customer's latest message
	LastAgent     time.Time // the latest agent reply
	PausedAt      time.Time // since when it waits on the customer; zero: running
	Resolution    time.Time // the resolution due so far; zero: none yet
	Now           time.Time
}

// Deadlines are a ticket's due times and since when its clock is paused.
type Deadlines struct {
	FirstResponse, NextResponse, Resolution, PausedAt time.Time
}

// Deadline computes a ticket's due times on cal for target. The first
// response is due a target after the ticket opened (kept after it is met,
// to tell whether it was met in time); the next response a target after
// the customer's latest message that no reply has answered; the
// resolution a target after opening, moved on by the business time the
// ticket spent pending on the customer: while it is pending the clock is
// paused, and when the customer answers, what was left of the target runs
// from then. A pause never brings a due time earlier.
func Deadline(cal *Calendar, t Target, s State) Deadlines {
	var d Deadlines
	add := func(from time.Time, minutes int) time.Time {
		if minutes <= 0 || from.IsZero() {
			return time.Time{}
		}
		due, ok := cal.Add(from, Minutes(minutes))
		if !ok {
			return time.Time{}
		}
		return due
	}
	d.FirstResponse = add(s.Opened, t.FirstResponse)
	answered := s.LastAgent
	if s.FirstResponse.After(answered) {
		answered = s.FirstResponse
	}
	if !s.FirstResponse.IsZero() && s.LastCustomer.After(answered) && open(s.Status) {
		d.NextResponse = add(s.LastCustomer, t.NextResponse)
	}
	d.Resolution = s.Resolution
	if d.Resolution.IsZero() {
		d.Resolution = add(s.Opened, t.Resolution)
	}
	switch {
	case s.Status == "pending":
		d.PausedAt = s.PausedAt
		if d.PausedAt.IsZero() {
			d.PausedAt = s.Now
		}
		d.NextResponse = time.Time{}
	case !s.PausedAt.IsZero() && d.Resolution.After(s.PausedAt) && open(s.Status):
		// Resumed: the business time that was left at the pause runs from now.
		left := cal.Between(s.PausedAt, d.Resolution)
		if due, ok := cal.Add(s.Now, left); ok && due.After(d.Resolution) {
			d.Resolution = due
		}
	}
	return d
}

func open(status string) bool { return status != "resolved" && status != "closed" }
