package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestRatingsPage: everyone who sees the dashboard sees the ratings by
// team; person by person is for managers and admins (an agent asking gets
// the 403 page); the page is in the reader's language.
func TestRatingsPage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	code, body := agent.get("/ratings?period=quarter")
	if code != http.StatusOK || !strings.Contains(body, `id="ratings"`) || strings.Contains(body, `name="by"`) {
		t.Fatalf("an agent's ratings: %d %.500s", code, body[strings.Index(body, "<main"):])
	}
	if code, _ := agent.get("/ratings?by=staff"); code != http.StatusForbidden {
		t.Errorf("an agent asking for each person: %d", code)
	}
	admin := s.client(t)
	admin.login("admin@shop.example", password)
	code, body = admin.get("/ratings?period=quarter&by=staff")
	if code != http.StatusOK || !strings.Contains(body, `class="rating-csat"`) && !strings.Contains(body, "answers") {
		t.Errorf("each person, for an admin: %d", code)
	}
	admin.post("/lang", url.Values{"lang": {"bn"}, "back": {"/ratings"}}, "")
	if _, body := admin.get("/ratings?period=quarter"); !strings.Contains(body, "কে সাহায্য করেছেন") || !strings.Contains(body, "উত্তর") {
		t.Errorf("the Bengali ratings page: %.400s", body[strings.Index(body, "<main"):])
	}
}
