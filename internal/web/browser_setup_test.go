package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store/storetest"
)

// pageCheckJS reports what is wrong with the page on a phone and in the
// reader's language: how many pixels it is wider than the screen, a
// catalog key with no words, and snake_case codes shown as text (outside
// form controls, whose values are the user's own).
const pageCheckJS = `(() => {
  const text = document.body.innerText;
  const codes = (text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) || []).filter(c => !c.startsWith("http"));
  const missing = text.includes("⟦missing:");
  return JSON.stringify({overflow: document.documentElement.scrollWidth - window.innerWidth, codes, missing});
})()`

// checkPage runs pageCheckJS and fails the test with the page's name.
func checkPage(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var out string
		if err := chromedp.Evaluate(pageCheckJS, &out).Do(ctx); err != nil {
			return err
		}
		if out != `{"overflow":0,"codes":[],"missing":false}` && !strings.HasPrefix(out, `{"overflow":-`) {
			t.Errorf("%s: %s", name, out)
		}
		return nil
	})
}

// TestBrowserSetupWizard: on an empty database, in Bengali on a 390 px
// phone, the wizard goes from the printed link to a signed-in admin, an
// SMS gateway set up in its form with a test sent to a fake gateway, and
// a first CSV imported with a refused row shown, to the dashboard. Every
// page fits the screen and shows no code or untranslated key.
func TestBrowserSetupWizard(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := emptySite(t, open)
			importsInBackground(t, s.db)
			gw := newFakeGateway(t)
			csvPath := filepath.Join(t.TempDir(), "orders.csv")
			os.WriteFile(csvPath, []byte("Order No,Customer,Date,Amount\nW-1,wc-1,2026-03-01,1550\nW-2,wc-2,01/03/2026,990\n"), 0o600)
			ctx := browser(t, exe)
			var result string
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(s.srv.URL+"/setup?token="+setupToken+"&lang=bn"),
				chromedp.WaitVisible(`#setup-next`),
				checkPage(t, "wizard step 1"),
				screenshot(name, "setup-phone-bn.png"),
				chromedp.SendKeys(`input[name=business_name]`, "ঢাকা টি হাউস"),
				chromedp.SetValue(`input[name=time_zone]`, "Asia/Dhaka"),
				chromedp.SetValue(`input[name=currency]`, "BDT"),
				chromedp.SendKeys(`input[name=name]`, "নাসরিন আক্তার"),
				chromedp.SendKeys(`input[name=email]`, "nasreen@teahouse.example"),
				chromedp.SendKeys(`input[name=password]`, "cardamom-chai-9"),
				chromedp.SendKeys(`input[name=confirm]`, "cardamom-chai-9"),
				clickAndLoad(`#setup-next`),
				chromedp.WaitVisible(`#sms-form`),
				checkPage(t, "wizard step 2"),
				chromedp.SendKeys(`#sms-form input[name=url]`, gw.URL+"/send"),
				chromedp.SetValue(`#sms-form textarea[name=body]`, `{"to":"{{.To}}","text":"{{.Body}}"}`),
				chromedp.SetValue(`#sms-form input[name=allow_networks]`, "127.0.0.1/32"),
				clickAndLoad(`#save-sms`),
				chromedp.WaitVisible(`#test-sms`),
				chromedp.SendKeys(`#sms-form input[name=to]`, "+8801712345678"),
				clickAndLoad(`#test-sms`),
				chromedp.WaitVisible(`#setup-skip`),
				checkPage(t, "wizard step 2, after the test"),
				clickAndLoad(`#setup-skip`),
				chromedp.WaitVisible(`#import-upload`),
				checkPage(t, "wizard step 3"),
				chromedp.SetValue(`select[name=kind]`, "orders"),
				chromedp.SetUploadFiles(`input[name=file]`, []string{csvPath}),
				clickAndLoad(`#import-next`),
				chromedp.WaitVisible(`#import-run`),
				checkPage(t, "import preview"),
				screenshot(name, "import-phone-bn.png"),
				clickAndLoad(`#import-run`),
				// The page reloads itself until the imports job is done.
				waitFor(`document.querySelector("#import-result[data-status=done]") !== null`),
				checkPage(t, "import result"),
				chromedp.Text(`#import-result`, &result),
				clickAndLoad(`#setup-done`),
				chromedp.WaitVisible(`section.kpis`),
				checkPage(t, "dashboard after the wizard"),
			)
			if err != nil {
				t.Fatal(err)
			}
			gw.mu.Lock()
			sent := len(gw.got)
			gw.mu.Unlock()
			if sent != 1 {
				t.Errorf("the fake gateway got %d test messages, want 1", sent)
			}
			if !strings.Contains(result, "২টি সারির ১টি আমদানি হয়েছে; ১টি বাতিল") {
				t.Errorf("the import result in Bengali: %q", result)
			}
		})
	}
}
