package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

type settingsData struct {
	Native    bool
	Calendar  string   // the calendar the person reads dates in
	Calendars []string // offered
	TimeZone  string   // the person's own zone, "" for the business's
	Zones     []string // offered in the zone picker
	Messaging string   // the stored settings, secrets masked
	Users     []store.User
	Keys      []store.APIKey
	Scopes    []retain.Scope
	NewKey    string // shown once, after creating
	Notice    string
	Problem   string
	// Two-factor sign-in: the viewer's state, an enrolment under way, the
	// recovery codes just made (shown once) and the business's rule.
	TwoFactor     bool
	MustEnrol     bool
	Enrolment     *auth.Enrolment
	RecoveryCodes []string
	Required      bool
	// PasswordDue: the viewer must change their password before anything
	// else; Fields are the password form's complaints.
	PasswordDue bool
	Fields      fieldErrors
	// Channels is the settings as forms (admins); Form names the one
	// Fields are about.
	Channels channelData
	Form     string
	// typed, after a refused settings form, shows what was typed in it.
	typed  func(*messaging.Settings) error
	status int // 0: 200
}

// settings shows the signed-in person's preferences and two-factor sign-in
// and, to those allowed, the channels, staff and API keys.
func (s *Server) settings(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderSettings(w, r, v, settingsData{})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, v *view, d settingsData) error {
	ctx := r.Context()
	d.Native, d.TwoFactor, d.MustEnrol, d.Scopes = v.L.Native, v.Staff.TwoFactor, v.Staff.MustEnrol, retain.Scopes
	d.TimeZone, d.Zones, d.PasswordDue = v.Staff.TimeZone, commonZones, v.Staff.PasswordChangeDue
	d.Calendar, d.Calendars = v.Staff.Calendar, i18n.Calendars
	req, _, err := s.db.Setting(ctx, store.RequireTwoFactorKey)
	if err != nil {
		return err
	}
	d.Required = req == "admins"
	if v.Actor.Can(retain.PermSettingsManage) {
		ms, err := core.MessagingSettings(ctx, s.db)
		if err != nil {
			d.Problem = err.Error()
		}
		b, _ := json.MarshalIndent(ms.Masked(), "", "  ")
		d.Messaging = string(b)
		if d.Channels, err = s.channelForms(r, v); err != nil {
			return err
		}
		d.Channels.Form, d.Channels.Fields = d.Form, d.Fields
		if d.typed != nil {
			d.typed(&d.Channels.S) // for showing; its complaint is in Fields
		}
	}
	if v.Actor.Can(retain.PermUsersManage) {
		if d.Users, err = s.db.ListUsers(ctx); err != nil {
			return err
		}
	}
	if v.Actor.Can(retain.PermKeysManage) {
		if d.Keys, err = s.db.ListAPIKeys(ctx); err != nil {
			return err
		}
	}
	v.Title, v.Data = v.L.T("nav.settings"), d
	s.renderStatus(w, d.status, "settings", v)
	return nil
}

// saveDigits stores the person's choice of native digits.
func (s *Server) saveDigits(w http.ResponseWriter, r *http.Request, v *view) error {
	val := "latin"
	if r.FormValue("native") == "1" {
		val = "native"
	}
	if err := s.db.SetSetting(r.Context(), store.DigitsKey(v.Staff.ID), val); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
	return nil
}

// saveCalendar stores the calendar the person reads dates in.
func (s *Server) saveCalendar(w http.ResponseWriter, r *http.Request, v *view) error {
	c := r.FormValue("calendar")
	if !slices.Contains(i18n.Calendars, c) {
		return retain.FieldError("calendar", "%q is not a calendar Retain shows", c)
	}
	if err := s.db.SetSetting(r.Context(), store.CalendarKey(v.Staff.ID), c); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
	return nil
}

// commonZones are offered first on the settings page; any IANA zone is
// accepted.
var commonZones = []string{"Asia/Dhaka", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Dubai", "Asia/Kuala_Lumpur", "Europe/London", "UTC"}

// saveTimeZone stores the zone the person sees times in ("" for the
// business's).
func (s *Server) saveTimeZone(w http.ResponseWriter, r *http.Request, v *view) error {
	zone := strings.TrimSpace(r.FormValue("time_zone"))
	if zone != "" {
		if retain.CheckTimeZone(zone) != nil {
			return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Problem: v.L.T("settings.time_zone_bad", "Zone", zone)})
		}
	}
	if err := s.db.SetSetting(r.Context(), store.TimeZoneKey(v.Staff.ID), zone); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
	return nil
}

// saveMessaging replaces the messaging settings with a checked document.
func (s *Server) saveMessaging(w http.ResponseWriter, r *http.Request, v *view) error {
	ms, err := messaging.ParseSettings([]byte(r.FormValue("document")))
	if err != nil {
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Problem: err.Error()})
	}
	b, _ := json.Marshal(ms)
	if err := s.db.SaveSetting(r.Context(), v.Actor, messaging.SettingsKey, string(b)); err != nil {
		return err
	}
	return s.renderSettings(w, r, v, settingsData{Notice: v.L.T("settings.saved")})
}

// sendTest sends a test message through a configured channel; the page
// it answers with (settings, or the wizard's channel step) says what the
// gateway answered.
func (s *Server) sendTest(w http.ResponseWriter, r *http.Request, v *view) error {
	channel := r.FormValue("channel")
	live, err := s.live.Messaging(r.Context())
	if err != nil {
		return err
	}
	ch := live.Channels[channel]
	if ch == nil {
		return s.renderChannels(w, r, v, channel, fieldErrors{channel: v.L.T("settings.no_channel", "Channel", channel)}, "", "")
	}
	id, err := ch.Send(r.Context(), messaging.Outgoing{Key: fmt.Sprintf("test-%d", time.Now().UnixNano()), Channel: retain.Channel(channel),
		Purpose: retain.PurposeTransactional, Kind: "test", To: strings.TrimSpace(r.FormValue("to")), Body: v.L.T("settings.test_body")})
	if err != nil {
		return s.renderChannels(w, r, v, channel, nil, "", v.L.T("settings.test_failed", "Error", messaging.Redact(err.Error())))
	}
	return s.renderChannels(w, r, v, channel, nil, v.L.T("settings.test_sent", "ID", id), "")
}

// createKey makes an API key with the scopes ticked on the form.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request, v *view) error {
	r.ParseForm()
	scopes, err := retain.ParseScopes(strings.Join(r.Form["scope"], ","))
	if err != nil {
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Problem: v.L.T("settings.key_scopes")})
	}
	_, secret, err := s.db.CreateAPIKey(r.Context(), v.Actor, strings.TrimSpace(r.FormValue("name")), scopes)
	if err != nil {
		if retain.ErrorCode(err) != retain.EINVALID {
			return err
		}
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Problem: v.L.T("settings.key_name_required")})
	}
	return s.renderSettings(w, r, v, settingsData{NewKey: secret})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.db.RevokeAPIKey(r.Context(), v.Actor, id); err != nil {
		return err // an unknown key: 404, in the viewer's language
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
	return nil
}
