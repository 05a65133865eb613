package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestTextsInReadersLanguage: a playbook task's title and an alert's
// detail are shown in the reader's language, whoever owned the task when
// it was made; the English detail kept for the API does not show on a
// Bengali page.
func TestTextsInReadersLanguage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	tasks, err := s.db.Tasks(ctx, store.TaskFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := s.db.Alerts(ctx, store.AlertFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	c.post("/lang", url.Values{"lang": {"bn"}, "back": {"/inbox"}}, "")
	_, page := c.get("/inbox?mine=0")
	page = html.UnescapeString(page)
	checkedTask, checkedAlert := false, false
	for _, tk := range tasks {
		bn, en := tk.Titles["bn"], tk.Titles["en"]
		if bn == "" || bn == en || !strings.Contains(page, tk.CustomerName) {
			continue
		}
		if !strings.Contains(page, bn) {
			t.Errorf("task %d: the Bengali title %q is not on the Bengali inbox", tk.ID, bn)
		}
		checkedTask = true
	}
	for _, a := range alerts {
		if a.DetailKey == "" || a.DetailKey == "alertdetail.survey" || !strings.Contains(page, a.CustomerName) {
			continue
		}
		if strings.Contains(page, a.Detail) {
			t.Errorf("alert %d: the English detail %q is on the Bengali inbox", a.ID, a.Detail)
		}
		checkedAlert = true
	}
	if !checkedTask || !checkedAlert {
		t.Fatalf("nothing to check: a task with a Bengali title %v, an alert with a detail key %v", checkedTask, checkedAlert)
	}
}
