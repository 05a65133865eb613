package desk

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/retainhq/retain"
)

// Policy is the desk's settings: the business-hours calendar its SLA
// clocks run on, the targets by priority, and how conversations behave.
// It is stored as JSON under SettingsKey.
type Policy struct {
	// Week is the starting week: "bangladesh" (Saturday–Thursday
	// 10:00–19:00), "nepal" (Sunday–Friday 10:00–18:00) or "always" (every
	// hour of every day).
	Week string `json:"week"`
	// Hours replace a weekday's hours: "fri": "" closes Friday,
	// "sat": "10:00-14:00,15:00-19:00" opens two spans.
	Hours map[string]string `json:"hours,omitempty"`
	// TimeZone is the team's IANA zone; empty: the business's.
	TimeZone string `json:"time_zone,omitempty"`
	// Holidays are dates closed all day (YYYY-MM-DD, in TimeZone), each
	// optionally followed by a space and its name ("2026-12-16 Victory Day").
	Holidays []string `json:"holidays,omitempty"`
	// TeamHours are teams' own business hours, where they differ from
	// the desk's (a Kathmandu branch of a Dhaka shop, a night shift), by
	// team name: a ticket of that team keeps time on them.
	TeamHours map[string]Hours `json:"team_hours,omitempty"`
	// Targets by priority (low, normal, high, urgent), in business minutes.
	Targets map[string]Target `json:"targets"`
	// Rules give some tickets other targets: by channel, by the customer's
	// segment, by priority. The first rule that matches a ticket wins; a
	// ticket no rule matches has its priority's targets.
	Rules []Rule `json:"rules,omitempty"`
	// WarnAt is the share of a target at which the assignee is warned
	// (0.8: at 80%); 0 warns at breach only.
	WarnAt float64 `json:"warn_at"`
	// Escalate is who else hears of a warning or a breach besides the
	// assignee: "" (the default) the team's leads — its managers, or every
	// manager for a ticket of no team — who each get a task linked to the
	// alert; "none": nobody.
	Escalate string `json:"escalate,omitempty"`
	// ReopenDays: a customer writing within this many days of a ticket's
	// resolution reopens it; later, they start a new one.
	ReopenDays int `json:"reopen_days"`
	// A ticket waiting on the customer gets one reminder to them after
	// RemindDays and is resolved after CloseDays without an answer; 0
	// turns either off.
	RemindDays int `json:"pending_remind_days"`
	CloseDays  int `json:"pending_close_days"`
	// Assign is how a new ticket finds its agent: "" (nobody: agents take
	// tickets from the unassigned view), "round_robin" (whoever got one
	// longest ago) or "least_open" (whoever has the fewest open), among
	// AssignTeam's agents (empty: everyone's), preferring those whose
	// language is the customer's.
	Assign     string `json:"assign,omitempty"`
	AssignTeam string `json:"assign_team,omitempty"`
	// ChannelTeams send a new ticket of a channel to a team (by name):
	// "email": "Online", "phone": "Shop". The ticket gets the team, and its
	// agent is picked among the team's; other channels' use AssignTeam.
	ChannelTeams map[string]string `json:"channel_teams,omitempty"`
	// Canned are the replies agents insert with a click, in English,
	// Bengali and Nepali, filled in for the customer (the playbooks'
	// variables: {{.FirstName}}, {{.Business}}, …).
	Canned []Canned `json:"canned"`
	// WhatsAppTemplate is the approved template an agent's reply goes out
	// as when the customer last wrote more than 24 hours ago (WhatsApp
	// allows free text only inside that window). Its one body parameter
	// is the reply's text.
	WhatsAppTemplate *Template `json:"whatsapp_template,omitempty"`
}

// Target is a priority's SLA, in business minutes; 0: none.
type Target struct {
	FirstResponse int `json:"first_response_minutes"`
	NextResponse  int `json:"next_response_minutes"`
	Resolution    int `json:"resolution_minutes"`
}

// Hours are a team's own week, its changed days, zone and holidays, as
// the policy's own fields mean them.
type Hours struct {
	Week     string            `json:"week"`
	Hours    map[string]string `json:"hours,omitempty"`
	TimeZone string            `json:"time_zone,omitempty"`
	Holidays []string          `json:"holidays,omitempty"`
}

