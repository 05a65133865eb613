package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/i18n"
)

// cookieName is __Host-retain when served over TLS; browsers refuse the
// __Host- prefix on plain HTTP, where the cookie is retain_session.
func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return "__Host-retain"
	}
	return "retain_session"
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// signedIn runs h for a signed-in staff member, else sends them to /login.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, *view)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName(r))
		if err != nil {
			s.toLogin(w, r)
			return
		}
		st, err := s.db.Session(r.Context(), c.Value, IdleTimeout)
		if err != nil {
			setSessionCookie(w, r, "", -1)
			s.toLogin(w, r)
			return
		}
		// Bengali and Nepali readers get their own digits unless they chose
		// Latin ones in their settings.
		h(w, r, &view{L: i18n.New(st.Locale, st.Digits != "latin"), Staff: st, Path: r.URL.Path})
	}
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	l := i18n.New(i18n.Lang(r.Header.Get("Accept-Language")), false)
	s.render(w, "login", &view{L: l, Title: l.T("login.title"), Data: r.URL.Query().Get("next")})
}

// loginPost signs in: five failures a minute per account and twenty per
// address are allowed, then the form answers 429 until the minute passes.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	l := i18n.New(i18n.Lang(r.Header.Get("Accept-Language")), false)
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := s.db.Now()
	next := localPath(r.FormValue("next"))
	// Each attempt is counted before the password is checked, and taken
	// back if it succeeds: parallel guesses all count.
	if !s.login.take("ip:"+ip, 20, now) {
		w.WriteHeader(http.StatusTooManyRequests)
		s.render(w, "login", &view{L: l, Title: l.T("login.title"), Data: next, Error: l.T("login.too_many")})
		return
	}
	if !s.login.take("account:"+email, 5, now) {
		s.login.forgive("ip:"+ip, now)
		w.WriteHeader(http.StatusTooManyRequests)
		s.render(w, "login", &view{L: l, Title: l.T("login.title"), Data: next, Error: l.T("login.too_many")})
		return
	}
	password := r.FormValue("password")
	st, err := s.db.Login(r.Context(), email, func(hash string) bool { return auth.VerifyPassword(hash, password) })
	if err == nil {
		s.login.forgive("account:"+email, now)
		s.login.forgive("ip:"+ip, now)
	}
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		s.render(w, "login", &view{L: l, Title: l.T("login.title"), Data: next, Error: l.T("login.wrong")})
		return
	}
	token, err := s.db.CreateSession(r.Context(), st.ID, AbsoluteTimeout)
	if err != nil {
		s.log.Error("login", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setSessionCookie(w, r, token, int(AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *view) {
	if c, err := r.Cookie(cookieName(r)); err == nil {
		s.db.EndSession(r.Context(), c.Value)
	}
	setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request, v *view) {
	lang := i18n.Lang(r.FormValue("lang"))
	if err := s.db.SetStaffLocale(r.Context(), v.Staff.ID, lang); err != nil {
		s.log.Error("language", "err", err)
	}
	back := localPath(r.FormValue("back"))
	http.Redirect(w, r, back, http.StatusSeeOther)
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
