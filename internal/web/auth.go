package web

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

// secureRequest reports whether the browser reached Retain over HTTPS:
// directly (serve --tls-cert) or, when the server was told it runs behind
// a TLS-terminating proxy (serve --behind-proxy), as the proxy's
// X-Forwarded-Proto says. Without that flag the header is ignored: anyone
// can send it.
func (s *Server) secureRequest(r *http.Request) bool {
	return r.TLS != nil || (s.opts.BehindProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// cookieName is __Host-retain over HTTPS; browsers refuse the __Host-
// prefix on plain HTTP, where the cookie is retain_session.
func (s *Server) cookieName(r *http.Request) string {
	if s.secureRequest(r) {
		return "__Host-retain"
	}
	return "retain_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secureRequest(r), SameSite: http.SameSiteLaxMode})
}

// viewFor is the page view of the request's signed-in staff member, nil
// when there is none.
func (s *Server) viewFor(r *http.Request) *view {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return nil
	}
	st, err := s.db.Session(r.Context(), c.Value, IdleTimeout)
	if err != nil {
		return nil
	}
	// Bengali and Nepali readers get their own digits unless they chose
	// Latin ones in their settings; times are in their own zone, else the
	// business's.
	l := i18n.New(st.Locale, st.Digits != "latin")
	v := &view{L: l, Staff: st, Actor: st.Actor(), Path: r.URL.Path}
	// One read of the settings in force gives the zone and the logo.
	m, err := s.live.Messaging(r.Context())
	if err != nil { // the page still shows, in UTC, and says so at its foot
		s.log.Error("settings", "err", err)
	}
	l.Zone, v.Logo = zoneOf(st.TimeZone, m), m != nil && len(m.Logo) > 0
	l.Calendar = st.Calendar
	return v
}

// zoneOf is where a reader sees times: their own zone when they chose one,
// else the business's (messaging settings' time_zone; UTC when unset or
// when the settings could not be read).
func zoneOf(own string, m *core.Messaging) *time.Location {
	if own != "" {
		if loc, err := time.LoadLocation(own); err == nil {
			return loc
		}
	}
	if m == nil {
		return time.UTC
	}
	return m.Policy.Zone
}

// enrolRoutes are what an admin who must set up two-factor sign-in may
// still open: the settings page that does it, and signing out.
var enrolRoutes = []string{"/settings", "/settings/2fa", "/settings/2fa/confirm", "/logout", "/lang"}

// signedIn runs h for a signed-in staff member, else sends them to /login.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, *view)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.viewFor(r)
		if v == nil {
			if _, _, _, ok := s.pending(r); ok && r.Method == http.MethodGet { // the password was right; the code is due
				http.Redirect(w, r, "/login/code?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			if _, err := r.Cookie(s.cookieName(r)); err == nil {
				s.setSessionCookie(w, r, "", -1)
			}
			s.toLogin(w, r)
			return
		}
		// What must be done before anything else: a printed password
		// changed, then two-step sign-in set up where it is required. Until
		// then pages lead to the form that does it and actions are refused.
		for _, g := range []struct {
			due     bool
			open    []string
			to, why string
		}{
			{v.Staff.PasswordChangeDue, passwordRoutes, "/settings#password", "password.due"},
			{v.Staff.MustEnrol, enrolRoutes, "/settings?enrol=1#two-factor", "twofactor.required"},
		} {
			if !g.due || slices.Contains(g.open, r.URL.Path) {
				continue
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, g.to, http.StatusSeeOther)
			} else {
				s.errorPage(w, v, problem(v, http.StatusForbidden, g.why))
			}
			return
		}
		h(w, r, v)
	}
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		l := visitorLocale(r)
		s.errorPage(w, &view{L: l, Path: r.URL.Path}, problem(&view{L: l}, http.StatusUnauthorized, "error.sign_in_first"))
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

