package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store/storetest"
)

// chromium finds the browser: RETAIN_TEST_CHROMIUM, else chromium on PATH.
func chromium(t *testing.T) string {
	if p := os.Getenv("RETAIN_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests need Chromium (apt-get install chromium); .ci/run installs it")
	return ""
}

// clickAndLoad clicks sel and waits until the page it leads to has loaded
// (a new document: the marker set on the old one is gone).
func clickAndLoad(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := chromedp.Evaluate(`window.__old = 1`, nil).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.Click(sel, chromedp.NodeVisible).Do(ctx); err != nil {
			return err
		}
		for {
			var done bool
			if err := chromedp.Evaluate(`window.__old === undefined && document.readyState === "complete"`, &done).Do(ctx); err == nil && done {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// waitFor waits until the script js is true in the page, across the page's
// own reloads (a script that fails while a new page loads is tried again).
func waitFor(js string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var done bool
			if err := chromedp.Evaluate(js, &done).Do(ctx); err == nil && done {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// TestBrowser drives Chromium through the UI on demo data: sign in, the
// dashboard's charts, filtering and exporting customers, a customer 360,
// completing a task in the inbox, and Bengali and Nepali pages. With
// RETAIN_SCREENSHOTS=DIR it also saves the screenshots the README shows.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			ctx := browser(t, exe)
			shot := func(file string) chromedp.Action { return screenshot(name, file) }
			var bars int
			var rows, rowsAfter int
			var csvText, health, navBn, navNe, lang string
			var tasksBefore, tasksAfter, overflow, overflowList, overflowSettings, overflowAudit, overflowError, overCards int
			var sameDocument bool
			err := chromedp.Run(ctx,
				chromedp.Navigate(s.srv.URL+"/"),
				chromedp.WaitVisible(`#signin`),
				chromedp.SendKeys(`input[name=email]`, "admin@shop.example"),
				chromedp.SendKeys(`input[name=password]`, password),
				clickAndLoad(`#signin`),
				chromedp.WaitVisible(`section.kpis`),
				chromedp.Evaluate(`document.querySelectorAll("svg.chart rect").length`, &bars),
				// No figure runs over its card (money in two currencies did).
				chromedp.Evaluate(`[...document.querySelectorAll(".kpi")].filter(k => k.scrollWidth > k.clientWidth).length`, &overCards),
				shot("dashboard-en.png"),

				chromedp.Navigate(s.srv.URL+"/customers"),
				chromedp.WaitVisible(`table.customers`),
				chromedp.Evaluate(`document.querySelectorAll("table.customers tbody tr").length`, &rows),
				chromedp.SetValue(`select[name=segment]`, "champions"),
				clickAndLoad(`#apply`),
				chromedp.WaitVisible(`table.customers`),
				chromedp.Evaluate(`document.querySelectorAll("table.customers tbody tr").length`, &rowsAfter),
				chromedp.Evaluate(`fetch(document.querySelector("#export").href).then(r => r.text())`, &csvText, awaitPromise),

				clickAndLoad(`table.customers tbody tr a`),
				chromedp.WaitVisible(`#health`),
				chromedp.Text(`#health`, &health),
				shot("customer-en.png"),

				chromedp.Navigate(s.srv.URL+"/inbox"),
				chromedp.WaitVisible(`main h1`),
				chromedp.Evaluate(`window.__before = document.querySelectorAll("button.done").length`, &tasksBefore),
				// htmx: the line goes without a page load.
				chromedp.Click(`button.done`),
				chromedp.Poll(`document.querySelectorAll("button.done").length < `+"window.__before", nil),
				chromedp.Evaluate(`document.querySelectorAll("button.done").length`, &tasksAfter),
				chromedp.Evaluate(`window.__before !== undefined`, &sameDocument),

				clickAndLoad(`button[data-lang=bn]`),
				chromedp.WaitVisible(`html[lang=bn]`),
				chromedp.Navigate(s.srv.URL+"/"),
				chromedp.WaitVisible(`section.kpis`),
				chromedp.Text(`header nav`, &navBn),
				shot("dashboard-bn.png"),
				chromedp.Navigate(s.srv.URL+"/customers"),
				chromedp.WaitVisible(`table.customers`),
				clickAndLoad(`table.customers tbody tr a`),
				chromedp.WaitVisible(`#health`),
				shot("customer-bn.png"),

				clickAndLoad(`button[data-lang=ne]`),
				chromedp.WaitVisible(`html[lang=ne]`),
				chromedp.Text(`header nav`, &navNe),
				chromedp.AttributeValue(`html`, "lang", &lang, nil),

				// A phone-sized screen: nothing wider than the viewport.
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(s.srv.URL+"/"),
				chromedp.WaitVisible(`section.kpis`),
				chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflow),
				shot("dashboard-phone-ne.png"),
				chromedp.Navigate(s.srv.URL+"/customers"),
				chromedp.WaitVisible(`table.customers`),
				chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflowList),
				chromedp.Navigate(s.srv.URL+"/settings"),
				chromedp.WaitVisible(`#two-factor`),
				chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflowSettings),
				chromedp.Navigate(s.srv.URL+"/settings/audit"),
				chromedp.WaitVisible(`table.audit`),
				chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflowAudit),
				chromedp.Navigate(s.srv.URL+"/no-such-page"),
				chromedp.WaitVisible(`section.error-page`),
				chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflowError),
			)
			if err != nil {
				t.Fatal(err)
			}
			if bars < 20 {
				t.Errorf("dashboard: %d chart rects", bars)
			}
			if overCards > 0 {
				t.Errorf("dashboard: %d figures run over their cards", overCards)
			}
			if rows == 0 || rowsAfter == 0 || rowsAfter > rows {
				t.Errorf("customers: %d rows, %d after filtering", rows, rowsAfter)
			}
			if !strings.HasPrefix(csvText, "external_id,name,") || strings.Count(csvText, "\n") < 2 {
				t.Errorf("export: %.200q", csvText)
			}
			if !strings.Contains(health, "Why") {
				t.Errorf("customer 360 health card: %.200q", health)
			}
			if !sameDocument {
				t.Error("completing a task reloaded the page: htmx did not handle it")
			}
			if tasksBefore == 0 || tasksAfter != tasksBefore-1 {
				t.Errorf("inbox tasks: %d, then %d after completing one", tasksBefore, tasksAfter)
			}
			if overflow > 0 || overflowList > 0 || overflowSettings > 0 || overflowAudit > 0 || overflowError > 0 {
				t.Errorf("on a phone the dashboard, list, settings, audit and error pages are %d, %d, %d, %d and %d px wider than the screen",
					overflow, overflowList, overflowSettings, overflowAudit, overflowError)
			}
			if !strings.Contains(navBn, "গ্রাহক") || !strings.Contains(navNe, "ग्राहक") || lang != "ne" {
				t.Errorf("languages: bn %q, ne %q, lang %q", navBn, navNe, lang)
			}
		})
	}
}

// browser starts Chromium for one test, with a desktop window, ended
// when the test ends.
func browser(t *testing.T, exe string) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	return ctx
}

// screenshot saves the page as docs/screenshots' file when the tests run
// with RETAIN_SCREENSHOTS=DIR, once (on SQLite).
func screenshot(dialect, file string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		dir := os.Getenv("RETAIN_SCREENSHOTS")
		if dir == "" || dialect != "sqlite" {
			return nil
		}
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil { // 100: PNG (less is JPEG)
			return err
		}
		return os.WriteFile(filepath.Join(dir, file), png, 0o644)
	})
}

// signIn signs in on the login page as a test user with the test password.
func signIn(base, email string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(`#signin`),
		chromedp.SendKeys(`input[name=email]`, email),
		chromedp.SendKeys(`input[name=password]`, password),
		clickAndLoad(`#signin`),
	}
}

// overflowJS is how many pixels the page is wider than the screen.
const overflowJS = `document.documentElement.scrollWidth - window.innerWidth`

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