// Rule is a set of targets for the tickets it matches: every field given
// must match (an empty field matches any ticket).
type Rule struct {
	Channel  string `json:"channel,omitempty"`  // a ticket channel: whatsapp, email…
	Segment  string `json:"segment,omitempty"`  // the customer's RFM segment: champions, at_risk…
	Priority string `json:"priority,omitempty"` // low, normal, high, urgent
	Target
}

// TargetFor is the targets of a ticket of that priority and channel, from
// a customer of that segment ("" when not scored).
func (p Policy) TargetFor(priority, channel, segment string) Target {
	for _, r := range p.Rules {
		if (r.Channel == "" || r.Channel == channel) && (r.Segment == "" || r.Segment == segment) && (r.Priority == "" || r.Priority == priority) {
			return r.Target
		}
	}
	return p.Targets[priority]
}

// Template is a WhatsApp message template approved by Meta.
type Template struct {
	Name     string `json:"name"`
	Language string `json:"language"` // the template's language code: en, bn, ne_NP…
}

// Canned is one canned reply: its title (what the agent picks, in their
// language) and its text (what the customer reads, in theirs).
type Canned struct {
	Key   string            `json:"key"`
	Title map[string]string `json:"title"`
	Body  map[string]string `json:"body"`
}

// SettingsKey is where the policy is stored.
const SettingsKey = "desk"

// DefaultPolicy is a starting point for a shop in Bangladesh: its week,
// targets a small team can keep, a warning at 80%.
func DefaultPolicy() Policy {
	return Policy{
		Week: "bangladesh",
		Targets: map[string]Target{
			"urgent": {FirstResponse: 30, NextResponse: 60, Resolution: 4 * 60},
			"high":   {FirstResponse: 60, NextResponse: 2 * 60, Resolution: 8 * 60},
			"normal": {FirstResponse: 4 * 60, NextResponse: 8 * 60, Resolution: 3 * 9 * 60},
			"low":    {FirstResponse: 9 * 60, NextResponse: 2 * 9 * 60, Resolution: 5 * 9 * 60},
		},
		WarnAt:     0.8,
		ReopenDays: 7,
		RemindDays: 2,
		CloseDays:  5,
		Canned: []Canned{
			{Key: "sorry_late", Title: map[string]string{"en": "Sorry, it is late", "bn": "দুঃখিত, দেরি হয়েছে", "ne": "माफ गर्नुहोस्, ढिलो भयो"},
				Body: map[string]string{
					"en": "Dear {{.FirstName}}, we are sorry your order is late. We have asked the courier and will tell you today when it arrives.",
					"bn": "প্রিয় {{.FirstName}}, আপনার অর্ডার দেরি হওয়ায় আমরা দুঃখিত। কুরিয়ারের কাছে খোঁজ নিয়েছি, কবে পৌঁছাবে আজই জানাব।",
					"ne": "प्रिय {{.FirstName}}, तपाईंको अर्डर ढिलो भएकोमा माफी चाहन्छौं। कुरियरसँग बुझेका छौं, कहिले आइपुग्छ आजै भन्छौं।"}},
			{Key: "order_number", Title: map[string]string{"en": "Ask for the order number", "bn": "অর্ডার নম্বর চাওয়া", "ne": "अर्डर नम्बर सोध्ने"},
				Body: map[string]string{
					"en": "Thank you for writing to {{.Business}}. Could you send us your order number so we can check?",
					"bn": "{{.Business}}-কে লেখার জন্য ধন্যবাদ। খুঁজে দেখতে আপনার অর্ডার নম্বরটি পাঠাবেন?",
					"ne": "{{.Business}} लाई लेख्नुभएकोमा धन्यवाद। जाँच गर्न आफ्नो अर्डर नम्बर पठाउनुहुन्छ?"}},
			{Key: "resolved", Title: map[string]string{"en": "Solved, thank you", "bn": "সমাধান হয়েছে, ধন্যবাদ", "ne": "समाधान भयो, धन्यवाद"},
				Body: map[string]string{
					"en": "We are glad it is sorted, {{.FirstName}}. Write to us here any time.",
					"bn": "সমস্যার সমাধান হওয়ায় আমরা খুশি, {{.FirstName}}। যেকোনো সময় এখানে লিখবেন।",
					"ne": "समस्या सुल्झिएकोमा खुसी लाग्यो, {{.FirstName}}। जुनसुकै बेला यहीँ लेख्नुहोस्।"}},
		},
	}
}

