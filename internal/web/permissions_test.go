package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// uiAccess is who may use each route of the UI, written out by hand: the
// test compares it with what the server does, so a change to a role's
// permissions or a route's permission shows here, and a route missing from
// this table (a new one nobody decided about) fails the test.
var uiAccess = map[string]string{
	"GET /static/":                     "public",
	"GET /logo":                        "public",
	"GET /login":                       "public",
	"POST /login":                      "public",
	"GET /login/code":                  "public",
	"POST /login/code":                 "public",
	"GET /account/{token}":             "public",
	"POST /account/{token}":            "public",
	"GET /setup":                       "public",
	"GET /r/{code}":                    "public",
	"POST /r/{code}":                   "public",
	"POST /setup":                      "public",
	"/":                                "public",
	"GET /widget.js":                   "public",
	"GET /contact":                     "public",
	"POST /contact":                    "public",
	"POST /widget/messages":            "public",
	"GET /widget/messages":             "public",
	"POST /logout":                     "agent manager admin",
	"POST /lang":                       "agent manager admin",
	"GET /{$}":                         "agent manager admin",
	"GET /customers":                   "agent manager admin",
	"GET /customers.csv":               "manager admin",
	"POST /customers/assign":           "manager admin",
	"GET /customers/{id}":              "agent manager admin",
	"POST /customers/{id}/notes":       "agent manager admin",
	"POST /customers/{id}/touches":     "agent manager admin",
	"GET /inbox":                       "agent manager admin",
	"GET /desk":                        "agent manager admin",
	"POST /desk/bulk":                  "agent manager admin",
	"GET /desk/new":                    "agent manager admin",
	"GET /counter":                     "agent manager admin",
	"GET /referrals":                   "agent manager admin",
	"POST /counter/reward":             "agent manager admin",
	"POST /counter/coupon":             "agent manager admin",
	"POST /counter/stamp":              "agent manager admin",
	"POST /desk/new":                   "agent manager admin",
	"GET /desk/report":                 "agent manager admin",
	"GET /desk/settings":               "admin",
	"POST /desk/settings":              "admin",
	"GET /desk/report.csv":             "agent manager admin",
	"GET /desk/tickets/{id}":           "agent manager admin",
	"GET /desk/attachments/{id}":       "agent manager admin",
	"POST /desk/tickets/{id}/reply":    "agent manager admin",
	"POST /desk/tickets/{id}":          "agent manager admin",
	"POST /desk/tickets/{id}/merge":    "agent manager admin",
	"POST /desk/tickets/{id}/split":    "agent manager admin",
	"POST /tasks/{id}/done":            "agent manager admin",
	"POST /tasks/{id}/reassign":        "agent manager admin",
	"POST /alerts/{id}/reassign":       "agent manager admin",
	"POST /alerts/{id}/snooze":         "agent manager admin",
	"POST /alerts/bulk":                "agent manager admin",
	"POST /alerts/{id}/resolve":        "agent manager admin",
	"POST /calendar-link":              "agent manager admin",
	"GET /s/{token}":                   "public",
	"GET /card/{token}":                "public",
	"POST /counter/card":               "agent manager admin",
	"POST /s/{token}":                  "public",
	"GET /surveys":                     "agent manager admin",
	"POST /surveys/recontact":          "admin",
	"POST /surveys/{key}/enabled":      "manager admin",
	"GET /surveys/{key}/edit":          "manager admin",
	"POST /surveys/{key}/edit":         "manager admin",
	"POST /surveys/{key}/duplicate":    "manager admin",
	"GET /playbooks":                   "agent manager admin",
	"POST /playbooks/{key}/enabled":    "manager admin",
	"GET /playbooks/{key}/edit":        "manager admin",
	"POST /playbooks/{key}/edit":       "manager admin",
	"POST /playbooks/{key}/duplicate":  "manager admin",
	"GET /messages":                    "manager admin",
	"GET /settings":                    "agent manager admin",
	"POST /settings/digits":            "agent manager admin",
	"POST /settings/calendar":          "agent manager admin",
	"POST /settings/time-zone":         "agent manager admin",
	"POST /settings/messaging":         "admin",
	"POST /settings/business":          "admin",
	"POST /settings/channel/{channel}": "admin",
	"POST /settings/quiet":             "admin",
	"POST /settings/logo":              "admin",
	"POST /settings/test":              "admin",
	"GET /setup/channel":               "admin",
	"GET /setup/import":                "admin",
	"GET /import":                      "admin",
	"POST /import/preview":             "admin",
	"POST /import/run":                 "admin",
	"GET /import/{id}":                 "admin",
	"GET /import/{id}/rejects.csv":     "admin",
	"POST /settings/password":          "agent manager admin",
	"GET /answers":                     "agent manager admin",
	"GET /ratings":                     "agent manager admin",
	"GET /staff":                       "admin",
	"POST /staff":                      "admin",
	"POST /staff/{id}":                 "admin",
	"POST /staff/{id}/link":            "admin",
	"POST /teams":                      "admin",
	"POST /teams/{id}":                 "admin",
	"POST /teams/{id}/delete":          "admin",
	"POST /settings/keys":              "admin",
	"POST /settings/keys/{id}/revoke":  "admin",
	"POST /settings/2fa":               "agent manager admin",
	"POST /settings/2fa/confirm":       "agent manager admin",
	"POST /settings/2fa/required":      "admin",
	"GET /settings/audit":              "admin",
}

