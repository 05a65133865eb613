package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain/internal/store"
)

type auditData struct {
	Entries  []auditRow
	Action   string
	Actions  []string
	OlderURL string
}

// auditActions are the filters the page offers (prefixes match a family).
var auditActions = []string{"signin", "signin.failed", "signin.throttled", "export", "settings.save", "apikey.", "user.", "2fa.",
	"playbook.enabled", "alert.", "task.", "staff.", "team.", "import"}

// auditPage shows the audit log to admins, newest first, 100 a page.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	f := store.AuditFilter{Action: q.Get("action"), Before: before, Limit: 100}
	entries, err := s.db.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	d := auditData{Action: f.Action, Actions: auditActions}
	for _, e := range entries {
		d.Entries = append(d.Entries, auditRowOf(v, e))
	}
	if len(entries) == f.Limit {
		d.OlderURL = "/settings/audit?action=" + url.QueryEscape(f.Action) + "&before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	v.Title, v.Data = v.L.T("audit.title"), d
	s.render(w, "audit", v)
	return nil
}

// auditRow is an entry as the page shows it: who and what in the viewer's
// words, the rest as recorded (addresses, ids, filters).
type auditRow struct {
	At                            time.Time
	Actor, Action, Target, Detail string
}

func auditRowOf(v *view, e store.AuditEntry) auditRow {
	l := v.L
	row := auditRow{At: e.At, Action: l.T("audit.action." + e.Action), Target: e.Target, Detail: e.Detail}
	kind, who, _ := strings.Cut(e.Actor, ":")
	switch kind {
	case "staff":
		row.Actor = who
	case "api_key":
		row.Actor = l.T("audit.actor.api_key", "ID", l.Digits(who))
	default:
		row.Actor = l.T("audit.actor.system." + who)
	}
	switch e.Action {
	case store.AuditPlaybookState:
		row.Detail = l.T(map[string]string{"true": "audit.on", "false": "audit.off"}[e.Detail])
	case "user.add":
		row.Detail = l.T("role." + e.Detail)
	}
	return row
}
