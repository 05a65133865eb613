package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
)

// The desk's policy as a form: the week and each day's hours, the team's
// zone, holidays, the SLA targets by priority, the warning, how long a
// waiting ticket is kept, and the WhatsApp template for late replies.

type deskSettingsData struct {
	Policy       desk.Policy
	Rules        []deskRule // the policy's, then blank rows to add more
	Channels     []string
	Teams        []store.Team
	TeamHours    []teamHoursRow
	Segments     []retain.Segment
	Holidays     string
	HolidayLists []holidayList
	Days         []deskDay
	Priorities   []string
	WarnPct      int
	Template     desk.Template
	Problem      string
	Notice       string
	status       int
}

type deskDay struct{ Key, Hours string }

// deskRule is a row of the rules' table; Blank is an empty row to fill in.
type deskRule struct {
	desk.Rule
	Blank bool
}

// holidayList is a shipped list of public holidays the form can add.
type holidayList struct {
	Country string
	Year    int
}

// deskBlankRules is how many empty rows the rules' table offers.
const deskBlankRules = 2

// deskPriorities are the targets' rows, most urgent first.
var deskPriorities = []string{"urgent", "high", "normal", "low"}

// deskFields are the policy's fields, as its errors name them.
var deskFields = []string{"week", "time_zone", "hours", "holidays", "targets", "warn_at", "reopen_days", "pending_remind_days",
	"pending_close_days", "assign", "assign_team", "channel_teams", "team_hours", "whatsapp_template", "rules", "escalate"}

func (s *Server) deskSettings(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := core.DeskPolicy(r.Context(), s.db)
	if err != nil {
		return err
	}
	return s.renderDeskSettings(w, r, v, p, deskSettingsData{})
}

func (s *Server) renderDeskSettings(w http.ResponseWriter, r *http.Request, v *view, p desk.Policy, d deskSettingsData) error {
	zone, err := core.BusinessZone(r.Context(), s.db)
	if err != nil {
		return err
	}
	d.Policy, d.Priorities, d.WarnPct = p, deskPriorities, int(100*p.WarnAt+0.5)
	d.Holidays = strings.Join(p.Holidays, "\n")
	d.Days = hoursDays(desk.Hours{Week: p.Week, Hours: p.Hours, TimeZone: p.TimeZone}, zone)
	d.Channels, d.Segments = retain.TicketChannels, retain.Segments
	if d.Teams, err = s.db.TeamList(r.Context()); err != nil {
		return err
	}
	for _, rule := range p.Rules {
		d.Rules = append(d.Rules, deskRule{Rule: rule})
	}
	for range deskBlankRules {
		d.Rules = append(d.Rules, deskRule{Blank: true})
	}
	now := s.db.Now().In(zone)
	for _, c := range desk.HolidayCountries {
		for _, y := range desk.HolidayYears(c) {
			if y >= now.Year() { // this year's and the next
				d.HolidayLists = append(d.HolidayLists, holidayList{Country: c, Year: y})
			}
		}
	}
	for i, t := range d.Teams {
		h, own := p.TeamHours[t.Name]
		if !own {
			h = desk.Hours{Week: p.Week}
		}
		d.TeamHours = append(d.TeamHours, teamHoursRow{Index: i, Name: t.Name, Own: own, Hours: h, Days: hoursDays(h, zone),
			Holidays: strings.Join(h.Holidays, "\n")})
	}
	if p.WhatsAppTemplate != nil {
		d.Template = *p.WhatsAppTemplate
	}
	v.Title, v.Data = v.L.T("desk.settings"), d
	s.renderStatus(w, d.status, "desk_settings", v)
	return nil
}

// teamHoursRow is a team's part of the hours form.
type teamHoursRow struct {
	Index    int
	Name     string
	Own      bool // hours of its own, else the desk's
	Hours    desk.Hours
	Days     []deskDay
	Holidays string
}

// hoursDays are the hours' seven days as the form shows them; hours that
// do not read (a form being corrected) show their preset week's.
func hoursDays(h desk.Hours, zone *time.Location) []deskDay {
	p := desk.Policy{Week: h.Week, Hours: h.Hours, TimeZone: h.TimeZone}
	cal, err := p.Calendar(zone)
	if err != nil {
		cal, _ = desk.Week(h.Week, zone)
	}
	days := make([]deskDay, len(desk.WeekdayKeys))
	for i, key := range desk.WeekdayKeys {
		days[i] = deskDay{Key: key, Hours: desk.FormatHours(cal.Week[i])}
	}
	return days
}

// readHours reads the seven days' fields under prefix, keeping only the
// days that differ from the week preset; false when one does not read or
// the week is unknown.
func readHours(r *http.Request, prefix, week string, zone *time.Location) (map[string]string, bool) {
	preset, ok := desk.Week(week, zone)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for i, key := range desk.WeekdayKeys {
		ivs, err := desk.ParseHours(r.FormValue(prefix + key))
		if err != nil {
			return nil, false
		}
		if desk.FormatHours(ivs) != desk.FormatHours(preset.Week[i]) {
			out[key] = desk.FormatHours(ivs)
		}
	}
	return out, true
}

