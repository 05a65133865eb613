package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

type inboxData struct {
	Alerts      []retain.Alert
	Tasks       []retain.Task
	Owners      []store.Owner
	Now         time.Time
	CalendarURL string // just made
	CanAssign   bool
}

// inbox is the signed-in person's alerts and tasks: those in their scope
// (core.Work.Scope), or only their own with ?mine=1.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.inboxWith(w, r, v, "")
}

func (s *Server) inboxWith(w http.ResponseWriter, r *http.Request, v *view, calendarURL string) error {
	scope, err := s.work().Scope(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("mine") == "1" {
		scope = core.MineOnly(v.Actor)
	}
	alerts, err := s.db.Alerts(r.Context(), store.AlertFilter{Status: "open", Scope: &scope, Limit: 200})
	if err != nil {
		return err
	}
	tasks, err := s.db.Tasks(r.Context(), store.TaskFilter{Scope: &scope, Limit: 200})
	if err != nil {
		return err
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].DueAt.Before(tasks[j].DueAt) })
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		return err
	}
	v.Title, v.Data = v.L.T("nav.inbox"), inboxData{Alerts: alerts, Tasks: tasks, Owners: owners, Now: s.db.Now(), CalendarURL: calendarURL,
		CanAssign: v.Actor.Can(retain.PermWorkAssign)}
	s.render(w, "inbox", v)
	return nil
}

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
	if retain.ErrorCode(err) == retain.EINVALID {
		return problem(v, http.StatusBadRequest, key)
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