// TestEveryRouteByRole walks every route of the UI as each role (and
// signed out) and checks allow or deny against uiAccess. The ids in paths
// are the agent's own customer, task and alert, so what is denied is
// denied by permission, not by scope.
func TestEveryRouteByRole(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	mgr, err := s.db.AddUser(ctx, retain.System("test"), store.User{Email: "mgr@shop.example", Name: "Mgr", Role: "manager"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	custs, _, err := s.db.Customers(ctx, store.CustomerFilter{OwnerID: s.agentID, Size: 1})
	if err != nil || len(custs) == 0 {
		t.Fatalf("the agent owns no customer: %v", err)
	}
	ids := map[string]string{"id": fmt.Sprint(custs[0].ID), "key": "service-recovery"}
	roles := map[string]int64{"agent": s.agentID, "manager": mgr.ID, "admin": s.adminID}

	routes := s.ui.Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r.Pattern] = true
		want, ok := uiAccess[r.Pattern]
		if !ok {
			t.Errorf("route %q (permission %s) is not in the access table: decide who may use it", r.Pattern, r.Permission)
			continue
		}
		if r.Permission == "" {
			t.Errorf("route %q names no permission", r.Pattern)
		}
		for _, role := range []string{"anonymous", "agent", "manager", "admin"} {
			t.Run(r.Pattern+"/"+role, func(t *testing.T) {
				c := s.client(t)
				if role != "anonymous" {
					token, err := s.db.CreateSession(ctx, roles[role], time.Hour, false)
					if err != nil {
						t.Fatal(err)
					}
					u, _ := url.Parse(s.srv.URL)
					c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "retain_session", Value: token, Path: "/"}})
				}
				method, path := splitPattern(r.Pattern)
				path = fillPath(t, s, path, role, ids)
				var code int
				if method == http.MethodPost {
					code, _ = c.post(path, url.Values{}, "")
				} else {
					code, _ = c.get(path)
				}
				if want == "public" {
					return // answers for itself (a wrong password is its 401)
				}
				allowed := slices.Contains(strings.Fields(want), role)
				switch {
				case allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden):
					t.Errorf("%s %s as %s: %d, want allowed", method, path, role, code)
				case allowed && method == http.MethodGet && code == http.StatusSeeOther && strings.HasPrefix(c.lastLocation, "/login"):
					t.Errorf("%s %s as %s: sent to sign in", method, path, role)
				case !allowed && role == "anonymous" && code != http.StatusUnauthorized && !(code == http.StatusSeeOther && strings.HasPrefix(c.lastLocation, "/login")):
					t.Errorf("%s %s signed out: %d, want the sign-in form", method, path, code)
				case !allowed && role != "anonymous" && code != http.StatusForbidden:
					t.Errorf("%s %s as %s: %d, want 403", method, path, role, code)
				}
			})
		}
	}
	for p := range uiAccess {
		if !seen[p] {
			t.Errorf("the access table names %q, which is not a route", p)
		}
	}
}

func splitPattern(p string) (method, path string) {
	if m, rest, ok := strings.Cut(p, " "); ok {
		return m, rest
	}
	return http.MethodGet, p
}

// fillPath puts real ids into a pattern: the agent's own task and alert
// (made for the role's own user, so scope allows it), a customer the agent
// owns, a live API key.
func fillPath(t *testing.T, s *site, path, role string, ids map[string]string) string {
	t.Helper()
	ctx := context.Background()
	if path == "/" { // the catch-all: any page the UI does not have
		return "/no-such-page"
	}
	path = strings.ReplaceAll(path, "{$}", "")
	switch {
	case strings.HasPrefix(path, "/static/"):
		return "/static/app.css"
	case strings.HasPrefix(path, "/tasks/{id}"):
		var id int64
		s.db.WithTx(ctx, func(tx *store.Tx) error {
			id, _, _ = tx.CreateTask(ctx, retain.Task{IdempotencyKey: "perm:" + path + role, CustomerID: 1, OwnerID: s.agentID,
				Title: "t", DueAt: s.db.Now(), Source: "manual"})
			return nil
		})
		return strings.Replace(path, "{id}", fmt.Sprint(id), 1)
	case strings.HasPrefix(path, "/alerts/{id}"):
		alerts, err := s.db.Alerts(ctx, store.AlertFilter{OwnerID: s.agentID, Status: "open", Limit: 100})
		if err != nil || len(alerts) == 0 {
			t.Fatalf("the agent has no open alert: %v", err)
		}
		return strings.Replace(path, "{id}", fmt.Sprint(alerts[len(alerts)-1].ID), 1)
	case strings.HasPrefix(path, "/settings/keys/{id}"):
		k, _, err := s.db.CreateAPIKey(ctx, retain.System("test"), "perm", []retain.Scope{retain.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Replace(path, "{id}", fmt.Sprint(k.ID), 1)
	}
	for k, v := range ids {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	return path
}