// readHolidays reads a holidays box: a date and its name a line.
func readHolidays(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// saveDeskSettings reads the form into a policy; a day's hours are kept
// only where they differ from the week chosen.
func (s *Server) saveDeskSettings(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	p, err := core.DeskPolicy(ctx, s.db) // what the form does not show (canned replies) stays
	if err != nil {
		return err
	}
	p.Week, p.TimeZone = r.FormValue("week"), strings.TrimSpace(r.FormValue("time_zone"))
	bad := func(field string) error {
		return s.renderDeskSettings(w, r, v, p, deskSettingsData{status: http.StatusBadRequest, Problem: v.L.T("desk.bad_" + field)})
	}
	zone, err := core.BusinessZone(ctx, s.db)
	if err != nil {
		return err
	}
	p.Targets = map[string]desk.Target{}
	if _, ok := desk.Week(p.Week, zone); !ok {
		return bad("week")
	}
	var ok bool
	if p.Hours, ok = readHours(r, "hours_", p.Week, zone); !ok {
		return bad("hours")
	}
	p.Holidays = readHolidays(r.FormValue("holidays"))
	teams, err := s.db.TeamList(ctx)
	if err != nil {
		return err
	}
	p.TeamHours = nil
	for i, t := range teams {
		prefix := fmt.Sprintf("team_%d_", i)
		if r.FormValue(prefix+"name") != t.Name || r.FormValue(prefix+"own") != "1" {
			continue // the desk's hours (or a team added since the form was shown)
		}
		h := desk.Hours{Week: r.FormValue(prefix + "week"), TimeZone: strings.TrimSpace(r.FormValue(prefix + "zone")),
			Holidays: readHolidays(r.FormValue(prefix + "holidays"))}
		if h.Hours, ok = readHours(r, prefix+"hours_", h.Week, zone); !ok {
			return bad("team_hours")
		}
		if p.TeamHours == nil {
			p.TeamHours = map[string]desk.Hours{}
		}
		p.TeamHours[t.Name] = h
	}
	number := func(name string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(r.FormValue(name)))
		return n, err == nil
	}
	for _, prio := range deskPriorities {
		first, ok1 := number("first_" + prio)
		next, ok2 := number("next_" + prio)
		res, ok3 := number("resolution_" + prio)
		if !ok1 || !ok2 || !ok3 {
			return bad("targets")
		}
		p.Targets[prio] = desk.Target{FirstResponse: first, NextResponse: next, Resolution: res}
	}
	warn, ok := number("warn_pct")
	if !ok {
		return bad("warn_at")
	}
	p.WarnAt = float64(warn) / 100
	p.Escalate = r.FormValue("escalate")
	p.Rules = nil
	f := r.Form
	for i := range f["rule_channel"] {
		at := func(name string) string {
			if i < len(f[name]) {
				return strings.TrimSpace(f[name][i])
			}
			return ""
		}
		rule := desk.Rule{Channel: at("rule_channel"), Segment: at("rule_segment"), Priority: at("rule_priority")}
		minutes := []string{at("rule_first"), at("rule_next"), at("rule_resolution")}
		if rule == (desk.Rule{}) && strings.Join(minutes, "") == "" {
			continue // a blank row
		}
		for j, dst := range []*int{&rule.FirstResponse, &rule.NextResponse, &rule.Resolution} {
			if minutes[j] == "" {
				continue // no target of that kind
			}
			if *dst, err = strconv.Atoi(minutes[j]); err != nil {
				return bad("rules")
			}
		}
		p.Rules = append(p.Rules, rule)
	}
	for field, dst := range map[string]*int{"reopen_days": &p.ReopenDays, "pending_remind_days": &p.RemindDays, "pending_close_days": &p.CloseDays} {
		if *dst, ok = number(field); !ok {
			return bad(field)
		}
	}
	p.Assign, p.AssignTeam = r.FormValue("assign"), strings.TrimSpace(r.FormValue("assign_team"))
	p.ChannelTeams = nil
	for _, ch := range retain.TicketChannels {
		if team := r.FormValue("team_" + ch); team != "" {
			if p.ChannelTeams == nil {
				p.ChannelTeams = map[string]string{}
			}
			p.ChannelTeams[ch] = team
		}
	}
	p.WhatsAppTemplate = nil
	if name, lang := strings.TrimSpace(r.FormValue("template_name")), strings.TrimSpace(r.FormValue("template_language")); name != "" || lang != "" {
		p.WhatsAppTemplate = &desk.Template{Name: name, Language: lang}
	}
	notice := v.L.T("settings.saved")
	if add := r.FormValue("add_holidays"); add != "" {
		country, year, _ := strings.Cut(add, ":")
		y, _ := strconv.Atoi(year)
		hs, err := desk.PublicHolidays(country, y)
		if err != nil {
			return bad("holidays")
		}
		notice = v.L.N("desk.holidays_added", int64(p.AddHolidays(hs, v.L.Lang)))
	}
	if err := core.SaveDeskPolicy(ctx, s.db, v.Actor, p); err != nil {
		var re *retain.Error
		if !errors.As(err, &re) || re.Code != retain.EINVALID {
			return err
		}
		field := "hours"
		if fs := re.Fields.Fields(); len(fs) > 0 {
			if root := strings.FieldsFunc(fs[0], func(c rune) bool { return c == '.' || c == '[' }); len(root) > 0 {
				field = root[0]
			}
		}
		if !slices.Contains(deskFields, field) {
			field = "hours"
		}
		return bad(field)
	}
	return s.renderDeskSettings(w, r, v, p, deskSettingsData{Notice: notice})
}
