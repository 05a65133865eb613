package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

func TestCalendarFeed(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	u, err := f.db.AddUser(ctx, retain.System("test"), store.User{Email: "rina@shop.example", Name: "Rina", Role: "agent"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C1", Name: "Karim"}})
	if _, err := f.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.GetCustomer(ctx, "C1")
	due := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
	err = f.db.WithTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.CreateTask(ctx, retain.Task{CustomerID: c.ID, OwnerID: u.ID, Title: "Call Karim, about the refund; today",
			DueAt: due, RemindAt: due.Add(-15 * time.Minute), Source: "manual"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	token, err := f.db.CreateCalendarFeed(ctx, "rina@shop.example")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, string) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	}
	code, ctype, body := get("/calendar/" + token + ".ics")
	if code != 200 || !strings.HasPrefix(ctype, "text/calendar") {
		t.Fatalf("feed: %d %s\n%s", code, ctype, body)
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Errorf("not CRLF line endings:\n%q", body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("parse: %v, %d events", err, len(cal.Events()))
	}
	ev := cal.Events()[0]
	start, _ := ev.GetStartAt()
	if s := ev.GetProperty(ics.ComponentPropertySummary); s == nil || s.Value != "Call Karim, about the refund; today" || !start.Equal(due) {
		t.Errorf("event %v at %v", s, start)
	}
	if !strings.Contains(body, "TRIGGER:-PT15M") {
		t.Error("no reminder alarm")
	}
	if code, _, _ := get("/calendar/not-a-token.ics"); code != 404 {
		t.Errorf("unknown token: %d", code)
	}
	f.db.RevokeCalendarFeeds(ctx, "rina@shop.example")
	if code, _, _ := get("/calendar/" + token + ".ics"); code != 404 {
		t.Errorf("revoked token: %d", code)
	}
}
