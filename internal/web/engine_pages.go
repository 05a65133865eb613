package web

import (
	"net/http"

	"github.com/retainhq/retain"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

type playbookView struct {
	core.PlaybookOutcome
	Def *retain.Playbook
}

type playbooksData struct {
	Playbooks []playbookView
	Recovery  core.Recovery
	CanToggle bool
}

// playbooks lists the playbooks with their enrollments and outcomes, and
// their steps; managers and admins can switch them on and off.
func (s *Server) playbooks(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context() // serve installed the built-ins at start
	rec, err := core.Outcomes(ctx, s.db)
	if err != nil {
		return err
	}
	rows, err := s.db.Playbooks(ctx)
	if err != nil {
		return err
	}
	defs := map[string]*retain.Playbook{}
	for _, row := range rows {
		if p, err := retain.ParsePlaybook(row.Definition); err == nil {
			defs[row.Key] = p
		}
	}
	d := playbooksData{Recovery: rec, CanToggle: v.Actor.Can(retain.PermPlaybooksManage)}
	for _, p := range rec.Playbooks {
		d.Playbooks = append(d.Playbooks, playbookView{PlaybookOutcome: p, Def: defs[p.Key]})
	}
	v.Title, v.Data = v.L.T("nav.playbooks"), d
	s.render(w, "playbooks", v)
	return nil
}

func (s *Server) playbookToggle(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.work().SetPlaybookEnabled(r.Context(), v.Actor, r.PathValue("key"), r.FormValue("enabled") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/playbooks", http.StatusSeeOther)
	return nil
}

type messagesData struct {
	Messages []store.MessageRow
	Status   retain.MessageStatus
	Channel  retain.Channel
	Statuses []retain.MessageStatus
	Channs   []retain.Channel
}

// messages is the message log with delivery status, filtered by status and
// channel.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := store.MessageFilter{Status: retain.MessageStatus(q.Get("status")), Channel: retain.Channel(q.Get("channel")), Limit: 200}
	msgs, err := s.db.Messages(r.Context(), f)
	if err != nil {
		return err
	}
	v.Title = v.L.T("nav.messages")
	v.Data = messagesData{Messages: msgs, Status: f.Status, Channel: f.Channel, Statuses: retain.MessageStatuses, Channs: retain.ChannelNames}
	s.render(w, "messages", v)
	return nil
}
