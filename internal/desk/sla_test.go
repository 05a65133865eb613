package desk

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestDeadlinePauseNeverShortens: however long a ticket waits on the
// customer, when they answer its resolution is due no earlier than before
// the pause, never inside closed hours, and the business time left at the
// pause is what is left after it.
func TestDeadlinePauseNeverShortens(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cal := drawCalendar(t)
		target := Target{FirstResponse: rapid.IntRange(1, 600).Draw(t, "fr"), Resolution: rapid.IntRange(1, 5000).Draw(t, "res")}
		opened := drawInstant(t, "opened")
		before := Deadline(cal, target, State{Status: "new", Opened: opened, Now: opened})
		if before.Resolution.IsZero() {
			return // a calendar with too few hours to reach the target within Add's horizon
		}
		paused := opened.Add(time.Duration(rapid.IntRange(0, 7*24*3600).Draw(t, "paused_after")) * time.Second)
		resumed := paused.Add(time.Duration(rapid.IntRange(0, 14*24*3600).Draw(t, "pause")) * time.Second)
		during := Deadline(cal, target, State{Status: "pending", Opened: opened, FirstResponse: paused, Resolution: before.Resolution, Now: paused})
		if !during.PausedAt.Equal(paused) || !during.Resolution.Equal(before.Resolution) {
			t.Fatalf("pending: paused at %v due %v, want %v and %v", during.PausedAt, during.Resolution, paused, before.Resolution)
		}
		after := Deadline(cal, target, State{Status: "open", Opened: opened, FirstResponse: paused, LastCustomer: resumed,
			PausedAt: during.PausedAt, Resolution: during.Resolution, Now: resumed})
		if after.Resolution.Before(before.Resolution) {
			t.Fatalf("the pause brought the due time from %v to %v", before.Resolution, after.Resolution)
		}
		if !after.PausedAt.IsZero() {
			t.Fatalf("still paused after the customer answered")
		}
		if before.Resolution.After(paused) {
			if !cal.Open(after.Resolution.Add(-time.Nanosecond)) {
				t.Fatalf("due %v is not at the end of business time", after.Resolution)
			}
			if left, now := cal.Between(paused, before.Resolution), cal.Between(resumed, after.Resolution); left != now {
				t.Fatalf("%v was left at the pause, %v after it", left, now)
			}
		} else if !after.Resolution.Equal(before.Resolution) {
			t.Fatalf("a breach before the pause moved from %v to %v", before.Resolution, after.Resolution)
		}
	})
}

// TestDeadlineNextResponse: the next response runs only while the
// customer's latest message is unanswered, and stops while pending.
func TestDeadlineNextResponse(t *testing.T) {
	cal := weekExcept(time.UTC, -1, Interval{0, 24 * 60})
	tg := Target{FirstResponse: 60, NextResponse: 120, Resolution: 600}
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	s := State{Status: "open", Opened: t0, FirstResponse: t0.Add(time.Hour), LastAgent: t0.Add(time.Hour), LastCustomer: t0.Add(3 * time.Hour), Now: t0.Add(3 * time.Hour)}
	if d := Deadline(&cal, tg, s); !d.NextResponse.Equal(t0.Add(5*time.Hour)) || !d.FirstResponse.Equal(t0.Add(time.Hour)) {
		t.Errorf("next %v first %v", d.NextResponse, d.FirstResponse)
	}
	s.LastAgent = t0.Add(4 * time.Hour)
	if d := Deadline(&cal, tg, s); !d.NextResponse.IsZero() {
		t.Errorf("answered, yet next response due %v", d.NextResponse)
	}
	s.LastAgent, s.Status = t0.Add(time.Hour), "pending"
	if d := Deadline(&cal, tg, s); !d.NextResponse.IsZero() || !d.PausedAt.Equal(s.Now) {
		t.Errorf("pending: next %v paused %v", d.NextResponse, d.PausedAt)
	}
}

func TestPolicyCheck(t *testing.T) {
	if err := DefaultPolicy().Check(); err != nil {
		t.Fatal(err)
	}
	for field, change := range map[string]func(*Policy){
		"week":                                func(p *Policy) { p.Week = "mars" },
		"time_zone":                           func(p *Policy) { p.TimeZone = "Asia/Nowhere" },
		"hours.xyz":                           func(p *Policy) { p.Hours = map[string]string{"xyz": "10:00-12:00"} },
		"hours.fri":                           func(p *Policy) { p.Hours = map[string]string{"fri": "12:00-10:00"} },
		"holidays[0]":                         func(p *Policy) { p.Holidays = []string{"16 Dec"} },
		"targets.soon":                        func(p *Policy) { p.Targets["soon"] = Target{} },
		"targets.high.first_response_minutes": func(p *Policy) { p.Targets["high"] = Target{FirstResponse: -1} },
		"warn_at":                             func(p *Policy) { p.WarnAt = 1.5 },
		"whatsapp_template":                   func(p *Policy) { p.WhatsAppTemplate = &Template{Name: "reply"} },
	} {
		p := DefaultPolicy()
		change(&p)
		if err := p.Check(); err == nil || err.Error()[:len(field)] != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	p := DefaultPolicy()
	p.Hours = map[string]string{"fri": "10:00-14:00"}
	p.Holidays = []string{"2026-12-16"}
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	cal, err := p.Calendar(dhaka)
	if err != nil {
		t.Fatal(err)
	}
	if !cal.Open(time.Date(2026, 12, 4, 11, 0, 0, 0, dhaka)) || cal.Open(time.Date(2026, 12, 16, 11, 0, 0, 0, dhaka)) {
		t.Error("Friday hours or the Victory Day holiday were not applied")
	}
}

func TestPick(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	agents := []Candidate{
		{ID: 1, Locale: "en", Open: 3, LastAssigned: t0.Add(-time.Hour)},
		{ID: 2, Locale: "bn", Open: 5, LastAssigned: t0.Add(-3 * time.Hour)},
		{ID: 3, Locale: "bn", Open: 1, LastAssigned: t0.Add(-time.Minute)},
		{ID: 4, Locale: "ne", Open: 2},
	}
	for _, c := range []struct {
		rule, locale string
		want         int64
	}{
		{"round_robin", "", 4},   // never had one
		{"round_robin", "bn", 2}, // the Bengali speaker whose last is oldest
		{"least_open", "", 3},
		{"least_open", "bn", 3},
		{"least_open", "ne", 4},
		{"least_open", "hi", 3}, // nobody speaks it: everyone
	} {
		p := Policy{Assign: c.rule}
		if got, ok := p.Pick(agents, c.locale); !ok || got != c.want {
			t.Errorf("%s %s: %d %v, want %d", c.rule, c.locale, got, ok, c.want)
		}
	}
	if _, ok := (Policy{}).Pick(agents, ""); ok {
		t.Error("no rule picked someone")
	}
	if _, ok := (Policy{Assign: "least_open"}).Pick(nil, ""); ok {
		t.Error("nobody to pick picked someone")
	}
}
