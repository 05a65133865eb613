// Package web is Retain's server-rendered UI: html/template pages, htmx for
// partial updates, charts drawn as SVG on the server, every asset embedded.
// Nothing is fetched from outside: `retain serve` shows the whole UI on a
// fresh machine with no build step.
package web

import (
	"crypto/sha256"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/retainhq/retain"

	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Session lifetimes (RELIABILITY.md S2).
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// Server serves the UI.
type Server struct {
	db    *store.DB
	log   *slog.Logger
	pages map[string]*template.Template
	login *limiter
}

// New mounts the UI on mux.
func New(mux *http.ServeMux, db *store.DB, log *slog.Logger) *Server {
	s := &Server{db: db, log: log, pages: map[string]*template.Template{}, login: newLimiter()}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		s.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	protect := http.NewCrossOriginProtection()
	page := func(h func(http.ResponseWriter, *http.Request, *view)) http.Handler {
		return protect.Handler(secure(s.signedIn(h)))
	}
	mux.Handle("GET /login", secure(http.HandlerFunc(s.loginPage)))
	mux.Handle("POST /login", protect.Handler(secure(http.HandlerFunc(s.loginPost))))
	mux.Handle("POST /logout", page(s.logout))
	mux.Handle("POST /lang", page(s.setLang))
	mux.Handle("GET /{$}", page(s.dashboard))
	mux.Handle("GET /customers", page(s.customers))
	mux.Handle("GET /customers.csv", page(s.customersCSV))
	mux.Handle("POST /customers/assign", page(s.bulkAssign))
	mux.Handle("GET /customers/{id}", page(s.customer))
	mux.Handle("POST /customers/{id}/notes", page(s.addNote))
	mux.Handle("POST /customers/{id}/touches", page(s.logTouch))
	mux.Handle("GET /inbox", page(s.inbox))
	mux.Handle("GET /playbooks", page(s.playbooks))
	mux.Handle("POST /playbooks/{key}/enabled", page(s.playbookToggle))
	mux.Handle("GET /messages", page(s.messages))
	mux.Handle("GET /settings", page(s.settings))
	mux.Handle("POST /settings/digits", page(s.saveDigits))
	mux.Handle("POST /settings/messaging", page(s.saveMessaging))
	mux.Handle("POST /settings/test", page(s.sendTest))
	mux.Handle("POST /settings/keys", page(s.createKey))
	mux.Handle("POST /settings/keys/{id}/revoke", page(s.revokeKey))
	mux.Handle("POST /tasks/{id}/done", page(s.taskDone))
	mux.Handle("POST /tasks/{id}/reassign", page(s.reassign("tasks")))
	mux.Handle("POST /alerts/{id}/reassign", page(s.reassign("alerts")))
	mux.Handle("POST /calendar-link", page(s.calendarLink))
	mux.Handle("POST /alerts/{id}/snooze", page(s.alertSnooze))
	mux.Handle("POST /alerts/{id}/resolve", page(s.alertResolve))
	return s
}

// view is what every page template gets.
type view struct {
	L     *i18n.Localizer
	Staff store.Staff
	Path  string
	Title string
	Data  any
	Error string
}

var funcs = template.FuncMap{
	"languages": func() []string { return i18n.Languages },
	"langName":  func(l string) string { return i18n.Names[l] },
	"add":       func(a, b int) int { return a + b },
	"int64":     func(n int) int64 { return int64(n) },
	"list":      func(xs ...string) []string { return xs },
	"list2":     func(xs ...any) []any { return xs },
}

// render writes a page; a template error is logged and answered with 500.
func (s *Server) render(w http.ResponseWriter, name string, v *view) {
	t := s.pages[name]
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// secure sets the headers every page carries: a CSP with no inline
// script, no framing, no caching of personal data.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// limiter counts login attempts per key (an account, an address) over a
// sliding minute. Keys are kept as SHA-256 sums and the table holds at most
// limiterKeys of them, so a flood of unique, huge e-mail addresses cannot
// grow the server's memory; take reserves an attempt atomically, so
// parallel guesses cannot all pass the check before any failure counts.
type limiter struct {
	mu    sync.Mutex
	fails map[[sha256.Size]byte][]time.Time
}

// limiterKeys bounds the table; under a flood past it, keys with no attempt
// in the last minute go first, then arbitrary ones.
const limiterKeys = 10_000

func newLimiter() *limiter { return &limiter{fails: map[[sha256.Size]byte][]time.Time{}} }

// take reports whether key has had fewer than max attempts in the last
// minute and, if so, counts this one; forgive takes it back when it turns
// out to be a success.
func (l *limiter) take(key string, max int, now time.Time) bool {
	k := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(k, now)
	if len(recent) >= max {
		return false
	}
	if _, known := l.fails[k]; !known && len(l.fails) >= limiterKeys {
		l.evict(now)
	}
	l.fails[k] = append(recent, now)
	return true
}

func (l *limiter) forgive(key string, at time.Time) {
	k := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.fails[k]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			l.fails[k] = append(ts[:i], ts[i+1:]...)
			break
		}
	}
	if len(l.fails[k]) == 0 {
		delete(l.fails, k)
	}
}

func (l *limiter) recent(k [sha256.Size]byte, now time.Time) []time.Time {
	ts := l.fails[k]
	out := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < time.Minute {
			out = append(out, t)
		}
	}
	return out
}

// evict makes room: first every key with nothing in the last minute, then,
// if the table is still full, a tenth of it.
func (l *limiter) evict(now time.Time) {
	for k := range l.fails {
		if len(l.recent(k, now)) == 0 {
			delete(l.fails, k)
		}
	}
	for k := range l.fails {
		if len(l.fails) < limiterKeys*9/10 {
			return
		}
		delete(l.fails, k)
	}
}

// failFor answers a page's error with the status its code maps to
// (retain.HTTPStatus, as the API does) and a message in the viewer's
// language; a 5xx is logged and says no more than "something went wrong".
func (s *Server) failFor(w http.ResponseWriter, v *view, err error) {
	code := retain.ErrorCode(err)
	status := retain.HTTPStatus(code)
	switch {
	case status >= 500:
		s.log.Error("web", "err", err)
		code = retain.EINTERNAL
	case code != retain.ENOTFOUND && code != retain.ECONFLICT && code != retain.EFORBIDDEN:
		code = retain.EINVALID // the catalogs say these four
	}
	http.Error(w, v.L.T("error."+code), status)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log.Error("web", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