// Week is the week a preset starts from, before Hours; false for an
// unknown preset.
func Week(preset string, zone *time.Location) (Calendar, bool) {
	switch preset {
	case "", "bangladesh":
		return Bangladesh(zone), true
	case "nepal":
		return Nepal(zone), true
	case "always":
		return weekExcept(zone, -1, Interval{0, 24 * 60}), true
	}
	return Calendar{}, false
}

// Calendar builds the policy's calendar in its zone, or the business's
// zone when it names none. Errors name the field.
func (p Policy) Calendar(business *time.Location) (Calendar, error) {
	return Hours{Week: p.Week, Hours: p.Hours, TimeZone: p.TimeZone, Holidays: p.Holidays}.calendar(business, "")
}

// Calendars are the desk's calendar and each team's with hours of its own.
func (p Policy) Calendars(business *time.Location) (Calendar, map[string]Calendar, error) {
	def, err := p.Calendar(business)
	if err != nil {
		return Calendar{}, nil, err
	}
	teams := map[string]Calendar{}
	for name, h := range p.TeamHours {
		if teams[name], err = h.calendar(business, "team_hours."+name+"."); err != nil {
			return Calendar{}, nil, err
		}
	}
	return def, teams, nil
}

// calendar builds the hours' calendar; errors name the field after prefix.
func (h Hours) calendar(business *time.Location, prefix string) (Calendar, error) {
	zone := business
	if h.TimeZone != "" {
		z, err := time.LoadLocation(h.TimeZone)
		if err != nil {
			return Calendar{}, fmt.Errorf("%stime_zone: %q is not a time zone", prefix, h.TimeZone)
		}
		zone = z
	}
	c, ok := Week(h.Week, zone)
	if !ok {
		return Calendar{}, fmt.Errorf("%sweek: %q is not bangladesh, nepal or always", prefix, h.Week)
	}
	for day, hours := range h.Hours {
		wd := slices.Index(WeekdayKeys, strings.ToLower(day))
		if wd < 0 {
			return Calendar{}, fmt.Errorf("%shours.%s: not a weekday (sun, mon, … sat)", prefix, day)
		}
		ivs, err := ParseHours(hours)
		if err != nil {
			return Calendar{}, fmt.Errorf("%shours.%s: %v", prefix, day, err)
		}
		c.Week[wd] = ivs
	}
	for i, day := range h.Holidays {
		d, err := time.Parse(time.DateOnly, holidayDate(day))
		if err != nil {
			return Calendar{}, fmt.Errorf("%sholidays[%d]: %q is not a date (YYYY-MM-DD)", prefix, i, day)
		}
		c.AddHoliday(d.Year(), d.Month(), d.Day())
	}
	if err := c.Check(); err != nil {
		return Calendar{}, fmt.Errorf("%shours: %v", prefix, err)
	}
	return c, nil
}

