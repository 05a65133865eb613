package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestM8_UnsubscribeLink: GET asks and changes nothing; the one-click POST
// withdraws marketing consent; altered or unknown tokens do nothing.
func TestM8_UnsubscribeLink(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C1", Email: "karim@example.com", Locale: "bn",
		Consents: []retain.Consent{{Channel: "email", Purpose: "marketing", Granted: true}}}})
	if _, err := f.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	err := core.UpdateMessaging(ctx, f.db, retain.System("test"), func(m *messaging.Settings) error {
		m.BusinessName = "ঢাকা টি হাউস"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveSetting(ctx, retain.System("test"), core.LogoKey, "image/png,iVBORw0KGgo="); err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.GetCustomer(ctx, "C1")
	links, err := core.UnsubscribeLinks(ctx, f.db, f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	url := links(c.ID, "email")
	granted := func() bool {
		c, _ := f.db.GetCustomer(ctx, "C1")
		for _, k := range c.Consents {
			if k.Channel == "email" && k.Purpose == "marketing" {
				return k.Granted
			}
		}
		return false
	}
	do := func(method, u string) (int, string) {
		req, _ := http.NewRequest(method, u, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := do("GET", url); code != 200 || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, `lang="bn"`) || !granted() ||
		!strings.Contains(body, "<strong>ঢাকা টি হাউস</strong>") || !strings.Contains(body, `<img src="/logo"`) {
		t.Fatalf("GET: %d, still granted %v\n%s", code, granted(), body)
	}
	// Never framed (a one-click page under someone else's page is clickjacking).
	if resp, err := http.Get(url); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("the unsubscribe page can be framed: CSP %q, X-Frame-Options %q", csp, resp.Header.Get("X-Frame-Options"))
		}
	}
	tampered := url[:len(url)-3] + "abc"
	if code, _ := do("POST", tampered); code != 404 || !granted() {
		t.Errorf("tampered token: %d, granted %v", code, granted())
	}
	if code, _ := do("POST", f.srv.URL+"/unsubscribe/nonsense"); code != 404 {
		t.Errorf("nonsense token: %d", code)
	}
	if code, body := do("POST", url); code != 200 || granted() || !strings.Contains(body, "আনসাবস্ক্রাইব করেছেন") {
		t.Errorf("one-click POST: %d, granted %v\n%s", code, granted(), body)
	}
}
