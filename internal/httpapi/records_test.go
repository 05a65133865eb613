package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestReadAPI walks every list of the read API page by page with its
// cursor and checks that each row comes exactly once and the pages add up
// to what the database holds; a bad cursor is a 4xx naming the field. On
// SQLite and PostgreSQL.
func TestReadAPI(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			f.db.Now = func() time.Time { return now }
			st, err := demo.Generate(ctx, f.db, demo.Options{Customers: 120, Seed: 3, AsOf: now})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, f.db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			get := func(path string) (int, map[string]json.RawMessage) {
				req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+f.key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]json.RawMessage
				json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			walk := func(path, key string) int {
				seen := map[string]bool{}
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > 1000 {
						t.Fatalf("%s: no end to the pages", path)
					}
					q := url.Values{"limit": {"7"}}
					if cursor != "" {
						q.Set("cursor", cursor)
					}
					code, out := get(path + "?" + q.Encode())
					if code != 200 {
						t.Fatalf("%s: %d %s", path, code, out["detail"])
					}
					var rows []map[string]any
					json.Unmarshal(out[key], &rows)
					for _, r := range rows {
						id, _ := json.Marshal(r["id"])
						if seen[string(id)] {
							t.Fatalf("%s: %s came twice", path, id)
						}
						seen[string(id)] = true
					}
					json.Unmarshal(out["next_cursor"], &cursor)
					if cursor == "" {
						return len(seen)
					}
					if len(rows) != 7 {
						t.Fatalf("%s: a short page (%d) with a next cursor", path, len(rows))
					}
				}
			}
			if n := walk("/api/v1/customers", "customers"); n != st.Customers {
				t.Errorf("customers: %d through the pages, %d stored", n, st.Customers)
			}
			if n := walk("/api/v1/orders", "orders"); n != st.Orders {
				t.Errorf("orders: %d through the pages, %d stored", n, st.Orders)
			}
			if n := walk("/api/v1/tickets", "tickets"); n != st.Tickets {
				t.Errorf("tickets: %d through the pages, %d stored", n, st.Tickets)
			}
			if n := walk("/api/v1/survey-responses", "survey_responses"); n != st.Surveys {
				t.Errorf("survey answers: %d through the pages, %d stored", n, st.Surveys)
			}
			// A commented answer says its comment's cause (none was ever stored).
			_, answers := get("/api/v1/survey-responses?limit=200")
			var rs []map[string]any
			json.Unmarshal(answers["survey_responses"], &rs)
			caused := 0
			for _, r := range rs {
				if r["comment"] != nil && r["cause"] != nil {
					caused++
				}
			}
			if caused == 0 {
				t.Errorf("no commented answer of %d has a cause", len(rs))
			}
			_, first := get("/api/v1/alerts?limit=1000")
			var all []any
			json.Unmarshal(first["alerts"], &all)
			if n := walk("/api/v1/alerts?order=id&", "alerts"); n != len(all) || n == 0 {
				t.Errorf("alerts: %d through the pages, %d in one", n, len(all))
			}
			for _, bad := range []string{"/api/v1/customers?cursor=xyz", "/api/v1/orders?updated_since=yesterday", "/api/v1/customers?stage=unhappy"} {
				if code, out := get(bad); code < 400 || code >= 500 {
					t.Errorf("%s: %d %s", bad, code, out["errors"])
				}
			}
		})
	}
}

// TestAPIReference: the reference page lists every API-key route with the
// permission it needs, from the OpenAPI document itself, and loads no
// script.
func TestAPIReference(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	resp, err := http.Get(f.srv.URL + "/api/docs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != 200 || strings.Contains(page, "<script") {
		t.Fatalf("reference: %d", resp.StatusCode)
	}
	for _, r := range f.api.Routes() {
		if r.Permission == "public" {
			continue
		}
		if !strings.Contains(page, "<code>"+r.Method+" "+r.Path+"</code>") {
			t.Errorf("the reference lacks %s %s", r.Method, r.Path)
		}
	}
	if !strings.Contains(page, "<code>customers:read</code>") || !strings.Contains(page, "<code>cursor</code>") {
		t.Error("the reference does not show permissions and parameters")
	}
}
