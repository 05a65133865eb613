// Package web is Retain's server-rendered UI: html/template pages, htmx for
// partial updates, charts drawn as SVG on the server, every asset embedded.
// Nothing is fetched from outside: `retain serve` shows the whole UI on a
// fresh machine with no build step.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
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

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Session lifetimes (docs/reliability.md S2).
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// Server serves the UI.
type Server struct {
	db    *store.DB
	log   *slog.Logger
	opts  Options
	pages map[string]*template.Template
	login *auth.Limiter
	// surveyGuess counts unknown survey tokens per address.
	surveyGuess *auth.Limiter
	// widgetSends counts chat widget messages per address.
	widgetSends *auth.Limiter
	// couponGuesses counts each staff member's codes at the counter that
	// are no coupon's.
	couponGuesses *auth.Limiter
	protect       *http.CrossOriginProtection
	table         []Route
	// live is the messaging settings in force (the business's time zone
	// and currency), read again only when a change is saved.
	live *core.LiveSettings
	// viewing is who has which ticket open (the desk's collision notice).
	viewing viewing
}

// Options are how the UI is reached.
type Options struct {
	// BehindProxy: Retain runs behind a reverse proxy that terminates TLS
	// and sets X-Forwarded-Proto and X-Forwarded-For; only then are those
	// headers believed (docs/deploy.md).
	BehindProxy bool
	// SetupToken opens the first-run wizard (/setup) to whoever holds it
	// while nobody can sign in; serve prints it. "" keeps the wizard shut.
	SetupToken string
	// ImportDir holds files uploaded for import until the imports job has
	// run them, and their rejects files to download (serve: the data
	// folder's imports/). "" is the system's temporary folder.
	ImportDir string
}

// New mounts the UI on mux.
func New(mux *http.ServeMux, db *store.DB, log *slog.Logger, opts Options) *Server {
	s := &Server{db: db, log: log, opts: opts, pages: map[string]*template.Template{}, login: auth.NewLimiter(), surveyGuess: auth.NewLimiter(), widgetSends: auth.NewLimiter(), couponGuesses: auth.NewLimiter(), protect: http.NewCrossOriginProtection(),
		live: &core.LiveSettings{DB: db}}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "forms" {
			continue
		}
		// forms.html holds the form pieces several pages share.
		s.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/forms.html", n))
	}
	s.routes(mux)
	return s
}

// view is what every page template gets.
type view struct {
	L     *i18n.Localizer
	Staff store.Staff
	Actor retain.Actor // the signed-in staff member; zero when signed out
	Path  string
	Title string
	Data  any
	Error string
	// Logo: the business has set a logo, shown in the header and on the
	// sign-in pages.
	Logo bool
	// Refresh, when set, reloads the page every so many seconds (a page
	// that follows background work, such as an import, without JavaScript).
	Refresh int
	// Brand names the site in the title: the business's name on the pages
	// its customers see, "Retain" when empty.
	Brand string
}

// Word is a stored code (an order status, a ticket's cause) in the
// viewer's words: the catalog's entry prefix+code, or the code itself for
// one the catalog does not know (data from another system).
func (v *view) Word(prefix, code string) string {
	if code == "" {
		return ""
	}
	if s := v.L.T(prefix + code); !strings.HasPrefix(s, i18n.Missing) {
		return s
	}
	return code
}

// timelineType is the catalog prefix that names a timeline item's type.
var timelineType = map[string]string{"order": "order.", "order_event": "order.", "interaction": "touch.", "ticket": "ticket.",
	"survey": "survey.", "message": "channel."}

// TimelineType is a timeline item's type in the viewer's words.
func (v *view) TimelineType(kind, typ string) string { return v.Word(timelineType[kind], typ) }

// Can reports whether the viewer holds a permission (templates show only
// what a person may use: {{if .Can "messages:read"}}).
func (v *view) Can(p string) bool { return v.Actor.Kind != "" && v.Actor.Can(retain.Permission(p)) }