func visitorLocale(r *http.Request) *i18n.Localizer {
	return i18n.New(i18n.Lang(r.Header.Get("Accept-Language")), false)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if open, err := s.setupOpen(r); err == nil && open { // nobody to sign in as yet
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	l := visitorLocale(r)
	v := s.visitor(r, l)
	v.Title, v.Data = l.T("login.title"), localPath(r.URL.Query().Get("next"))
	s.render(w, "login", v)
}

// loginPost signs in: five failures a minute per account and twenty per
// address are allowed, then the form answers 429 until the minute passes.
// Every attempt, right or wrong, goes to the audit log.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	l := visitorLocale(r)
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	ip := s.clientIP(r)
	now := s.db.Now()
	next := localPath(r.FormValue("next"))
	// Audit lines name an address of a sane length only: a flood of huge
	// addresses must not grow the log either.
	who := email
	if len(who) > 254 || !utf8.ValidString(who) || strings.ContainsRune(who, 0) {
		who = "(invalid address)"
	}
	fail := func(status int, action, key string) {
		if err := s.db.Audit(r.Context(), retain.System("signin"), action, who, ip); err != nil {
			s.log.Error("audit", "err", err)
		}
		v := s.visitor(r, l)
		v.Title, v.Data, v.Error = l.T("login.title"), next, l.T(key)
		s.renderStatus(w, status, "login", v)
	}
	// Each attempt is counted before the password is checked, and taken
	// back if it succeeds: parallel guesses all count.
	if !s.login.Take("ip:"+ip, 20, now) {
		fail(http.StatusTooManyRequests, store.AuditSignInLocked, "login.too_many")
		return
	}
	if !s.login.Take("account:"+email, 5, now) {
		s.login.Forgive("ip:"+ip, now)
		fail(http.StatusTooManyRequests, store.AuditSignInLocked, "login.too_many")
		return
	}
	password := r.FormValue("password")
	st, err := s.db.Login(r.Context(), email, func(hash string) bool { return auth.VerifyPassword(hash, password) })
	if err != nil {
		fail(http.StatusUnauthorized, store.AuditSignInFailed, "login.wrong")
		return
	}
	s.login.Forgive("account:"+email, now)
	s.login.Forgive("ip:"+ip, now)
	token, err := s.db.CreateSession(r.Context(), st.ID, AbsoluteTimeout, st.TwoFactor)
	if err != nil {
		s.errorPage(w, &view{L: l, Path: r.URL.Path}, err)
		return
	}
	if st.TwoFactor {
		s.setSessionCookie(w, r, token, int(store.SecondFactorWindow.Seconds()))
		http.Redirect(w, r, "/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	if err := s.db.Audit(r.Context(), st.Actor(), store.AuditSignIn, st.Email, ip); err != nil {
		s.log.Error("audit", "err", err)
	}
	s.setSessionCookie(w, r, token, int(AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// clientIP is the address the request came from. Behind a proxy every
// request comes from the proxy, so the address the proxy appended to
// X-Forwarded-For (its last entry; the earlier ones are the client's word)
// is used instead: otherwise one person's failures would lock everyone out.
func (s *Server) clientIP(r *http.Request) string {
	if s.opts.BehindProxy {
		if hops := strings.Split(r.Header.Get("X-Forwarded-For"), ","); len(hops) > 0 {
			if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	return ip
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *view) error {
	if c, err := r.Cookie(s.cookieName(r)); err == nil {
		s.db.EndSession(r.Context(), c.Value)
	}
	s.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.db.SetStaffLocale(r.Context(), v.Staff.ID, i18n.Lang(r.FormValue("lang"))); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.FormValue("back")), http.StatusSeeOther)
	return nil
}

// localPath returns target when it is a path on this site, "/" otherwise:
// an absolute path with no scheme or host, no backslash (browsers read
// "/\evil.com" as "//evil.com"), no "//" start and no control character,
// checked both as given and decoded, so a redirect never leaves the site.
func localPath(target string) string {
	decoded, err := url.PathUnescape(target)
	if err != nil {
		return "/"
	}
	for _, p := range []string{target, decoded} {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") {
			return "/"
		}
		for _, r := range p {
			if r < 0x20 || r == 0x7f {
				return "/"
			}
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return target
}
