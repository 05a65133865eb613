package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserPlaybookEditor: in Bengali on a phone, a manager's editor
// changes a message step's Bengali text, simulates the playbook on a
// Bengali-speaking customer (who gets the new text, filled in, with its
// SMS parts counted) and saves it as a new version. SQLite and PostgreSQL.
func TestBrowserPlaybookEditor(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			customer := bengaliCustomer(t, s)
			ctx := browser(t, exe)
			var sim, notice string
			var same bool
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(390, 844),
				signIn(s.srv.URL, "admin@shop.example"),
				clickAndLoad(`button[data-lang=bn]`),
				chromedp.Navigate(s.srv.URL+"/playbooks"),
				chromedp.WaitVisible(`a[data-edit=win_back]`),
				clickAndLoad(`a[data-edit=win_back]`),
				chromedp.WaitVisible(`#editor`),
				checkPage(t, "bn editor"),
				chromedp.SetValue(`textarea[name="steps[0].text.bn"]`, "{{.FirstName}}, আপনার অর্ডার কেমন লাগল? নতুন প্রশ্ন।"),
				// Live: typing the customer previews without a page load,
				// and so does every change to the text after.
				chromedp.Evaluate(`window.__same = 1`, nil),
				chromedp.SendKeys(`input[name=customer]`, customer),
				waitFor(`document.querySelector("#sim") !== null`),
				chromedp.SendKeys(`textarea[name="steps[0].text.bn"]`, " আরও এক লাইন।"),
				waitFor(`(document.querySelector("#sim") || {}).textContent.includes("আরও এক লাইন।")`),
				chromedp.Text(`#sim`, &sim),
				chromedp.Evaluate(`window.__same === 1`, &same),
				checkPage(t, "bn editor with a simulation"),
				screenshot(name, "editor-phone-bn.png"),
				clickAndLoad(`#save-playbook`),
				chromedp.WaitVisible(`#editor-notice`),
				chromedp.Text(`#editor-notice`, &notice),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sim, "আপনার অর্ডার কেমন লাগল? নতুন প্রশ্ন।") || strings.Contains(sim, "{{") || !strings.Contains(sim, "এসএমএস অংশ") && !strings.Contains(sim, "হোয়াটসঅ্যাপ") {
				t.Errorf("the simulation: %q", sim)
			}
			if !same {
				t.Error("the live preview reloaded the page")
			}
			if !strings.Contains(notice, "সংস্করণ ২") {
				t.Errorf("after saving: %q", notice)
			}
		})
	}
}

// bengaliCustomer is the external id of a customer who reads Bengali and
// has a phone.
func bengaliCustomer(t *testing.T, s *site) string {
	t.Helper()
	ctx := context.Background()
	rows, _, err := s.db.Customers(ctx, store.CustomerFilter{Size: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if c, err := s.db.GetCustomer(ctx, r.ExternalID); err == nil && c.Locale == "bn" && c.Phone != "" {
			return c.ExternalID
		}
	}
	t.Fatal("no Bengali-speaking customer with a phone")
	return ""
}
