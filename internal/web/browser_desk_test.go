package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserDeskTicket: an agent works a customer's message from the
// desk's inbox to resolved — opens it, replies with the ticket set to wait
// on the customer, then resolves it — in English on a desktop screen and
// in Bengali and Nepali on a 390 px phone, on SQLite and PostgreSQL. Every
// page fits the screen and shows no code or untranslated key.
func TestBrowserDeskTicket(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			ctx := context.Background()
			b := browser(t, exe)
			if err := chromedp.Run(b, signIn(s.srv.URL, "agent@shop.example")); err != nil {
				t.Fatal(err)
			}
			for i, c := range []struct {
				lang, text, reply string
				width             int64
			}{
				{"en", "Can I change the size of my shirt?", "Of course: which size would you like?", 1280},
				{"bn", "শার্টের সাইজ বদলাতে চাই", "অবশ্যই, কোন সাইজ লাগবে?", 390},
				{"ne", "मेरो सर्टको साइज फेर्न मिल्छ?", "अवश्य, कुन साइज चाहिन्छ?", 390},
			} {
				ref, err := core.TakeInbound(ctx, s.db, core.Inbound{ID: fmt.Sprintf("wamid.B%d", i), Channel: "whatsapp",
					Phone: fmt.Sprintf("+88019110001%02d", i), Text: c.text, At: s.db.Now()})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, s.db); err != nil {
					t.Fatal(err)
				}
				tk, _ := s.db.TicketByRef(ctx, ref)
				link := fmt.Sprintf(`a[href="/desk/tickets/%d"]`, tk.ID)
				l := i18n.New(c.lang, false)
				var status, canned string
				err = chromedp.Run(b,
					chromedp.EmulateViewport(c.width, 900),
					chromedp.Navigate(s.srv.URL+"/desk"),
					clickAndLoad(`button[data-lang=`+c.lang+`]`),
					chromedp.Navigate(s.srv.URL+"/desk?view=unassigned"),
					chromedp.WaitVisible(link),
					checkPage(t, c.lang+" inbox"),
					screenshot(name, "desk-inbox-"+c.lang+".png"),
					clickAndLoad(link),
					chromedp.WaitVisible(`#reply-body`),
					checkPage(t, c.lang+" ticket"),
					// A canned reply fills the box (in the customer's language: theirs is unknown, English).
					chromedp.Evaluate(`(() => { const s = document.getElementById("reply-canned"); s.value = "order_number";
						s.dispatchEvent(new Event("change", {bubbles: true})); return 0 })()`, nil),
					chromedp.Value(`#reply-body`, &canned),
					chromedp.Evaluate(`document.getElementById("reply-body").value = ""`, nil),
					chromedp.SendKeys(`#reply-body`, c.reply),
					chromedp.SetValue(`#reply-status`, "pending"),
					clickAndLoad(`#reply-send`),
					chromedp.WaitVisible(`li[data-author=agent]`),
					checkPage(t, c.lang+" ticket after the reply"),
					chromedp.SetValue(`#update-status`, "resolved"),
					clickAndLoad(`#update-save`),
					chromedp.Text(`#ticket-status`, &status),
					screenshot(name, "desk-ticket-"+c.lang+".png"),
				)
				if err != nil {
					t.Fatalf("%s: %v", c.lang, err)
				}
				if !strings.Contains(canned, "order number") {
					t.Errorf("%s: the canned reply filled the box with %q", c.lang, canned)
				}
				if want := l.T("ticket.resolved"); status != want {
					t.Errorf("%s: the ticket's status reads %q, want %q", c.lang, status, want)
				}
				tk, _ = s.db.Ticket(ctx, tk.ID)
				thread, _ := s.db.Thread(ctx, tk.ID)
				if tk.Status != "resolved" || len(thread) != 2 || thread[1].Body != c.reply || thread[1].Staff != "Agent" {
					t.Errorf("%s: after the browser: %+v %+v", c.lang, tk, thread)
				}
			}
		})
	}
}