var funcs = template.FuncMap{
	"languages": func() []string { return i18n.Languages },
	"langName":  func(l string) string { return i18n.Names[l] },
	"add":       func(a, b int) int { return a + b },
	"localized": retain.Localized,
	"localizer": func(lang string) *i18n.Localizer { return i18n.New(lang, true) },
	"int64":     func(n int) int64 { return int64(n) },
	"list":      func(xs ...string) []string { return xs },
	"list2":     func(xs ...any) []any { return xs },
	// fieldError is a form's complaint about one field ("" for none, and
	// for a form with no complaints at all).
	"fieldError": func(f fieldErrors, field string) string { return f[field] },
	// memberChange is a staff member's values for their edit form;
	// blankMember the add form's for someone new.
	"memberChange": func(m store.Member) store.MemberChange {
		return store.MemberChange{Name: m.Name, Email: m.Email, Phone: m.Phone, Role: m.Role, Team: m.Team, Active: m.Active}
	},
	// maskedURL is a stored gateway URL with its query's values hidden
	// (an API key often sits there).
	"maskedURL": func(u string) string {
		return messaging.Settings{SMS: &messaging.GatewayConfig{URL: u}}.Masked().SMS.URL
	},
	// secretHint is the placeholder of a write-only field: whether a
	// secret is stored, and that a blank field keeps it.
	"secretHint": func(l *i18n.Localizer, set bool) string {
		if set {
			return l.T("settings.secret_kept")
		}
		return ""
	},
	// zone is an IANA zone by name, for its name in the reader's words.
	"zone": func(name string) *time.Location {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
		return time.UTC
	},
	"join":      strings.Join,
	"hasPrefix": strings.HasPrefix,
	"div":       func(a, b int) float64 { return float64(a) / float64(b) },
	// stampDots draws a stamp card: ● for each stamp, ○ for each to go.
	"stampDots": func(have, needed int) string {
		return strings.Repeat("●", min(have, needed)) + strings.Repeat("○", max(needed-have, 0))
	},
	// amountIn is an amount in minor units as a form shows it for editing
	// (200.00), empty for none.
	"amountIn": func(minor int64, currency string) string {
		if minor == 0 {
			return ""
		}
		return retain.FormatAmount(minor, currency)
	},
	"has":    func(xs []string, x string) bool { return slices.Contains(xs, x) },
	"stages": func() []string { return retain.Stages },
	// channelAt is the i-th channel of a playbook's order, "" past its end.
	"channelAt": func(cs []retain.Channel, i int) string {
		if i < len(cs) {
			return string(cs[i])
		}
		return ""
	},
	// condValue is a condition's value as typed: 40, not 4e+01.
	"condValue": func(v any) string {
		if n, ok := v.(float64); ok {
			return strconv.FormatFloat(n, 'f', -1, 64)
		}
		return fmt.Sprint(v)
	},
	"blankMember": func() store.MemberChange { return store.MemberChange{Role: retain.RoleAgent, Active: true} },
	// dataURL lets the QR code Retain drew itself through html/template's
	// URL filter, and nothing else.
	"dataURL": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s)
		}
		return ""
	},
}

// render writes a page; a template error is logged and answered with 500.
func (s *Server) render(w http.ResponseWriter, name string, v *view) { s.renderStatus(w, 0, name, v) }

// renderPart writes one named part of a page without the layout: what an
// htmx poll swaps in.
func (s *Server) renderPart(w http.ResponseWriter, page, part string, v *view) error {
	var b strings.Builder
	if err := s.pages[page].ExecuteTemplate(&b, part, v); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, part, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(b.String()))
	return err
}

// renderStatus writes a page with a status (0: 200).
func (s *Server) renderStatus(w http.ResponseWriter, status int, name string, v *view) {
	t := s.pages[name]
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != 0 {
		w.WriteHeader(status)
	}
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
