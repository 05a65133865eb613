package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserChatWidget: a shop's plain HTML page on another origin loads
// the widget from Retain, in Bengali on a 390 px phone; the visitor's
// message appears in the desk's inbox as a chat ticket, and the agent's
// reply appears in the widget, which fits the screen.
func TestBrowserChatWidget(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>
<body><h1>Kathmandu Kurta House</h1><script src="%s/widget.js?lang=bn" defer></script></body></html>`, s.srv.URL)
	}))
	t.Cleanup(shop.Close)
	b := browser(t, exe)
	var status, overflow string
	err := chromedp.Run(b,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(shop.URL),
		chromedp.WaitVisible(`#retain-chat-open`),
		chromedp.Click(`#retain-chat-open`),
		chromedp.WaitVisible(`#retain-chat textarea`),
		chromedp.SendKeys(`#retain-chat input[name=name]`, "সীমা"),
		chromedp.SendKeys(`#retain-chat input[name=contact]`, "০১৭১১-০০০১১১"),
		chromedp.SendKeys(`#retain-chat textarea`, "লাল কুর্তা M সাইজে আছে?"),
		chromedp.Click(`#retain-chat button[type=submit]`),
		waitFor(`document.querySelector("#retain-chat [role=status]").textContent.includes("ধন্যবাদ")`),
		chromedp.Text(`#retain-chat [role=status]`, &status),
	)
	if err != nil {
		t.Fatal(err)
	}
	tickets, err := s.db.Tickets(ctx, store.TicketFilter{View: "all", Channel: "chat"})
	if err != nil || len(tickets) != 1 || tickets[0].CustomerPhone != "+8801711000111" || tickets[0].Subject != "লাল কুর্তা M সাইজে আছে?" {
		t.Fatalf("the chat ticket: %+v %v (status %q)", tickets, err, status)
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if _, page := agent.get("/desk?view=unassigned&channel=chat"); !strings.Contains(page, fmt.Sprintf(`data-ticket="%d"`, tickets[0].ID)) {
		t.Errorf("the chat is not in the inbox")
	}
	if err := (core.Work{DB: s.db}).ReplyTicket(ctx, retain.System("test"), tickets[0].ID, "হ্যাঁ, আছে। ঠিকানা দিন।", false, core.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(b, 15*time.Second)
	defer cancel()
	if err := chromedp.Run(wctx,
		waitFor(`document.getElementById("retain-chat-log").textContent.includes("হ্যাঁ, আছে।")`),
		chromedp.Evaluate(overflowJS+` + ""`, &overflow),
	); err != nil {
		t.Fatalf("the reply never reached the widget: %v", err)
	}
	if overflow != "0" && !strings.HasPrefix(overflow, "-") {
		t.Errorf("the widget is %s px wider than the phone", overflow)
	}
}
