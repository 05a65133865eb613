package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestRedirectsStayOnSite: after sign-in (next=) and a language change
// (back=), Retain redirects only to a path on its own site, however the
// target is disguised.
func TestRedirectsStayOnSite(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	hostile := []string{"//evil.example", "/\\evil.example", "/%5Cevil.example", "/%2F/evil.example", "https://evil.example/",
		"/\t/evil.example", "/%09/evil.example", "javascript:alert(1)", "/ok\r\nLocation: //evil.example", "\\\\evil.example", ""}
	for _, target := range hostile {
		for _, form := range []struct {
			path string
			vals url.Values
		}{
			{"/login", url.Values{"email": {"admin@shop.example"}, "password": {password}, "next": {target}}},
			{"/lang", url.Values{"lang": {"bn"}, "back": {target}}},
		} {
			c := s.client(t)
			if form.path == "/lang" && c.login("admin@shop.example", password) != http.StatusSeeOther {
				t.Fatal("sign in")
			}
			resp, _, err := c.postFor(form.path, form.vals, "")
			if err != nil {
				t.Fatal(err)
			}
			if loc := resp.Header.Get("Location"); loc != "/" {
				t.Errorf("%s with %q redirects to %q, want /", form.path, target, loc)
			}
		}
	}
	// A real path on the site is kept.
	c := s.client(t)
	resp, _, err := c.postFor("/login", url.Values{"email": {"admin@shop.example"}, "password": {password}, "next": {"/customers?segment=loyal"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); loc != "/customers?segment=loyal" {
		t.Errorf("a local next went to %q", loc)
	}
}

// TestListSurvivesHostileQueries: a NUL in the search text and a page past
// any list answered 500 on PostgreSQL; they are an ordinary, empty answer.
func TestListSurvivesHostileQueries(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			c := s.client(t)
			if c.login("admin@shop.example", password) != http.StatusSeeOther {
				t.Fatal("sign in")
			}
			for _, q := range []string{"q=%00", "q=a%00b", "q=%FF%FE", "page=9223372036854775807", "page=-5", "q=%00&export=csv"} {
				if code, _ := c.get("/customers?" + q); code != http.StatusOK {
					t.Errorf("/customers?%s: %d", q, code)
				}
			}
		})
	}
}

// TestParallelGuessesAreThrottled: 40 wrong passwords for one account sent
// at once: at most 5 are checked (401), the rest are refused (429).
func TestParallelGuessesAreThrottled(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			c := s.client(t)
			resp, _, err := c.postFor("/login", url.Values{"email": {"admin@shop.example"}, "password": {"guess"}}, "")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] > 5 || codes[http.StatusTooManyRequests] < 35 {
		t.Errorf("answers %v: want at most 5 passwords checked", codes)
	}
}

// TestDisabledUsersSessionsEndForGood: disabling a user ends their
// sessions; enabling them again does not bring the old ones back.
func TestDisabledUsersSessionsEndForGood(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			c := s.client(t)
			if c.login("agent@shop.example", password) != http.StatusSeeOther {
				t.Fatal("sign in")
			}
			if code, _ := c.get("/inbox"); code != http.StatusOK {
				t.Fatalf("signed in: %d", code)
			}
			ctx := context.Background()
			if err := s.db.SetUserActive(ctx, retain.System("test"), "agent@shop.example", false); err != nil {
				t.Fatal(err)
			}
			if err := s.db.SetUserActive(ctx, retain.System("test"), "agent@shop.example", true); err != nil {
				t.Fatal(err)
			}
			if code, _ := c.get("/inbox"); code != http.StatusSeeOther {
				t.Errorf("the old session works again after re-enabling: %d", code)
			}
		})
	}
}

// TestUnknownIDsAre404: actions on a customer or playbook that does not
// exist answer 404 in the viewer's language, not 500.
func TestUnknownIDsAre404(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	if c.login("admin@shop.example", password) != http.StatusSeeOther {
		t.Fatal("sign in")
	}
	for _, p := range []string{"/customers/99999/touches", "/playbooks/nope/enabled", "/settings/keys/99999/revoke"} {
		code, body := c.post(p, url.Values{"kind": {"call"}, "summary": {"rang"}, "enabled": {"1"}}, "")
		if code != http.StatusNotFound || strings.Contains(body, "error.") {
			t.Errorf("POST %s: %d %q", p, code, body)
		}
	}
}
