package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestInboxIsAWorkQueue: the inbox says how many alerts and tasks there
// are and which it shows, pages through all of them, filters by severity,
// names customers by name, and a page past the end is the last page.
func TestInboxIsAWorkQueue(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	// Enough tasks for three pages.
	s.db.WithTx(ctx, func(tx *store.Tx) error {
		for i := range 120 {
			tx.CreateTask(ctx, retain.Task{IdempotencyKey: fmt.Sprint("q", i), CustomerID: 1, OwnerID: s.adminID, Title: fmt.Sprint("queue task ", i),
				Source: "manual", DueAt: tx.Now()})
		}
		return nil
	})
	total, err := s.db.CountTasks(ctx, store.TaskFilter{})
	if err != nil || total < 120 {
		t.Fatalf("%d open tasks (%v)", total, err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	count := regexp.MustCompile(`id="task-count">([\d,]+)–([\d,]+) of ([\d,]+)<`)
	seen := map[string]bool{}
	pages := 0
	for path := "/inbox"; path != ""; pages++ {
		code, body := c.get(path)
		m := count.FindStringSubmatch(body)
		if code != 200 || m == nil || m[3] != commas(total) {
			t.Fatalf("%s: %d, count %v, want a total of %d", path, code, m, total)
		}
		for _, t := range regexp.MustCompile(`>(queue task \d+)<`).FindAllStringSubmatch(body, -1) {
			seen[t[1]] = true
		}
		path = ""
		if href := regexp.MustCompile(`href="([^"]*)" id="tasks-next"`).FindStringSubmatch(body); href != nil {
			path = strings.ReplaceAll(href[1], "&amp;", "&")
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 120 || pages != (total+49)/50 {
		t.Errorf("%d of the 120 tasks seen over %d pages (want %d pages)", len(seen), pages, (total+49)/50)
	}
	if code, body := c.get("/inbox?tp=999999"); code != 200 || !strings.Contains(body, "of "+commas(total)) || strings.Contains(body, `id="tasks-next"`) {
		t.Errorf("a page past the end: %d", code)
	}
	// Severity filter: every alert listed is of that severity, and the
	// count is the filtered count.
	want, _ := s.db.CountAlerts(ctx, store.AlertFilter{Status: "open", Severity: retain.SeverityHigh})
	_, body := c.get("/inbox?severity=high")
	if n := strings.Count(body, `class="sev-`); n != min(want, 50) || strings.Count(body, `class="sev-high"`) != n {
		t.Errorf("severity filter: %d alerts listed, %d high; want %d", n, strings.Count(body, `class="sev-high"`), min(want, 50))
	}
	// The first alert on the page names its customer by name.
	alerts, _ := s.db.Alerts(ctx, store.AlertFilter{Status: "open", Limit: 1})
	if len(alerts) != 1 || alerts[0].CustomerName == "" {
		t.Fatalf("the demo has no open alert for a named customer: %+v", alerts)
	}
	if _, body := c.get("/inbox"); !strings.Contains(body, html.EscapeString(alerts[0].CustomerName)) {
		t.Errorf("the inbox does not name %s", alerts[0].CustomerName)
	}
}

// commas writes n as the English page does.
func commas(n int) string { return i18n.New("en", false).Int(int64(n)) }

// TestInboxBulkActions: ticked alerts are resolved or handed over at once,
// each through the one-at-a-time checks: an agent's bulk action leaves
// another's alert alone and says so.
func TestInboxBulkActions(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	mine, _ := s.db.Alerts(ctx, store.AlertFilter{Status: "open", OwnerID: s.agentID, Limit: 2})
	theirs, _ := s.db.Alerts(ctx, store.AlertFilter{Status: "open", OwnerID: s.otherID, Limit: 1})
	if len(mine) < 2 || len(theirs) < 1 {
		t.Fatalf("demo alerts: %d mine, %d theirs", len(mine), len(theirs))
	}
	c := s.client(t)
	c.login("agent@shop.example", password)
	form := url.Values{"action": {"resolve"}, "alert": {fmt.Sprint(mine[0].ID), fmt.Sprint(mine[1].ID), fmt.Sprint(theirs[0].ID)}}
	if code, _ := c.post("/alerts/bulk", form, ""); code != http.StatusBadRequest {
		t.Errorf("resolving without saying how: %d", code)
	}
	form.Set("note", "called, sorted out")
	code, body := c.post("/alerts/bulk", form, "")
	if code != 200 || !strings.Contains(body, "Done for 2.") || !strings.Contains(body, "1 could not be changed") {
		t.Errorf("bulk resolve: %d, notice %q", code, regexp.MustCompile(`id="bulk-notice">[^<]*`).FindString(body))
	}
	for i, a := range []retain.Alert{mine[0], mine[1], theirs[0]} {
		got, _ := s.db.Alerts(ctx, store.AlertFilter{Status: "resolved", CustomerID: a.CustomerID, Limit: 100})
		resolved := false
		for _, g := range got {
			resolved = resolved || g.ID == a.ID
		}
		if resolved != (i < 2) {
			t.Errorf("alert %d resolved: %v", a.ID, resolved)
		}
	}
}

// TestCauseEvidenceShown: an alert's root cause is shown with the
// customer's words that named it, on the customer 360 and in the inbox.
func TestCauseEvidenceShown(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	now := s.db.Now()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "ev-1", Name: "Evidence Rahim"}})
	b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "ev-s1",
		CustomerRef: "ev-1", Kind: "csat", Score: 1, Comment: "পণ্য ভালো না", RespondedAt: now.Add(-time.Hour)}})
	if _, err := s.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Detect(ctx, s.db, core.DetectOptions{Lookback: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	cust, err := s.db.GetCustomer(ctx, "ev-1")
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	for _, page := range []string{fmt.Sprintf("/customers/%d", cust.ID), "/inbox?reason=low_csat&cause=quality"} {
		if _, body := c.get(page); !strings.Contains(body, `<q class="evidence"`) || !strings.Contains(body, "ভালো না") {
			t.Errorf("%s does not show the words that named the cause", page)
		}
	}
}
