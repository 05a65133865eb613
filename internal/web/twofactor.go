package web

import (
	"net/http"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/store"
)

// The second step of signing in, and setting up two-factor sign-in (TOTP,
// RFC 6238, with one-time recovery codes) from the settings page.

// pending is the half-open session of the request: password right, code due.
func (s *Server) pending(r *http.Request) (store.Staff, string, string, bool) {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return store.Staff{}, "", "", false
	}
	st, secret, err := s.db.PendingSession(r.Context(), c.Value)
	return st, secret, c.Value, err == nil
}

func (s *Server) codePage(w http.ResponseWriter, r *http.Request) {
	l := visitorLocale(r)
	if _, _, _, ok := s.pending(r); !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, "code", &view{L: l, Title: l.T("twofactor.title"), Data: localPath(r.URL.Query().Get("next"))})
}

// codePost checks the code from the authenticator app, or a recovery code.
// Five wrong codes a minute per person, then 429, as for passwords.
func (s *Server) codePost(w http.ResponseWriter, r *http.Request) {
	l := visitorLocale(r)
	next := localPath(r.FormValue("next"))
	st, secret, token, ok := s.pending(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	now := s.db.Now()
	again := func(status int, key string) {
		s.renderStatus(w, status, "code", &view{L: l, Title: l.T("twofactor.title"), Data: next, Error: l.T(key)})
	}
	limitKey := "code:" + st.Email
	if !s.login.Take(limitKey, 5, now) {
		again(http.StatusTooManyRequests, "login.too_many")
		return
	}
	good := false
	if step, match := auth.CheckTOTP(secret, r.FormValue("code"), now); match {
		fresh, err := s.db.UseTOTPStep(r.Context(), st.ID, step)
		if err != nil {
			s.log.Error("2fa", "err", err)
		}
		good = fresh
	} else if code := auth.NormalizeRecoveryCode(r.FormValue("code")); len(code) == 10 {
		used, err := s.db.UseRecoveryCode(r.Context(), st.ID, code)
		if err != nil {
			s.log.Error("2fa", "err", err)
		}
		good = used
	}
	if !good {
		if err := s.db.Audit(r.Context(), retain.System("signin"), store.AuditSignInFailed, st.Email, "2fa · "+s.clientIP(r)); err != nil {
			s.log.Error("audit", "err", err)
		}
		again(http.StatusUnauthorized, "twofactor.wrong")
		return
	}
	s.login.Forgive(limitKey, now)
	full, err := s.db.CompleteSecondFactor(r.Context(), token, st.ID, AbsoluteTimeout)
	if err != nil {
		s.errorPage(w, &view{L: l, Path: r.URL.Path}, err)
		return
	}
	if err := s.db.Audit(r.Context(), st.Actor(), store.AuditSignIn, st.Email, "2fa · "+s.clientIP(r)); err != nil {
		s.log.Error("audit", "err", err)
	}
	s.setSessionCookie(w, r, full, int(AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// twoFactorStart makes a new secret and shows it (as a QR code and as text)
// with a field for the first code.
func (s *Server) twoFactorStart(w http.ResponseWriter, r *http.Request, v *view) error {
	e, err := auth.NewTOTP("Retain", v.Staff.Email)
	if err != nil {
		return err
	}
	if err := s.db.BeginTwoFactor(r.Context(), v.Staff.ID, e.Secret); err != nil {
		return err
	}
	return s.renderSettings(w, r, v, settingsData{Enrolment: &e})
}

// twoFactorConfirm turns two-factor sign-in on once the person proves their
// app has the secret, and shows their recovery codes once.
func (s *Server) twoFactorConfirm(w http.ResponseWriter, r *http.Request, v *view) error {
	secret, err := s.db.PendingTwoFactor(r.Context(), v.Staff.ID)
	if err != nil {
		return err
	}
	step, ok := auth.CheckTOTP(secret, r.FormValue("code"), s.db.Now())
	if !ok {
		e, err := auth.EnrolmentFor("Retain", v.Staff.Email, secret)
		if err != nil {
			return err
		}
		return s.renderSettings(w, r, v, settingsData{status: http.StatusBadRequest, Enrolment: &e, Problem: v.L.T("twofactor.wrong")})
	}
	codes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		return err
	}
	stored := make([]string, len(codes))
	for i, c := range codes {
		stored[i] = auth.NormalizeRecoveryCode(c)
	}
	if err := s.db.EnableTwoFactor(r.Context(), v.Actor, v.Staff.ID, step, stored); err != nil {
		return err
	}
	v.Staff.TwoFactor, v.Staff.MustEnrol = true, false
	return s.renderSettings(w, r, v, settingsData{RecoveryCodes: codes, Notice: v.L.T("twofactor.enabled")})
}

// twoFactorRequired turns the business's rule "admins sign in with a second
// factor" on or off.
func (s *Server) twoFactorRequired(w http.ResponseWriter, r *http.Request, v *view) error {
	val := ""
	if r.FormValue("required") == "1" {
		if !v.Staff.TwoFactor {
			return problem(v, http.StatusConflict, "twofactor.self_first")
		}
		val = "admins"
	}
	if err := s.db.SaveSetting(r.Context(), v.Actor, store.RequireTwoFactorKey, val); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings#two-factor", http.StatusSeeOther)
	return nil
}
