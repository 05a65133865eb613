package desk

import (
	"strings"
	"testing"
	"time"
)

// TestTargetFor: the first rule whose given fields all match wins; a
// ticket no rule matches has its priority's targets.
func TestTargetFor(t *testing.T) {
	p := DefaultPolicy()
	p.Rules = []Rule{
		{Segment: "champions", Priority: "normal", Target: Target{FirstResponse: 15}},
		{Channel: "whatsapp", Target: Target{FirstResponse: 30}},
		{Segment: "champions", Target: Target{FirstResponse: 45}},
	}
	for _, c := range []struct {
		priority, channel, segment string
		want                       int
	}{
		{"normal", "whatsapp", "champions", 15},
		{"high", "whatsapp", "champions", 30},
		{"high", "email", "champions", 45},
		{"high", "email", "", p.Targets["high"].FirstResponse},
		{"normal", "sms", "lost", p.Targets["normal"].FirstResponse},
	} {
		if got := p.TargetFor(c.priority, c.channel, c.segment).FirstResponse; got != c.want {
			t.Errorf("%s/%s/%s: %d minutes, want %d", c.priority, c.channel, c.segment, got, c.want)
		}
	}
	for field, bad := range map[string]Rule{
		"rules[0]:":                    {Target: Target{FirstResponse: 1}},
		"rules[0].channel:":            {Channel: "fax"},
		"rules[0].segment:":            {Segment: "vip"},
		"rules[0].priority:":           {Priority: "now"},
		"rules[0].resolution_minutes:": {Channel: "sms", Target: Target{Resolution: -1}},
	} {
		p.Rules = []Rule{bad}
		if err := p.Check(); err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%+v: %v, want an error naming %s", bad, err, field)
		}
	}
}

// TestPublicHolidays: each shipped list is a year of valid dates that the
// calendar closes, names in the three languages; adding one twice adds it
// once; a year with no list says which years there are.
func TestPublicHolidays(t *testing.T) {
	for _, country := range HolidayCountries {
		for _, year := range HolidayYears(country) {
			hs, err := PublicHolidays(country, year)
			if err != nil || len(hs) < 10 {
				t.Fatalf("%s %d: %d holidays, %v", country, year, len(hs), err)
			}
			p := DefaultPolicy()
			if n := p.AddHolidays(hs, "bn"); n == 0 || p.AddHolidays(hs, "en") != 0 {
				t.Errorf("%s %d: added %d, then again", country, year, n)
			}
			p.Week = "always"
			cal, err := p.Calendar(time.UTC)
			if err != nil {
				t.Fatalf("%s %d: %v", country, year, err)
			}
			for _, h := range hs {
				d, _ := time.Parse(time.DateOnly, h.Date)
				if cal.Open(d.Add(12 * time.Hour)) {
					t.Errorf("%s: open on %s", country, h.Line("en"))
				}
				for _, lang := range []string{"en", "bn", "ne"} {
					if h.Name[lang] == "" {
						t.Errorf("%s %s: no %s name", country, h.Date, lang)
					}
				}
			}
		}
	}
	if _, err := PublicHolidays("nepal", 1999); err == nil || !strings.Contains(err.Error(), "2026") {
		t.Errorf("a year with no list: %v", err)
	}
	if _, err := PublicHolidays("india", 2026); err == nil || !strings.HasPrefix(err.Error(), "country:") {
		t.Errorf("a country with no list: %v", err)
	}
}
