package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

type settingsData struct {
	Admin     bool
	Native    bool
	Messaging string // the stored settings, secrets masked
	Users     []store.User
	Keys      []store.APIKey
	NewKey    string // shown once, after creating
	Notice    string
	Problem   string
}

// settings shows the signed-in person's preferences and, to admins, the
// channels, staff and API keys.
func (s *Server) settings(w http.ResponseWriter, r *http.Request, v *view) {
	s.renderSettings(w, r, v, settingsData{})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, v *view, d settingsData) {
	ctx := r.Context()
	d.Admin, d.Native = v.Staff.Role == "admin", v.L.Native
	if d.Admin {
		ms, err := core.MessagingSettings(ctx, s.db)
		if err != nil {
			d.Problem = err.Error()
		}
		b, _ := json.MarshalIndent(ms.Masked(), "", "  ")
		d.Messaging = string(b)
		if d.Users, err = s.db.ListUsers(ctx); err != nil {
			s.fail(w, err)
			return
		}
		if d.Keys, err = s.db.ListAPIKeys(ctx); err != nil {
			s.fail(w, err)
			return
		}
	}
	v.Title, v.Data = v.L.T("nav.settings"), d
	s.render(w, "settings", v)
}

// saveDigits stores the person's choice of native digits.
func (s *Server) saveDigits(w http.ResponseWriter, r *http.Request, v *view) {
	val := "latin"
	if r.FormValue("native") == "1" {
		val = "native"
	}
	if err := s.db.SetSetting(r.Context(), store.DigitsKey(v.Staff.ID), val); err != nil {
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

func (s *Server) adminOnly(w http.ResponseWriter, v *view) bool {
	if v.Staff.Role != "admin" {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return false
	}
	return true
}

// saveMessaging replaces the messaging settings with a checked document.
func (s *Server) saveMessaging(w http.ResponseWriter, r *http.Request, v *view) {
	if !s.adminOnly(w, v) {
		return
	}
	ms, err := messaging.ParseSettings([]byte(r.FormValue("document")))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		s.renderSettings(w, r, v, settingsData{Problem: err.Error()})
		return
	}
	b, _ := json.Marshal(ms)
	if err := s.db.SetSetting(r.Context(), messaging.SettingsKey, string(b)); err != nil {
		s.fail(w, err)
		return
	}
	s.renderSettings(w, r, v, settingsData{Notice: v.L.T("settings.saved")})
}

// sendTest sends a test message through a configured channel.
func (s *Server) sendTest(w http.ResponseWriter, r *http.Request, v *view) {
	if !s.adminOnly(w, v) {
		return
	}
	ms, err := core.MessagingSettings(r.Context(), s.db)
	if err != nil {
		s.renderSettings(w, r, v, settingsData{Problem: err.Error()})
		return
	}
	chans, _, err := ms.Build()
	channel := r.FormValue("channel")
	if err != nil || chans[channel] == nil {
		w.WriteHeader(http.StatusBadRequest)
		s.renderSettings(w, r, v, settingsData{Problem: v.L.T("settings.no_channel", "Channel", channel)})
		return
	}
	id, err := chans[channel].Send(r.Context(), messaging.Outgoing{Key: fmt.Sprintf("test-%d", time.Now().UnixNano()), Channel: channel,
		Purpose: "transactional", Kind: "test", To: strings.TrimSpace(r.FormValue("to")), Body: v.L.T("settings.test_body")})
	if err != nil {
		s.renderSettings(w, r, v, settingsData{Problem: v.L.T("settings.test_failed", "Error", messaging.Redact(err.Error()))})
		return
	}
	s.renderSettings(w, r, v, settingsData{Notice: v.L.T("settings.test_sent", "ID", id)})
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request, v *view) {
	if !s.adminOnly(w, v) {
		return
	}
	_, secret, err := s.db.CreateAPIKey(r.Context(), strings.TrimSpace(r.FormValue("name")))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		s.renderSettings(w, r, v, settingsData{Problem: err.Error()})
		return
	}
	s.renderSettings(w, r, v, settingsData{NewKey: secret})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, v *view) {
	if !s.adminOnly(w, v) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.db.RevokeAPIKey(r.Context(), id); err != nil {
		s.failFor(w, v, err) // an unknown key: 404, in the viewer's language
		return
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}
