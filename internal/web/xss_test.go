package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// payloads are hostile values in the style of the OWASP and PortSwigger
// cheat sheets: script tags, attribute breakers, event handlers,
// javascript: URLs, SVG, template syntax and an RTL override.
var payloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`javascript:alert(1)`,
	`<a href="javascript:alert(1)">x</a>`,
	`{{.}}<iframe src=javascript:alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	"\u202Egnp.exe<b onmouseover=alert(1)>",
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`" autofocus onfocus=alert(1) x="`,
}

// TestS4_PagesEscapeHostileValues puts every payload into the fields a
// customer controls — name, survey comment, ticket subject, product name —
// and checks every page's DOM: no script but Retain's own, no event
// handler attribute, no javascript: URL.
func TestS4_PagesEscapeHostileValues(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	now := s.db.Now()
	var b store.Batch
	for i, p := range payloads {
		ref := fmt.Sprintf("X%d", i)
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: ref, Name: p}})
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "XO" + ref, CustomerRef: ref, Currency: "BDT", PlacedAt: now.Add(-time.Hour),
			Lines: []retain.OrderLine{{ExternalID: "XL" + ref, SKU: "xss-" + ref, Name: p, Category: p, Quantity: 1, UnitPrice: 1000}}}})
		b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "XS" + ref, CustomerRef: ref,
			Kind: "nps", Score: 1, Comment: p, RespondedAt: now}})
		b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: retain.Ticket{ExternalID: "XT" + ref, CustomerRef: ref, Channel: "email",
			Subject: p, Status: "open", Priority: "high", OpenedAt: now}})
		// Staff names: the survey page's "who helped you?" lists them.
		b.Staff = append(b.Staff, store.Row[retain.Staff]{V: retain.Staff{ExternalID: "XST" + ref, Name: p, Role: retain.RoleRepresentative}})
	}
	if _, err := s.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	core.Detect(ctx, s.db, core.DetectOptions{})
	(&core.Runner{DB: s.db, Channels: map[string]bool{}}).RunDue(ctx)
	c := s.client(t)
	c.login("admin@shop.example", password)
	pages := []string{"/", "/inbox", "/customers?q=X", "/customers?unhappy=1", "/answers", "/answers?comments=1", "/ratings", "/surveys",
		"/surveys/visit/edit"}
	// The public survey page: the staff directory question, and a comment
	// typed earlier shown back in its box.
	token := invite(t, s, "X1", "visit", "xss-visit")
	c0 := s.client(t)
	c0.post("/s/"+token, url.Values{"q": {"0"}, "a": {"2"}}, "")
	inv, err := s.db.InvitationByToken(ctx, core.SurveyTokenHash(token))
	if err != nil {
		t.Fatal(err)
	}
	sv, err := core.SurveyVersion(ctx, s.db, inv.SurveyKey, inv.SurveyVersion)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.AnswerSurvey(ctx, s.db, inv, sv, core.Answer{"comment": payloads[6]}, false); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "/s/"+token+"?q=1", "/s/"+token+"?q=3", "/s/"+token+"?q=3&lang=bn")
	for i := range payloads {
		cust, err := s.db.GetCustomer(ctx, fmt.Sprintf("X%d", i))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, fmt.Sprintf("/customers/%d", cust.ID))
	}
	found := 0
	for _, p := range pages {
		code, body := c.get(p)
		if code != 200 {
			t.Fatalf("%s: %d", p, code)
		}
		if strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			found++ // the payload is there, as text
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) {
			if n.Type != html.ElementNode {
				return
			}
			if n.Data == "script" {
				if src := attr(n, "src"); !strings.HasPrefix(src, "/static/") || n.FirstChild != nil {
					t.Errorf("%s: a script that is not Retain's: src=%q", p, src)
				}
			}
			if n.Data == "iframe" || n.Data == "img" && attr(n, "onerror") != "" {
				t.Errorf("%s: an injected <%s>", p, n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("%s: event handler %s=%q on <%s>", p, a.Key, a.Val, n.Data)
				}
				if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Errorf("%s: %s=%q", p, a.Key, a.Val)
				}
			}
		})
	}
	if found == 0 {
		t.Error("no page showed the payloads at all: the test would prove nothing")
	}
	// The survey pages showed theirs: the staff names and the comment.
	if _, body := c0.get("/s/" + token + "?q=1"); !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the survey page's staff list did not show the hostile name as text")
	}
	if _, body := c0.get("/s/" + token + "?q=3"); !strings.Contains(body, "&lt;/textarea&gt;&lt;script&gt;") {
		t.Error("the survey page did not show the hostile comment as text")
	}
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
