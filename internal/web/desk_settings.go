package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	"pending_close_days", "assign", "assign_team", "channel_teams", "whatsapp_template", "rules", "escalate"}

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
	cal, err := p.Calendar(zone)
	if err != nil { // a policy that does not read (the form being corrected): the preset's week
		cal, _ = desk.Week(p.Week, zone)
	}
	d.Policy, d.Priorities, d.WarnPct = p, deskPriorities, int(100*p.WarnAt+0.5)
	d.Holidays = strings.Join(p.Holidays, "\n")
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
	for i, key := range desk.WeekdayKeys {
		d.Days = append(d.Days, deskDay{Key: key, Hours: desk.FormatHours(cal.Week[i])})
	}
	if p.WhatsAppTemplate != nil {
		d.Template = *p.WhatsAppTemplate
	}
	v.Title, v.Data = v.L.T("desk.settings"), d
	s.renderStatus(w, d.status, "desk_settings", v)
	return nil
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
	p.Hours, p.Holidays, p.Targets = nil, nil, map[string]desk.Target{}
	week, ok := desk.Week(p.Week, zone)
	if !ok {
		return bad("week")
	}
	p.Hours = map[string]string{}
	for i, key := range desk.WeekdayKeys {
		ivs, err := desk.ParseHours(r.FormValue("hours_" + key))
		if err != nil {
			return bad("hours")
		}
		if desk.FormatHours(ivs) != desk.FormatHours(week.Week[i]) {
			p.Hours[key] = desk.FormatHours(ivs)
		}
	}
	p.Holidays = nil
	for _, line := range strings.Split(r.FormValue("holidays"), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			p.Holidays = append(p.Holidays, line)
		}
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
