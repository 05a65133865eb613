package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserBulkAssign: an admin ticks three alerts in the inbox, gives
// them to a colleague in one go, and the page says three were done; the
// three are that colleague's now. In Nepali on a phone, SQLite and
// PostgreSQL.
func TestBrowserBulkAssign(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			ctx := browser(t, exe)
			var ticked []string
			var notice string
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(390, 844),
				signIn(s.srv.URL, "admin@shop.example"),
				clickAndLoad(`button[data-lang=ne]`),
				chromedp.Navigate(s.srv.URL+"/inbox"),
				chromedp.WaitVisible(`#bulk-alerts`),
				chromedp.Evaluate(`[...document.querySelectorAll("input[name=alert]")].slice(0, 3).map(b => { b.checked = true; return b.value })`, &ticked),
				chromedp.SetValue(`#bulk-alerts select[name=action]`, "assign"),
				chromedp.SetValue(`#bulk-alerts select[name=owner]`, strconv.FormatInt(s.otherID, 10)),
				clickAndLoad(`#bulk-apply`),
				chromedp.WaitVisible(`#bulk-notice`),
				chromedp.Text(`#bulk-notice`, &notice),
				checkPage(t, "ne inbox after a bulk change"),
			)
			if err != nil {
				t.Fatal(err)
			}
			if len(ticked) != 3 || !strings.Contains(notice, "३") {
				t.Fatalf("ticked %v; the page says %q", ticked, notice)
			}
			alerts, err := s.db.Alerts(context.Background(), store.AlertFilter{OwnerID: s.otherID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			theirs := map[string]bool{}
			for _, a := range alerts {
				theirs[fmt.Sprint(a.ID)] = true
			}
			for _, id := range ticked {
				if !theirs[id] {
					t.Errorf("alert %s was not given to the colleague", id)
				}
			}
		})
	}
}
