package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestLoyaltyCard: a card link opens the customer's card with no sign-in
// — balance, stamp card, rewards, coupons and a QR code — in Bengali and
// Nepali too; the counter finds the customer from the link scanned into its
// search; a new link revokes the old, and a made-up token is a 404.
func TestLoyaltyCard(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	cust, coupon := counterFixture(t, s)
	ctx := context.Background()
	link, channel, err := core.Work{DB: s.db}.CardLink(ctx, retain.System("test"), &core.LiveSettings{DB: s.db}, cust.ExternalID, true)
	if err != nil || channel != "" || !strings.Contains(link, "/card/") {
		t.Fatalf("link %q by %q: %v", link, channel, err)
	}
	path := link[strings.Index(link, "/card/"):]
	visitor := s.client(t)
	for lang, want := range map[string]string{"en": "100 points", "bn": "১০০ পয়েন্ট", "ne": "१०० पोइन्ट"} {
		code, page := visitor.get(path + "?lang=" + lang)
		if code != http.StatusOK || !strings.Contains(page, want) || !strings.Contains(page, `<svg xmlns="http://www.w3.org/2000/svg"`) ||
			!strings.Contains(page, coupon.Code) || !strings.Contains(page, `data-stamps="coffee"`) {
			t.Errorf("%s card: %d, want %q", lang, code, want)
		}
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if code, page := agent.get("/counter?q=" + url.QueryEscape(link)); code != http.StatusOK || !strings.Contains(page, `id="counter-card"`) || !strings.Contains(page, cust.ExternalID) {
		t.Errorf("the counter with the scanned link: %d", code)
	}
	if _, _, err := (core.Work{DB: s.db}).CardLink(ctx, retain.System("test"), &core.LiveSettings{DB: s.db}, cust.ExternalID, false); err != nil {
		t.Fatal(err)
	}
	if code, _ := visitor.get(path); code != http.StatusNotFound {
		t.Errorf("the revoked link: %d", code)
	}
	if code, _ := visitor.get("/card/AAAAAAAAAAAAAAAAAAAAAA"); code != http.StatusNotFound {
		t.Errorf("a made-up token: %d", code)
	}
}
