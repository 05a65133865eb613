package web

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

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
