package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

type kpi struct {
	Label, Value, Href string
}

type dashboardData struct {
	AsOf                               string
	KPIs                               []kpi
	NPS, CSAT, Health, Causes, Cohorts template.HTML
}

// RefreshDashboard computes the dashboard's aggregates and stores them:
// serve does it every few minutes, so the page reads one row instead of
// scanning millions of orders (ARCHITECTURE: read precomputed aggregates).
func RefreshDashboard(ctx context.Context, db *store.DB) error {
	now := db.Now()
	d, err := db.Dashboard(ctx, now)
	if err != nil {
		return err
	}
	return db.SaveDashboard(ctx, d, now)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, v *view) {
	cached, ok, err := s.db.LoadDashboard(r.Context())
	if err == nil && !ok { // the first visit before serve's first refresh
		if err = RefreshDashboard(r.Context(), s.db); err == nil {
			cached, _, err = s.db.LoadDashboard(r.Context())
		}
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	d := cached.Dashboard
	if ms, err := core.MessagingSettings(r.Context(), s.db); err == nil && ms.Currency != "" {
		d.MainCurrency = ms.Currency // the business said which
	}
	rec, err := core.Outcomes(r.Context(), s.db)
	if err != nil {
		s.fail(w, err)
		return
	}
	l := v.L
	recovery := "–"
	if rec.Ended > 0 {
		recovery = l.Percent(rec.Rate)
	}
	data := dashboardData{AsOf: l.DateTime(cached.At, nil), KPIs: []kpi{
		{l.T("kpi.active"), l.Int(int64(d.Active)), "/customers"},
		{l.T("kpi.repeat_rate"), l.Percent(d.RepeatRate), "/customers?sort=-clv"},
		{l.T("kpi.revenue"), l.Money(d.Revenue[d.MainCurrency], d.MainCurrency), "/customers?sort=-clv"},
		{l.T("kpi.revenue_at_risk"), l.Money(d.RevenueAtRisk[d.MainCurrency], d.MainCurrency), "/customers?at_risk=1&sort=-clv"},
		{l.T("kpi.at_risk"), l.Int(int64(d.AtRisk)), "/customers?at_risk=1"},
		{l.T("kpi.recovery_rate"), recovery, "/customers?unhappy=1"},
		{l.T("kpi.alerts_due"), l.Int(int64(d.AlertsDue)), "/inbox"},
		{l.T("kpi.tasks_due"), l.Int(int64(d.TasksDue)), "/inbox"},
	}}
	var nps []Bar
	for _, m := range d.NPS {
		n := m.Promoters + m.Passives + m.Detractors
		b := Bar{Label: l.Month(m.Month), Value: m.Score(), Text: l.Number(m.Score(), 0), Href: "/customers?survey=nps&month=" + m.Month.Format("2006-01"), Class: "nps"}
		if n == 0 {
			b.Text = "–"
		}
		nps = append(nps, b)
	}
	data.NPS = bars(l.T("chart.nps"), nps)
	var health []Bar
	for i, n := range d.Health {
		health = append(health, Bar{Label: l.Int(int64(i*10)) + "–" + l.Int(int64(i*10+10)), Value: float64(n), Text: l.Int(int64(n)),
			Href: fmt.Sprintf("/customers?health_min=%d&health_max=%d", i*10, i*10+10), Class: healthClass(i)})
	}
	data.Health = bars(l.T("chart.health"), health)
	var csat []Bar
	for _, m := range d.CSAT {
		b := Bar{Label: l.Month(m.Month), Value: m.Mean(), Text: l.Number(m.Mean(), 1), Href: "/customers?survey=csat&month=" + m.Month.Format("2006-01"), Class: "nps"}
		if m.Answers == 0 {
			b.Text = "–"
		}
		csat = append(csat, b)
	}
	data.CSAT = bars(l.T("chart.csat"), csat)
	// Root causes by month: a row per cause, a cell per month, darker = more.
	byCell, most := map[string]int{}, 1
	var months []time.Time
	for m := time.Date(s.db.Now().Year(), s.db.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -5, 0); len(months) < 6; m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	for _, c := range d.Causes {
		k := c.Cause + c.Month.Format("2006-01")
		byCell[k] += c.Count
		most = max(most, byCell[k])
	}
	var causeLabels []string
	var causeRows [][]Cell
	for _, c := range classify.Causes {
		causeLabels = append(causeLabels, l.T("cause."+c))
		var row []Cell
		for _, m := range months {
			n := byCell[c+m.Format("2006-01")]
			row = append(row, Cell{Share: float64(n) / float64(most), Text: l.Int(int64(n)), Href: "/customers?cause=" + c,
				Title: l.T("cause."+c) + " · " + l.Month(m)})
		}
		causeRows = append(causeRows, row)
	}
	var monthLabels []string
	for _, m := range months {
		monthLabels = append(monthLabels, l.Month(m))
	}
	data.Causes = heatmap(l.T("chart.causes"), causeLabels, monthLabels, causeRows)
	var labels []string
	var rows [][]Cell
	for _, c := range d.Cohorts {
		if c.Size == 0 {
			continue
		}
		labels = append(labels, l.Month(c.Month)+" ("+l.Int(int64(c.Size))+")")
		var row []Cell
		for k, n := range c.Retained {
			share := float64(n) / float64(c.Size)
			row = append(row, Cell{Share: share, Text: l.Number(100*share, 0), Href: "/customers?cohort=" + c.Month.Format("2006-01"),
				Title: l.T("chart.cohort_cell", "Month", k, "Share", l.Percent(share))})
		}
		rows = append(rows, row)
	}
	var since []string
	for k := range 12 {
		since = append(since, "+"+l.Int(int64(k)))
	}
	data.Cohorts = heatmap(l.T("chart.cohorts"), labels, since, rows)
	v.Title, v.Data = l.T("nav.dashboard"), data
	s.render(w, "dashboard", v)
}

func healthClass(decile int) string {
	switch {
	case decile < 4:
		return "bad"
	case decile < 7:
		return "mid"
	}
	return "good"
}

// filterOf reads the customer list's filters from a query.
func filterOf(q url.Values) store.CustomerFilter {
	num := func(k string) float64 { f, _ := strconv.ParseFloat(q.Get(k), 64); return f }
	page, _ := strconv.Atoi(q.Get("page"))
	owner, _ := strconv.ParseInt(q.Get("owner"), 10, 64)
	return store.CustomerFilter{Query: q.Get("q"), Segment: q.Get("segment"), Stage: q.Get("stage"), OwnerID: owner, AtRisk: q.Get("at_risk") == "1",
		Unhappy: q.Get("unhappy") == "1", Promoters: q.Get("promoters") == "1", New: q.Get("new") == "1",
		HealthMin: num("health_min"), HealthMax: num("health_max"), PAliveMin: num("p_alive_min"), PAliveMax: num("p_alive_max"),
		Cohort: q.Get("cohort"), Cause: q.Get("cause"), Survey: q.Get("survey"), SurveyMonth: q.Get("month"), Sort: q.Get("sort"), Page: page, Size: 50}
}

type customersData struct {
	Rows      []store.CustomerRow
	Total     int
	Page      int
	Pages     int
	Query     url.Values
	Segments  []string
	Stages    []string
	Owners    []store.Owner
	PrevHref  string
	NextHref  string
	ExportURL string
	CanAssign bool
	More      bool // more than store.CountCap match
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request, v *view) {
	f := filterOf(r.URL.Query())
	rows, total, err := s.db.Customers(r.Context(), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	q := r.URL.Query()
	pageHref := func(p int) string {
		qq := url.Values{}
		for k, vs := range q {
			qq[k] = vs
		}
		qq.Set("page", strconv.Itoa(p))
		return "/customers?" + qq.Encode()
	}
	d := customersData{Rows: rows, Total: total, Page: max(f.Page, 1), Query: q, Owners: owners,
		Segments:  []string{"champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost"},
		Stages:    retain.Stages,
		ExportURL: "/customers.csv?" + q.Encode(), CanAssign: v.Staff.Role != "agent"}
	d.Pages = (total + 49) / 50
	d.More = total > store.CountCap
	if d.Page > 1 {
		d.PrevHref = pageHref(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextHref = pageHref(d.Page + 1)
	}
	v.Title, v.Data = v.L.T("nav.customers"), d
	s.render(w, "customers", v)
}

// customersCSV exports the filtered list; cells a spreadsheet would run as
// a formula are defused (RELIABILITY.md S5).
func (s *Server) customersCSV(w http.ResponseWriter, r *http.Request, v *view) {
	f := filterOf(r.URL.Query())
	f.Size = 500
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"external_id", "name", "email", "phone", "owner", "segment", "health", "p_alive", "clv", "currency", "last_order", "open_alerts"})
	for f.Page = 1; ; f.Page++ {
		rows, _, err := s.db.Customers(r.Context(), f)
		if err != nil {
			s.log.Error("export", "err", err)
			return
		}
		for _, c := range rows {
			last := ""
			if !c.LastOrderAt.IsZero() {
				last = c.LastOrderAt.Format(time.DateOnly)
			}
			cw.Write([]string{CSVSafe(c.ExternalID), CSVSafe(c.Name), CSVSafe(c.Email), CSVSafe(c.Phone), CSVSafe(c.Owner), c.Segment,
				fmt.Sprintf("%.1f", c.Health), fmt.Sprintf("%.3f", c.PAlive), fmt.Sprintf("%.2f", c.CLV), c.Currency, last, strconv.Itoa(c.OpenAlerts)})
		}
		if len(rows) < f.Size {
			break
		}
	}
	cw.Flush()
}

// CSVSafe prefixes a cell that starts with = + - @ tab, CR or NUL with '.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\x00", rune(s[0])) {
		return "'" + s
	}
	return s
}

