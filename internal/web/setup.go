package web

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// setupCookie carries the setup token once the printed link has been
// opened, so the token leaves the address bar and the browser's history.
const setupCookie = "retain_setup"

// setupData is the first step of the wizard: the language, the business
// and its first admin.
type setupData struct {
	Lang                               string
	Business, TimeZone, Currency, Name string
	Email                              string
	Zones, Currencies                  []string
	Fields                             fieldErrors
}

// currencies are offered first; any ISO 4217 code Retain knows is taken.
var currencies = []string{"BDT", "NPR", "INR", "USD", "EUR", "GBP", "AED", "MYR"}

// setupOpen reports whether the wizard is open: serve was given a setup
// token (it prints one on a database nobody can sign in to) and still
// nobody can.
func (s *Server) setupOpen(r *http.Request) (bool, error) {
	if s.opts.SetupToken == "" {
		return false, nil
	}
	has, err := s.db.HasLogin(r.Context())
	return !has, err
}

// setupHolder reports whether the request carries the setup token (in its
// cookie, or in the printed link's ?token=).
func (s *Server) setupHolder(r *http.Request, token string) bool {
	if token == "" {
		if c, err := r.Cookie(setupCookie); err == nil {
			token = c.Value
		}
	}
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.SetupToken)) == 1
}

// setupLocale is the wizard's language: the one chosen on it, else the
// browser's.
func setupLocale(r *http.Request) *i18n.Localizer {
	if l := r.FormValue("lang"); slices.Contains(i18n.Languages, l) {
		return i18n.New(l, true)
	}
	return visitorLocale(r)
}

// setupPage is the wizard's first step. Opened with the printed token it
// keeps the token in a cookie and drops it from the address; without the
// token it says where to find it; once someone can sign in it is gone.
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) {
	l := setupLocale(r)
	v := s.visitor(r, l)
	if s.setupClosed(w, r, v) {
		return
	}
	if t := r.URL.Query().Get("token"); t != "" {
		if !s.setupHolder(r, t) {
			s.setupRefused(w, v)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: setupCookie, Value: t, Path: "/setup", HttpOnly: true, Secure: s.secureRequest(r), SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/setup?lang="+l.Lang, http.StatusSeeOther)
		return
	}
	if !s.setupHolder(r, "") {
		s.setupRefused(w, v)
		return
	}
	d := setupData{Lang: l.Lang, TimeZone: "Asia/Dhaka", Currency: "BDT"}
	if l.Lang == "ne" { // a guess the owner changes in one field
		d.TimeZone, d.Currency = "Asia/Kathmandu", "NPR"
	}
	s.renderSetup(w, v, d, 0)
}

// setupClosed answers a request to a wizard that is shut (someone can sign
// in now: to the sign-in page) or whose state cannot be read, and reports
// whether it did.
func (s *Server) setupClosed(w http.ResponseWriter, r *http.Request, v *view) bool {
	open, err := s.setupOpen(r)
	switch {
	case err != nil:
		s.errorPage(w, v, err)
	case !open:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return err != nil || !open
}

func (s *Server) setupRefused(w http.ResponseWriter, v *view) {
	v.Title, v.Error = v.L.T("setup.title"), v.L.T("setup.need_token")
	s.renderStatus(w, http.StatusForbidden, "setup", v)
}

func (s *Server) renderSetup(w http.ResponseWriter, v *view, d setupData, status int) {
	d.Zones, d.Currencies = commonZones, currencies
	v.Title, v.Data = v.L.T("setup.title"), d
	s.renderStatus(w, status, "setup", v)
}

// setupPost checks the whole first step, then saves the business's name,
// zone and currency, creates the first admin in the chosen language and
// signs them in; the wizard goes on at its channel step.
func (s *Server) setupPost(w http.ResponseWriter, r *http.Request) {
	l := setupLocale(r)
	v := s.visitor(r, l)
	if s.setupClosed(w, r, v) {
		return
	}
	if !s.setupHolder(r, "") {
		s.setupRefused(w, v)
		return
	}
	d := setupData{Lang: l.Lang, Business: strings.TrimSpace(r.FormValue("business_name")), TimeZone: strings.TrimSpace(r.FormValue("time_zone")),
		Currency: strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))), Name: strings.TrimSpace(r.FormValue("name")),
		Email: strings.TrimSpace(r.FormValue("email")), Fields: fieldErrors{}}
	bad := d.Fields
	if d.Business == "" {
		bad.add(v, "business_name", "form.required")
	}
	if retain.CheckTimeZone(d.TimeZone) != nil {
		bad.add(v, "time_zone", "settings.time_zone_bad", "Zone", d.TimeZone)
	}
	if _, err := retain.CurrencyDigits(d.Currency); err != nil {
		bad.add(v, "currency", "form.currency_bad")
	}
	if d.Name == "" {
		bad.add(v, "name", "form.required")
	}
	if e, err := retain.NormalizeEmail(d.Email); err != nil {
		bad.add(v, "email", "form.email_bad")
	} else {
		d.Email = e
	}
	pw, pwBad := newPassword(r, v)
	for k, m := range pwBad {
		bad[k] = m
	}
	if len(bad) > 0 {
		s.renderSetup(w, v, d, http.StatusBadRequest)
		return
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	// Two writes, in this order on purpose: the settings are overwritten
	// by a retry of this step, and the admin is the step's commit point.
	// If anything after the settings fails, the wizard is still open and
	// the owner submits again; once the admin exists the wizard is shut
	// and they sign in like anyone else.
	by := retain.System("setup")
	err = core.UpdateMessaging(r.Context(), s.db, by, func(m *messaging.Settings) error {
		// Customers whose language is not known get the one the owner chose.
		m.BusinessName, m.TimeZone, m.Currency, m.Language = d.Business, d.TimeZone, d.Currency, l.Lang
		return nil
	})
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	u, err := s.db.AddUser(r.Context(), by, store.User{Email: d.Email, Name: d.Name, Role: retain.RoleAdmin}, hash)
	if err == nil {
		err = s.db.SetStaffLocale(r.Context(), u.ID, l.Lang)
	}
	var token string
	if err == nil {
		token, err = s.db.CreateSession(r.Context(), u.ID, AbsoluteTimeout, false)
	}
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: setupCookie, Path: "/setup", MaxAge: -1})
	s.setSessionCookie(w, r, token, int(AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, "/setup/channel", http.StatusSeeOther)
}

// setupChannel is the wizard's second step for the new admin: a channel
// to reach customers on, which can be skipped and set up later in
// Settings.
func (s *Server) setupChannel(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := s.channelForms(r, v)
	if err != nil {
		return err
	}
	d.Wizard = true
	v.Title, v.Data = v.L.T("setup.channel_title"), d
	s.render(w, "setup_channel", v)
	return nil
}
