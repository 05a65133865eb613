package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserInvite: an admin adds a staff member in the form, hands on
// the one-time link, and the new agent sets a password from it and lands
// signed in on the dashboard; on a phone the staff page and the link's
// page fit the screen. On SQLite and PostgreSQL.
func TestBrowserInvite(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			ctx := browser(t, exe)
			var link, who string
			var staffOverflow, linkOverflow int
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(390, 844),
				signIn(s.srv.URL, "admin@shop.example"),
				chromedp.Navigate(s.srv.URL+"/staff"),
				chromedp.WaitVisible(`#add-staff`),
				chromedp.SendKeys(`#add-staff input[name=name]`, "Rina Das"),
				chromedp.SendKeys(`#add-staff input[name=email]`, "rina@shop.example"),
				chromedp.SendKeys(`#add-staff input[name=team]`, "Dhaka Sales"),
				clickAndLoad(`#add-member`),
				chromedp.WaitVisible(`#account-link`),
				chromedp.Value(`#account-link`, &link),
				chromedp.Evaluate(overflowJS, &staffOverflow),
				screenshot(name, "staff-phone-en.png"),

				clickAndLoad(`#logout`),
				chromedp.WaitVisible(`#signin`),
				chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(link).Do(ctx) }), // read above
				chromedp.WaitVisible(`#set-password`),
				chromedp.Evaluate(overflowJS, &linkOverflow),
				chromedp.SendKeys(`input[name=password]`, "mustard-kite-42"),
				chromedp.SendKeys(`input[name=confirm]`, "mustard-kite-42"),
				clickAndLoad(`#set-password`),
				chromedp.WaitVisible(`section.kpis`),
				chromedp.Navigate(s.srv.URL+"/settings"),
				chromedp.WaitVisible(`#password`),
				chromedp.Text(`main`, &who),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(link, "/account/") {
				t.Errorf("the link shown: %q", link)
			}
			if staffOverflow > 0 || linkOverflow > 0 {
				t.Errorf("on a phone the staff page is %d px and the link's page %d px wider than the screen", staffOverflow, linkOverflow)
			}
			if strings.Contains(who, "Staff and teams") {
				t.Error("the new agent sees the admin's staff card")
			}
		})
	}
}