// bulkAssign gives the selected customers an owner (managers and admins).
func (s *Server) bulkAssign(w http.ResponseWriter, r *http.Request, v *view) {
	if v.Staff.Role == "agent" {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return
	}
	r.ParseForm()
	owner, _ := strconv.ParseInt(r.FormValue("owner"), 10, 64)
	err := s.db.WithTx(r.Context(), func(tx *store.Tx) error {
		for _, id := range r.Form["customer"] {
			cid, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				continue
			}
			if _, err := tx.AssignOwner(r.Context(), cid, owner, "manual", v.Staff.Email, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/customers") {
		back = "/customers"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type customerData struct {
	Facts       store.Facts
	Customer    retain.Customer // consents
	History     []store.ScorePoint
	Timeline    []store.TimelineItem
	Score       *store.CustomerScore
	Alerts      []store.Alert
	Tasks       []store.Task
	Enrollments []store.Enrollment
	Factors     []factorView
	Flags       []flagView
}

type factorView struct {
	Name, Why string
	Points    string
	Width     float64
}

type flagView struct{ Name, Kind, Evidence string }

func (s *Server) customer(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	f, err := s.db.CustomerFacts(ctx, id)
	if err != nil {
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			http.NotFound(w, r)
			return
		}
		s.fail(w, err)
		return
	}
	d := customerData{Facts: f}
	if sc, _, err := s.db.LatestScore(ctx, f.ExternalID); err == nil {
		d.Score = &sc
		d.Factors, d.Flags = explain(sc, v)
	}
	if d.Alerts, err = s.db.Alerts(ctx, store.AlertFilter{CustomerID: id, Limit: 50}); err != nil {
		s.fail(w, err)
		return
	}
	if d.Tasks, err = s.db.Tasks(ctx, store.TaskFilter{CustomerID: id, Limit: 50}); err != nil {
		s.fail(w, err)
		return
	}
	if d.Enrollments, err = s.db.Enrollments(ctx, id); err != nil {
		s.fail(w, err)
		return
	}
	if d.Customer, err = s.db.GetCustomer(ctx, f.ExternalID); err != nil {
		s.fail(w, err)
		return
	}
	if d.History, err = s.db.ScoreHistory(ctx, id); err != nil {
		s.fail(w, err)
		return
	}
	if d.Timeline, err = s.db.Timeline(ctx, id, 100); err != nil {
		s.fail(w, err)
		return
	}
	v.Title, v.Data = nameOf(f), d
	s.render(w, "customer", v)
}

func nameOf(f store.Facts) string {
	if f.Name != "" {
		return f.Name
	}
	return f.ExternalID
}

// logTouch records a call, visit or note on the customer's timeline.
func (s *Server) logTouch(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	kind, summary := r.FormValue("kind"), strings.TrimSpace(r.FormValue("summary"))
	if (kind != "call" && kind != "visit" && kind != "note") || summary == "" || len(summary) > 2000 {
		http.Error(w, v.L.T("error.touch"), http.StatusBadRequest)
		return
	}
	if err := s.db.LogInteraction(r.Context(), id, v.Staff.ID, kind, summary, s.db.Now()); err != nil {
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d", id), http.StatusSeeOther)
}

// addNote adds a manual task (a note to follow up) for the customer.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	title := strings.TrimSpace(r.FormValue("title"))
	if title == "" || len(title) > 500 {
		http.Error(w, v.L.T("error.title"), http.StatusBadRequest)
		return
	}
	days, _ := strconv.Atoi(r.FormValue("due_days"))
	err = s.db.WithTx(r.Context(), func(tx *store.Tx) error {
		_, _, err := tx.CreateTask(r.Context(), store.Task{CustomerID: id, OwnerID: v.Staff.ID, Title: title, Source: "manual",
			DueAt: tx.Now().AddDate(0, 0, max(days, 0)), Detail: "by " + v.Staff.Email})
		return err
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d", id), http.StatusSeeOther)
}

type inboxData struct {
	Alerts      []store.Alert
	Tasks       []store.Task
	Owners      []store.Owner
	Now         time.Time
	CalendarURL string // just made
}

// inbox is the signed-in person's alerts and tasks: an agent's own, a
// manager's team's (their own with ?mine=1), an admin's everyone's.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, v *view) {
	s.inboxWith(w, r, v, "")
}

func (s *Server) inboxWith(w http.ResponseWriter, r *http.Request, v *view, calendarURL string) {
	scope, err := s.scope(r, v, r.URL.Query().Get("mine") == "1")
	if err != nil {
		s.fail(w, err)
		return
	}
	alerts, err := s.db.Alerts(r.Context(), store.AlertFilter{Status: "open", OwnerIn: scope, Limit: 200})
	if err != nil {
		s.fail(w, err)
		return
	}
	tasks, err := s.db.Tasks(r.Context(), store.TaskFilter{OwnerIn: scope, Limit: 200})
	if err != nil {
		s.fail(w, err)
		return
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].DueAt.Before(tasks[j].DueAt) })
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	v.Title, v.Data = v.L.T("nav.inbox"), inboxData{Alerts: alerts, Tasks: tasks, Owners: owners, Now: s.db.Now(), CalendarURL: calendarURL}
	s.render(w, "inbox", v)
}

// calendarLink makes the person a secret iCalendar URL of their tasks and
// shows it on the inbox.
func (s *Server) calendarLink(w http.ResponseWriter, r *http.Request, v *view) {
	token, err := s.db.CreateCalendarFeed(r.Context(), v.Staff.Email)
	if err != nil {
		s.fail(w, err)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.inboxWith(w, r, v, scheme+"://"+r.Host+"/calendar/"+token+".ics")
}

// reassign gives a task or an alert in the person's scope to someone else.
func (s *Server) reassign(table string) func(http.ResponseWriter, *http.Request, *view) {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		to, _ := strconv.ParseInt(r.FormValue("owner"), 10, 64)
		if !s.mayAct(r, v, table, id) || to == 0 {
			http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
			return
		}
		if err := s.db.ReassignWork(r.Context(), table, id, to); err != nil {
			s.fail(w, err)
			return
		}
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	}
}

// scope is whose work a staff member sees and may act on: nil for everyone
// (admins), their team's members (managers), else only their own.
func (s *Server) scope(r *http.Request, v *view, mine bool) ([]int64, error) {
	switch {
	case mine || v.Staff.Role == "agent":
		return []int64{v.Staff.ID}, nil
	case v.Staff.Role == "manager" && v.Staff.TeamID != 0:
		ids, err := s.db.TeamMembers(r.Context(), v.Staff.TeamID)
		return append(ids, v.Staff.ID), err
	case v.Staff.Role == "manager":
		return []int64{v.Staff.ID}, nil
	}
	return nil, nil
}

func (s *Server) taskDone(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !s.mayAct(r, v, "tasks", id) {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return
	}
	if err := s.db.CompleteTask(r.Context(), id); err != nil {
		s.fail(w, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		return // htmx swaps the task's line for this empty answer
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

// mayAct reports whether a task or alert is within the staff member's scope.
func (s *Server) mayAct(r *http.Request, v *view, table string, id int64) bool {
	scope, err := s.scope(r, v, false)
	if err != nil {
		return false
	}
	owner, err := s.db.WorkOwner(r.Context(), table, id)
	return err == nil && (scope == nil || slices.Contains(scope, owner))
}

func (s *Server) alertSnooze(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !s.mayAct(r, v, "alerts", id) {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return
	}
	days, _ := strconv.Atoi(r.FormValue("days"))
	if err := s.db.SnoozeAlert(r.Context(), id, s.db.Now().AddDate(0, 0, max(days, 1)), r.FormValue("reason")); err != nil {
		if retain.ErrorCode(err) == retain.EINVALID {
			http.Error(w, v.L.T("error.snooze_reason"), http.StatusBadRequest)
			return
		}
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

func (s *Server) alertResolve(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !s.mayAct(r, v, "alerts", id) {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return
	}
	if err := s.db.ResolveAlert(r.Context(), id, r.FormValue("outcome")); err != nil {
		if retain.ErrorCode(err) == retain.EINVALID {
			http.Error(w, v.L.T("error.outcome"), http.StatusBadRequest)
			return
		}
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log.Error("web", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