// Check says what is wrong with the policy, naming the field.
func (p Policy) Check() error {
	if _, _, err := p.Calendars(time.UTC); err != nil {
		return err
	}
	for prio, t := range p.Targets {
		if !slices.Contains(retain.TicketPriorities, prio) {
			return fmt.Errorf("targets.%s: not a priority (low, normal, high, urgent)", prio)
		}
		if err := t.check("targets." + prio); err != nil {
			return err
		}
	}
	for i, r := range p.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		switch {
		case r.Channel == "" && r.Segment == "" && r.Priority == "":
			return fmt.Errorf("%s: give a channel, a segment or a priority", field)
		case r.Channel != "" && !slices.Contains(retain.TicketChannels, r.Channel):
			return fmt.Errorf("%s.channel: %q is not one of %v", field, r.Channel, retain.TicketChannels)
		case r.Segment != "" && !slices.Contains(retain.Segments, retain.Segment(r.Segment)):
			return fmt.Errorf("%s.segment: %q is not one of %v", field, r.Segment, retain.Segments)
		case r.Priority != "" && !slices.Contains(retain.TicketPriorities, r.Priority):
			return fmt.Errorf("%s.priority: %q is not one of %v", field, r.Priority, retain.TicketPriorities)
		}
		if err := r.Target.check(field); err != nil {
			return err
		}
	}
	if p.Escalate != "" && p.Escalate != "none" {
		return fmt.Errorf("escalate: %q is not none (or empty: the team's leads)", p.Escalate)
	}
	if p.WarnAt < 0 || p.WarnAt >= 1 {
		return fmt.Errorf("warn_at: %v is not a share from 0 to below 1", p.WarnAt)
	}
	for name, v := range map[string]int{"reopen_days": p.ReopenDays, "pending_remind_days": p.RemindDays, "pending_close_days": p.CloseDays} {
		if v < 0 || v > 365 {
			return fmt.Errorf("%s: %d is not from 0 to 365", name, v)
		}
	}
	if p.RemindDays > 0 && p.CloseDays > 0 && p.RemindDays >= p.CloseDays {
		return fmt.Errorf("pending_remind_days: %d is not before pending_close_days (%d)", p.RemindDays, p.CloseDays)
	}
	for ch, team := range p.ChannelTeams {
		if !slices.Contains(retain.TicketChannels, ch) {
			return fmt.Errorf("channel_teams.%s: not one of %v", ch, retain.TicketChannels)
		}
		if strings.TrimSpace(team) == "" {
			return fmt.Errorf("channel_teams.%s: a team's name is required", ch)
		}
	}
	if p.Assign != "" && p.Assign != "round_robin" && p.Assign != "least_open" {
		return fmt.Errorf("assign: %q is not round_robin or least_open (or empty: nobody)", p.Assign)
	}
	seen := map[string]bool{}
	for i, c := range p.Canned {
		if !cannedKey.MatchString(c.Key) || seen[c.Key] {
			return fmt.Errorf("canned[%d].key: %q is not a new key of lowercase letters, digits and _", i, c.Key)
		}
		seen[c.Key] = true
		for _, lang := range []string{"en", "bn", "ne"} {
			if strings.TrimSpace(c.Title[lang]) == "" {
				return fmt.Errorf("canned[%d].title.%s: is required", i, lang)
			}
			if strings.TrimSpace(c.Body[lang]) == "" {
				return fmt.Errorf("canned[%d].body.%s: is required", i, lang)
			}
			if _, err := template.New("").Parse(c.Body[lang]); err != nil {
				return fmt.Errorf("canned[%d].body.%s: %v", i, lang, err)
			}
		}
	}
	if t := p.WhatsAppTemplate; t != nil && (t.Name == "" || t.Language == "") {
		return fmt.Errorf("whatsapp_template: name and language are both required")
	}
	return nil
}

// check says which of the targets is out of range, under field.
func (t Target) check(field string) error {
	for _, c := range []struct {
		name string
		v    int
	}{{"first_response_minutes", t.FirstResponse}, {"next_response_minutes", t.NextResponse}, {"resolution_minutes", t.Resolution}} {
		if c.v < 0 || c.v > 365*24*60 {
			return fmt.Errorf("%s.%s: %d is not a number of minutes from 0 to a year", field, c.name, c.v)
		}
	}
	return nil
}

var cannedKey = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// TeamFor is the team a new ticket of the channel goes to; "" for none.
func (p Policy) TeamFor(channel string) string {
	if t := p.ChannelTeams[channel]; t != "" {
		return t
	}
	return p.AssignTeam
}

// Teams are the team names the policy refers to, for checking they exist.
func (p Policy) Teams() map[string]string {
	out := map[string]string{}
	if p.AssignTeam != "" {
		out["assign_team"] = p.AssignTeam
	}
	for ch, t := range p.ChannelTeams {
		out["channel_teams."+ch] = t
	}
	for t := range p.TeamHours {
		out["team_hours."+t] = t
	}
	return out
}

// Minutes is a target as a duration.
func Minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// Candidate is an agent a new ticket may go to.
type Candidate struct {
	ID           int64
	Locale       string
	Open         int
	LastAssigned time.Time
}

// Pick chooses the agent for a new ticket by the policy's rule; false
// when the rule is none or no one can take it. Agents who speak the
// customer's language come first; ties go to the lower id.
func (p Policy) Pick(candidates []Candidate, locale string) (int64, bool) {
	if p.Assign == "" || len(candidates) == 0 {
		return 0, false
	}
	pool := candidates
	if locale != "" {
		var speakers []Candidate
		for _, c := range candidates {
			if c.Locale == locale {
				speakers = append(speakers, c)
			}
		}
		if len(speakers) > 0 {
			pool = speakers
		}
	}
	best := pool[0]
	for _, c := range pool[1:] {
		switch p.Assign {
		case "least_open":
			if c.Open < best.Open || (c.Open == best.Open && c.LastAssigned.Before(best.LastAssigned)) {
				best = c
			}
		default: // round_robin: the one whose last ticket is oldest (never: first)
			if c.LastAssigned.Before(best.LastAssigned) {
				best = c
			}
		}
	}
	return best.ID, true
}
