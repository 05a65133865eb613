package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

type inboxData struct {
	Alerts      []retain.Alert
	Tasks       []retain.Task
	AlertList   listPage
	TaskList    listPage
	Owners      []store.Owner
	Now         time.Time
	CalendarURL string // just made
	CanAssign   bool
	Notice      string // what a bulk action did
	// The filters, as chosen and as offered.
	Query      url.Values
	Types      []retain.AlertType
	Severities []retain.Severity
	Reasons    []string
}

// listPage is where one of the inbox's lists is: how many there are, which
// of them this page shows, and the links to the pages around it.
type listPage struct {
	Total, From, To    int
	PrevHref, NextHref string
}

// inboxPage is how many alerts or tasks a page of the inbox shows.
const inboxPage = 50

// pageOf reads a 1-based page number from the query (a bad or huge one is
// the first page or the last).
func pageOf(q url.Values, key string, total int) int {
	p, _ := strconv.Atoi(q.Get(key))
	last := max((total+inboxPage-1)/inboxPage, 1)
	return min(max(p, 1), last)
}

func (lp *listPage) set(q url.Values, key string, page, total, shown int) {
	lp.Total, lp.From, lp.To = total, (page-1)*inboxPage+1, (page-1)*inboxPage+shown
	if shown == 0 {
		lp.From = 0
	}
	link := func(p int) string { return withParam("/inbox", q, key, strconv.Itoa(p)) }
	if page > 1 {
		lp.PrevHref = link(page - 1)
	}
	if lp.To < total {
		lp.NextHref = link(page + 1)
	}
}

// inbox is the signed-in person's work queue: alerts and tasks in their
// scope (core.Work.Scope), or only their own with ?mine=1, 50 a page each,
// filtered by alert type, severity and reason, and tasks by being overdue.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.inboxWith(w, r, v, "")
}

func (s *Server) inboxWith(w http.ResponseWriter, r *http.Request, v *view, calendarURL string) error {
	return s.inboxPage(w, r, v, inboxData{CalendarURL: calendarURL})
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, v *view, d inboxData) error {
	ctx, q := r.Context(), r.URL.Query()
	scope, err := s.work().Scope(ctx, v.Actor)
	if err != nil {
		return err
	}
	if q.Get("mine") == "1" {
		scope = core.MineOnly(v.Actor)
	}
	af := store.AlertFilter{Status: "open", Scope: &scope, Type: retain.AlertType(q.Get("type")), Severity: retain.Severity(q.Get("severity")),
		Reason: q.Get("reason"), Limit: inboxPage}
	tf := store.TaskFilter{Scope: &scope, Limit: inboxPage}
	if q.Get("due") == "overdue" {
		tf.Overdue = s.db.Now()
	}
	d.Now, d.CanAssign, d.Query = s.db.Now(), v.Actor.Can(retain.PermWorkAssign), q
	d.Types, d.Severities, d.Reasons = retain.AlertTypes, retain.Severities, alertReasons
	alerts, err := s.db.CountAlerts(ctx, af)
	if err != nil {
		return err
	}
	tasks, err := s.db.CountTasks(ctx, tf)
	if err != nil {
		return err
	}
	ap, tp := pageOf(q, "ap", alerts), pageOf(q, "tp", tasks)
	af.Offset, tf.Offset = (ap-1)*inboxPage, (tp-1)*inboxPage
	if d.Alerts, err = s.db.Alerts(ctx, af); err != nil {
		return err
	}
	if d.Tasks, err = s.db.Tasks(ctx, tf); err != nil {
		return err
	}
	d.AlertList.set(q, "ap", ap, alerts, len(d.Alerts))
	d.TaskList.set(q, "tp", tp, tasks, len(d.Tasks))
	if d.Owners, err = s.db.Owners(ctx); err != nil {
		return err
	}
	v.Title, v.Data = v.L.T("nav.inbox"), d
	s.render(w, "inbox", v)
	return nil
}

// alertReasons are the reasons the inbox filters by, in the catalog's order.
var alertReasons = []string{"detractor", "low_csat", "high_effort", "complaint", "return", "chargeback", "refused", "late_delivery",
	"cod_risk", "overdue", "slowing", "shrinking", "low_p_alive", "renewal_due", "sla_warning", "sla_breach", "new_customer", "promoter", "speeding_up", "value_rising", "irregular", "mix_shift", "points_expiring", "reward_available", "near_tier"}

