package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

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
		s.failFor(w, v, err)
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
