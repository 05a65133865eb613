package cli_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestAlertsFromDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "demo", "--customers", "300", "--db", db)
	out := mustRun(t, "run-due", "--db", db)
	if !strings.Contains(out, "alerts raised") || strings.Contains(out, " 0 alerts raised") {
		t.Fatalf("run-due raised no alerts:\n%s", out)
	}
	var alerts []struct {
		ID     int64
		Reason string
		Status string
	}
	if err := json.Unmarshal([]byte(mustRun(t, "alerts", "list", "--json", "--db", db)), &alerts); err != nil || len(alerts) == 0 {
		t.Fatalf("alerts list: %d, %v", len(alerts), err)
	}
	id := fmt.Sprint(alerts[0].ID)
	if code, _, errOut := run(t, "alerts", "snooze", id, "--until", "2099-01-01", "--reason", " ", "--db", db); code != 2 || !strings.Contains(errOut, "reason") {
		t.Errorf("snooze with a blank reason: exit %d %q", code, errOut)
	}
	mustRun(t, "alerts", "snooze", id, "--until", "2099-01-01", "--reason", "on holiday", "--db", db)
	if out := mustRun(t, "alerts", "list", "--status", "snoozed", "--db", db); !strings.Contains(out, "snoozed") {
		t.Errorf("snoozed alert not listed:\n%s", out)
	}
	mustRun(t, "alerts", "resolve", id, "--outcome", "called and refunded", "--db", db)
	if out := mustRun(t, "report", "--db", db); !strings.Contains(out, "Open alerts") || !strings.Contains(out, "Recovery rate") {
		t.Errorf("report lacks the engine section:\n%s", out)
	}
	if code, _, _ := run(t, "alerts", "resolve", id, "--outcome", "again", "--db", db); code == 0 {
		t.Error("resolved twice")
	}
	mustRun(t, "user", "add", "--email", "rina@shop.example", "--name", "Rina", "--db", db)
	url := strings.TrimSpace(mustRun(t, "user", "calendar", "rina@shop.example", "--base-url", "https://retain.shop.example/", "--db", db))
	if !strings.HasPrefix(url, "https://retain.shop.example/calendar/") || !strings.HasSuffix(url, ".ics") || len(url) < 80 {
		t.Errorf("calendar URL %q", url)
	}
	if code, _, _ := run(t, "user", "calendar", "nobody@shop.example", "--db", db); code == 0 {
		t.Error("a calendar for an unknown email")
	}
	if code, _, _ := run(t, "user", "calendar", "nobody@shop.example", "--revoke", "--db", db); code == 0 {
		t.Error("revoking the calendars of an unknown email said nothing")
	}
	if out := mustRun(t, "owners", "assign", "--rule", "least_loaded", "--save", "--db", db); !strings.Contains(out, "rule saved") {
		t.Errorf("owners assign: %s", out)
	}
	mustRun(t, "owners", "set", "C00001", "rina@shop.example", "--db", db)
	if code, _, errOut := run(t, "owners", "assign", "--rule", "coin", "--db", db); code != 2 || !strings.Contains(errOut, "rule") {
		t.Errorf("bad rule: %d %q", code, errOut)
	}
}