// calendarLink makes the person a secret iCalendar URL of their tasks and
// shows it on the inbox.
func (s *Server) calendarLink(w http.ResponseWriter, r *http.Request, v *view) error {
	token, err := s.db.CreateCalendarFeed(r.Context(), v.Staff.Email)
	if err != nil {
		return err
	}
	scheme := "http"
	if s.secureRequest(r) {
		scheme = "https"
	}
	return s.inboxWith(w, r, v, scheme+"://"+r.Host+"/calendar/"+token+".ics")
}

// workForm answers a checked action on a task or an alert: a form problem
// in the viewer's words (key), anything else by its code.
func workForm(v *view, err error, key string) error {
	var e *retain.Error
	if errors.As(err, &e) && e.Code == retain.EINVALID {
		pe := problem(v, http.StatusBadRequest, key).(*pageError)
		if len(e.Fields) > 0 { // and which field, and why, in the viewer's words
			pe.message += " " + v.Problems(e.Fields)
		}
		return pe
	}
	return err
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, retain.Errorf(retain.ENOTFOUND, "no such item")
	}
	return id, nil
}

// reassign gives a task or an alert in the person's scope to someone else.
func (s *Server) reassign(table string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		to, _ := strconv.ParseInt(r.FormValue("owner"), 10, 64)
		if err := s.work().Reassign(r.Context(), v.Actor, table, id, to); err != nil {
			return workForm(v, err, "error.owner")
		}
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return nil
	}
}

func (s *Server) taskDone(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.work().CompleteTask(r.Context(), v.Actor, id); err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		return nil // htmx swaps the task's line for this empty answer
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

func (s *Server) alertSnooze(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	days, _ := strconv.Atoi(r.FormValue("days"))
	days = min(max(days, 1), 365)
	if err := s.work().SnoozeAlert(r.Context(), v.Actor, id, s.db.Now().AddDate(0, 0, days), r.FormValue("reason")); err != nil {
		return workForm(v, err, "error.snooze_reason")
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

func (s *Server) alertResolve(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.work().ResolveAlert(r.Context(), v.Actor, id, r.FormValue("outcome")); err != nil {
		return workForm(v, err, "error.outcome")
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

// bulkAlerts gives, snoozes or resolves the ticked alerts, each through the
// same checks as one at a time; the page says how many it did and how many
// it could not (gone, or not in the person's scope).
func (s *Server) bulkAlerts(w http.ResponseWriter, r *http.Request, v *view) error {
	r.ParseForm()
	var ids []int64
	for _, raw := range r.Form["alert"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return problem(v, http.StatusBadRequest, "error.invalid")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(ids) > 500 {
		return problem(v, http.StatusBadRequest, "inbox.bulk_none")
	}
	ctx, work := r.Context(), s.work()
	var act func(id int64) error
	switch r.FormValue("action") {
	case "assign":
		to, _ := strconv.ParseInt(r.FormValue("owner"), 10, 64)
		act = func(id int64) error { return work.Reassign(ctx, v.Actor, "alerts", id, to) }
	case "snooze":
		days, _ := strconv.Atoi(r.FormValue("days"))
		until := s.db.Now().AddDate(0, 0, min(max(days, 1), 365))
		act = func(id int64) error { return work.SnoozeAlert(ctx, v.Actor, id, until, r.FormValue("note")) }
	case "resolve":
		act = func(id int64) error { return work.ResolveAlert(ctx, v.Actor, id, r.FormValue("note")) }
	default:
		return problem(v, http.StatusBadRequest, "inbox.bulk_action")
	}
	done, refused := 0, 0
	for _, id := range ids {
		switch err := act(id); retain.ErrorCode(err) {
		case "":
			done++
		case retain.EINVALID: // the same for every alert: the form is wrong
			return problem(v, http.StatusBadRequest, "inbox.bulk_note")
		case retain.EFORBIDDEN, retain.ENOTFOUND:
			refused++
		default:
			return err
		}
	}
	notice := v.L.T("inbox.bulk_done", "Count", v.L.Int(int64(done)))
	if refused > 0 {
		notice += " " + v.L.T("inbox.bulk_refused", "Count", v.L.Int(int64(refused)))
	}
	return s.inboxPage(w, r, v, inboxData{Notice: notice})
}
