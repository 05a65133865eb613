package web

import (
	"errors"
	"net/http"

	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

// accountData is the page a one-time link opens: whom it is for and what
// was wrong with the password typed.
type accountData struct {
	Token  string
	Link   store.AccountLink
	Fields fieldErrors
}

// newPassword reads a new password and its confirmation from a form and
// says what is wrong with them, in the reader's words.
func newPassword(r *http.Request, v *view) (string, fieldErrors) {
	pw, again := r.FormValue("password"), r.FormValue("confirm")
	bad := fieldErrors{}
	if p := auth.PasswordProblem(pw); p != "" {
		bad.add(v, "password", "password."+p, "Min", auth.MinPasswordLen, "Max", auth.MaxPasswordLen)
	} else if pw != again {
		bad.add(v, "confirm", "password.mismatch")
	}
	return pw, bad
}

// accountPage is what an invitation or reset link opens: a form that sets
// the password, in the invited person's language. A used, expired or
// unknown link gets one answer, so guessing learns nothing.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, accountData{Token: r.PathValue("token")}, 0)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, d accountData, status int) {
	link, err := s.db.AccountLinkFor(r.Context(), d.Token)
	l := visitorLocale(r)
	if err == nil && link.Locale != "" {
		l = i18n.New(link.Locale, true)
	}
	v := s.visitor(r, l) // the link's expiry in the business's time
	if err != nil {
		if !errors.Is(err, store.ErrLinkGone) {
			s.errorPage(w, v, err)
			return
		}
		v.Title, v.Error = l.T("account.gone_title"), l.T("account.gone")
		s.renderStatus(w, http.StatusNotFound, "account", v)
		return
	}
	d.Link = link
	v.Title, v.Data = l.T("account.title_"+link.Purpose), d
	s.renderStatus(w, status, "account", v)
}

// accountPost sets the password from a link, spends the link and signs
// the person in.
func (s *Server) accountPost(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	link, err := s.db.AccountLinkFor(r.Context(), token)
	if err != nil {
		s.renderAccount(w, r, accountData{Token: token}, 0)
		return
	}
	v := &view{L: i18n.New(link.Locale, true), Path: r.URL.Path}
	pw, bad := newPassword(r, v)
	if len(bad) > 0 {
		s.renderAccount(w, r, accountData{Token: token, Fields: bad}, http.StatusBadRequest)
		return
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	st, err := s.db.UseAccountLink(r.Context(), token, hash)
	if errors.Is(err, store.ErrLinkGone) { // another tab used it first
		s.renderAccount(w, r, accountData{Token: token}, 0)
		return
	}
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	session, err := s.db.CreateSession(r.Context(), st.ID, AbsoluteTimeout, false)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	if err := s.db.Audit(r.Context(), st.Actor(), store.AuditSignIn, st.Email, s.clientIP(r)); err != nil {
		s.log.Error("audit", "err", err)
	}
	s.setSessionCookie(w, r, session, int(AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// changePassword replaces the signed-in person's password (their current
// one first) and ends their other sessions; a change that was due
// (the demo's printed password) is settled by it.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, v *view) error {
	current := r.FormValue("current_password")
	pw, bad := newPassword(r, v)
	if len(bad) == 0 && pw == current {
		bad.add(v, "password", "password.same")
	}
	if len(bad) > 0 {
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Fields: bad})
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	token := ""
	if c, err := r.Cookie(s.cookieName(r)); err == nil {
		token = c.Value
	}
	err = s.db.ChangePassword(r.Context(), v.Actor, v.Staff.ID, func(h string) bool { return auth.VerifyPassword(h, current) }, hash, token)
	if errors.Is(err, store.ErrWrongPassword) {
		bad.add(v, "current_password", "password.wrong")
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Fields: bad})
	}
	if err != nil {
		return err
	}
	v.Staff.PasswordChangeDue = false
	return s.renderSettings(w, r, v, settingsData{Notice: v.L.T("password.changed")})
}

// passwordRoutes are what someone whose password change is due may still
// open: the form that changes it, and signing out.
var passwordRoutes = []string{"/settings", "/settings/password", "/logout", "/lang"}
