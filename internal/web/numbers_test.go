package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestTimesInTheReadersZone: pages show times in the business's zone
// (named at the foot of the page), or in the reader's own once they pick
// one; a zone that is not one is refused.
func TestTimesInTheReadersZone(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	if err := s.db.SetSetting(ctx, messaging.SettingsKey, `{"time_zone":"Asia/Dhaka"}`); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC) // 04:00 on the 2nd in Dhaka, 03:45 in Kathmandu
	s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.CreateTask(ctx, retain.Task{IdempotencyKey: "zone", CustomerID: 1, OwnerID: s.adminID, Title: "zone check", Source: "manual", DueAt: due})
		return err
	})
	c := s.client(t)
	c.login("admin@shop.example", password)
	shows := func(zone string) string {
		loc, _ := time.LoadLocation(zone)
		l := i18n.New("en", false)
		l.Zone = loc
		return l.DateTime(due, nil)
	}
	_, body := c.get("/inbox?mine=1")
	if !strings.Contains(body, "Dhaka time") || !strings.Contains(body, shows("Asia/Dhaka")) {
		t.Errorf("business zone: the inbox does not show %q in Dhaka time", shows("Asia/Dhaka"))
	}
	if code, _ := c.post("/settings/time-zone", url.Values{"time_zone": {"Asia/Kathmandu"}}, ""); code != 303 {
		t.Fatalf("choose a zone: %d", code)
	}
	_, body = c.get("/inbox?mine=1")
	if !strings.Contains(body, "Kathmandu time") || !strings.Contains(body, shows("Asia/Kathmandu")) {
		t.Errorf("own zone: the inbox does not show %q in Kathmandu time", shows("Asia/Kathmandu"))
	}
	if code, _ := c.post("/settings/time-zone", url.Values{"time_zone": {"Mars/Olympus"}}, ""); code != 400 {
		t.Errorf("a zone that is not one: %d", code)
	}
}
