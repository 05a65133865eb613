package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/retainhq/retain/internal/store"
)

type auditData struct {
	Entries  []store.AuditEntry
	Action   string
	Actions  []string
	OlderURL string
}

// auditActions are the filters the page offers (prefixes match a family).
var auditActions = []string{"signin", "signin.failed", "signin.throttled", "export", "settings.save", "apikey.", "user.", "2fa.",
	"playbook.enabled", "alert.", "task."}

// auditPage shows the audit log to admins, newest first, 100 a page.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	f := store.AuditFilter{Action: q.Get("action"), Before: before, Limit: 100}
	entries, err := s.db.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	d := auditData{Entries: entries, Action: f.Action, Actions: auditActions}
	if len(entries) == f.Limit {
		d.OlderURL = "/settings/audit?action=" + url.QueryEscape(f.Action) + "&before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	v.Title, v.Data = v.L.T("audit.title"), d
	s.render(w, "audit", v)
	return nil
}
