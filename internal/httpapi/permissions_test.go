package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store/storetest"
)

// apiAccess is which API key scopes may call each route, written out by
// hand ("public" routes have a guard of their own). A route missing here
// fails the test: someone must decide who may call it.
var apiAccess = map[string]string{
	"GET /healthz":                                   "public",
	"GET /metrics":                                   "public",
	"POST /hooks/delivery":                           "public",
	"POST /hooks/reply":                              "public",
	"POST /hooks/email":                              "public",
	"POST /hooks/courier/{key}":                      "public",
	"GET /hooks/whatsapp":                            "public",
	"POST /hooks/whatsapp":                           "public",
	"GET /hooks/messenger":                           "public",
	"POST /hooks/messenger":                          "public",
	"GET /unsubscribe/{token}":                       "public",
	"POST /unsubscribe/{token}":                      "public",
	"GET /calendar/{file}":                           "public",
	"GET /api/docs":                                  "public",
	"POST /api/v1/events":                            "events:write admin",
	"GET /api/v1/customers/{id}/scores":              "read write admin",
	"GET /api/v1/customers":                          "read write admin",
	"GET /api/v1/orders":                             "read write admin",
	"GET /api/v1/tickets":                            "read write admin",
	"GET /api/v1/survey-responses":                   "read write admin",
	"GET /api/v1/alerts":                             "read write admin",
	"POST /api/v1/alerts/{id}/snooze":                "write admin",
	"POST /api/v1/alerts/{id}/resolve":               "write admin",
	"GET /api/v1/tasks":                              "read write admin",
	"POST /api/v1/tasks/{id}/done":                   "write admin",
	"GET /api/v1/playbooks":                          "read write admin",
	"GET /api/v1/playbooks/{key}":                    "read write admin",
	"PUT /api/v1/playbooks/{key}":                    "admin",
	"POST /api/v1/playbooks/{key}/enabled":           "admin",
	"POST /api/v1/playbooks/{key}/simulate":          "read write admin",
	"GET /api/v1/surveys":                            "read write admin",
	"GET /api/v1/surveys/{key}":                      "read write admin",
	"PUT /api/v1/surveys/{key}":                      "admin",
	"POST /api/v1/surveys/{key}/invitations":         "write admin",
	"GET /api/v1/desk/tickets":                       "read write admin",
	"GET /api/v1/tickets/{id}":                       "read write admin",
	"POST /api/v1/tickets/{id}/replies":              "write admin",
	"PATCH /api/v1/tickets/{id}":                     "write admin",
	"GET /api/v1/customers/{id}/points":              "read write admin",
	"POST /api/v1/customers/{id}/points/redemptions": "write admin",
	"POST /api/v1/customers/{id}/points/adjustments": "admin",
	"POST /api/v1/customers/{id}/rewards":            "write admin",
	"GET /api/v1/coupons":                            "read write admin",
	"POST /api/v1/customers/{id}/stamps":             "write admin",
	"POST /api/v1/customers/{id}/card-link":          "write admin",
	"GET /api/v1/customers/{id}/referral":            "write admin",
	"GET /api/v1/customers/{id}/deliveries":          "read write admin",
	"POST /api/v1/referrals":                         "write admin",
	"GET /api/v1/referrals":                          "read write admin",
	"POST /api/v1/loyalty/balances":                  "admin",
	"GET /api/v1/loyalty/report":                     "read write admin",
	"POST /api/v1/coupons":                           "admin",
	"POST /api/v1/coupons/batches":                   "admin",
	"POST /api/v1/coupons/{code}/void":               "admin",
	"POST /api/v1/coupons/check":                     "write admin",
	"POST /api/v1/coupons/holds":                     "write admin",
	"POST /api/v1/coupons/holds/{key}/confirm":       "write admin",
	"POST /api/v1/coupons/holds/{key}/release":       "write admin",
	"POST /api/v1/tickets/{id}/merge":                "write admin",
	"POST /api/v1/tickets/{id}/split":                "write admin",
	"POST /api/v1/inbound":                           "events:write admin",
}

// TestEveryRouteByScope calls every API route with no key and with a key of
// each scope, and checks allow (anything but 401/403) or deny (401 without
// a key, 403 with one) against apiAccess. It also checks that every
// operation in the OpenAPI document was registered with a permission.
func TestEveryRouteByScope(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil {
		t.Fatal(err)
	}
	keys := map[retain.Scope]string{}
	for _, sc := range retain.Scopes {
		_, secret, err := f.db.CreateAPIKey(ctx, retain.System("test"), string(sc), []retain.Scope{sc})
		if err != nil {
			t.Fatal(err)
		}
		keys[sc] = secret
	}
	seen := map[string]bool{}
	for _, r := range f.api.Routes() {
		pattern := r.Method + " " + r.Path
		seen[pattern] = true
		want, ok := apiAccess[pattern]
		if !ok {
			t.Errorf("route %q (permission %s) is not in the access table", pattern, r.Permission)
			continue
		}
		if want == "public" {
			if r.Permission != retain.PermPublic || r.Guard == "" {
				t.Errorf("%s: public routes say what guards them", pattern)
			}
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{key}", "service-recovery").Replace(r.Path)
		call := func(key string) int {
			req, _ := http.NewRequest(r.Method, f.srv.URL+path, strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := call(""); code != http.StatusUnauthorized {
			t.Errorf("%s without a key: %d, want 401", pattern, code)
		}
		for _, sc := range retain.Scopes {
			code := call(keys[sc])
			allowed := slices.Contains(strings.Fields(want), string(sc))
			if allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden) {
				t.Errorf("%s with scope %s: %d, want allowed", pattern, sc, code)
			}
			if !allowed && code != http.StatusForbidden {
				t.Errorf("%s with scope %s: %d, want 403", pattern, sc, code)
			}
		}
	}
	// Unknown ids are 404, not 500 and not 403.
	for _, path := range []string{"/api/v1/tasks/999999/done", "/api/v1/alerts/999999/resolve"} {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(`{"outcome":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+keys[retain.ScopeWrite])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, resp.StatusCode)
		}
	}
	for p := range apiAccess {
		if !seen[p] {
			t.Errorf("the access table names %q, which is not a route", p)
		}
	}
	// Every operation the OpenAPI document lists went through register.
	resp, err := http.Get(f.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if p := strings.ToUpper(method) + " " + path; !seen[p] {
				t.Errorf("the OpenAPI document lists %s, registered without a permission", p)
			}
		}
	}
}
