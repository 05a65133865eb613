package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTicketCommands: the demo's tickets by view, a thread, a reply with
// a status, bad input naming its field, closing; the desk's policy shown
// and a bad one refused with the field.
func TestTicketCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "60", "--db", db)
	var open []struct{ ID, Status, Subject string }
	if err := json.Unmarshal([]byte(mustRun(t, "ticket", "list", "--view", "all", "--json", "--db", db)), &open); err != nil || len(open) == 0 {
		t.Fatalf("tickets: %v %v", open, err)
	}
	id := open[0].ID
	if out := mustRun(t, "ticket", "list", "--view", "all", "--limit", "500", "--db", db); !strings.Contains(out, id) || !strings.Contains(out, "SUBJECT") {
		t.Errorf("the table lacks %s:\n%s", id, out)
	}
	mustRun(t, "ticket", "reply", id, "We have sent a new one today.", "--status", "pending", "--db", db)
	mustRun(t, "ticket", "reply", id, "courier ref 8812", "--note", "--db", db)
	out := mustRun(t, "ticket", "show", id, "--db", db)
	if !strings.Contains(out, "pending") || !strings.Contains(out, "We have sent a new one today.") || !strings.Contains(out, "note") {
		t.Errorf("show after the reply:\n%s", out)
	}
	if code, _, errOut := run(t, "ticket", "set", id, "--status", "gone", "--db", db); code != 2 || !strings.Contains(errOut, "status") {
		t.Errorf("a bad status: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "ticket", "assign", id, "nobody@shop.example", "--db", db); code == 0 || !strings.Contains(errOut, "nobody@shop.example") {
		t.Errorf("assign to nobody: exit %d, %q", code, errOut)
	}
	if out := mustRun(t, "ticket", "close", id, "--resolved", "--db", db); !strings.Contains(out, "resolved") {
		t.Errorf("close --resolved: %s", out)
	}
	mustRun(t, "ticket", "set", id, "--tags", "Wrong Size, exchange", "--db", db)
	if out := mustRun(t, "ticket", "list", "--view", "all", "--tag", "wrong-size", "--db", db); !strings.Contains(out, id) {
		t.Errorf("list by tag lacks %s:\n%s", id, out)
	}
	// Split the note off, then merge it back.
	out = mustRun(t, "ticket", "show", id, "--db", db)
	notes := regexp.MustCompile(`#(\d+) \S+ \S+  note`).FindStringSubmatch(out)
	if notes == nil {
		t.Fatalf("no numbered note in:\n%s", out)
	}
	split := mustRun(t, "ticket", "split", id, "--message", notes[1], "--db", db)
	newID := strings.TrimSpace(split[strings.LastIndex(split, " ")+1:])
	if out := mustRun(t, "ticket", "show", newID, "--db", db); !strings.Contains(out, "courier ref 8812") {
		t.Errorf("the split ticket:\n%s", out)
	}
	if code, _, errOut := run(t, "ticket", "merge", newID, "--into", "no-such", "--db", db); code != 2 || !strings.Contains(errOut, "into") {
		t.Errorf("merge into nothing: exit %d, %q", code, errOut)
	}
	mustRun(t, "ticket", "merge", newID, "--into", id, "--db", db)
	if out := mustRun(t, "ticket", "show", newID, "--db", db); !strings.Contains(out, "merged into "+id) {
		t.Errorf("the merged ticket:\n%s", out)
	}
	logged := mustRun(t, "ticket", "log", "--from", "+8801799000111", "--name", "Nasrin", "--text", "Called: the rice bag was torn", "--db", db)
	if ref := strings.TrimSuffix(strings.TrimSpace(logged), ": logged"); !strings.Contains(mustRun(t, "ticket", "show", ref, "--db", db), "the rice bag was torn") {
		t.Errorf("the logged call %q", logged)
	}
	if code, _, errOut := run(t, "ticket", "log", "--from", "nobody", "--text", "x", "--db", db); code != 2 || !strings.Contains(errOut, "contact") {
		t.Errorf("a bad number: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "ticket", "show", "no-such-ticket", "--db", db); code == 0 {
		t.Error("an unknown ticket shown")
	}
	if out := mustRun(t, "desk", "show", "--db", db); !strings.Contains(out, `"week": "bangladesh"`) {
		t.Errorf("desk show: %s", out)
	}
	bad := filepath.Join(dir, "desk.json")
	os.WriteFile(bad, []byte(`{"week": "nepal", "holidays": ["16 Dec"]}`), 0o600)
	if code, _, errOut := run(t, "desk", "set", bad, "--db", db); code != 2 || !strings.Contains(errOut, "holidays[0]") {
		t.Errorf("a bad policy: exit %d, %q", code, errOut)
	}
	os.WriteFile(bad, []byte(`{"week": "nepal", "holidays": ["2026-12-16"], "time_zone": "Asia/Kathmandu"}`), 0o600)
	mustRun(t, "desk", "set", bad, "--db", db)
	if out := mustRun(t, "desk", "show", "--db", db); !strings.Contains(out, `"week": "nepal"`) || !strings.Contains(out, "2026-12-16") {
		t.Errorf("after set: %s", out)
	}
	if out := mustRun(t, "desk", "holidays", "--country", "nepal", "--year", "2026", "--lang", "ne"); !strings.Contains(out, "2026-10-21 दशैं (विजया दशमी)  (expected)") {
		t.Errorf("desk holidays:\n%s", out)
	}
	if code, _, errOut := run(t, "desk", "holidays", "--country", "nepal", "--year", "1990"); code != 2 || !strings.Contains(errOut, "year") {
		t.Errorf("a year with no list: exit %d, %q", code, errOut)
	}
	if out := mustRun(t, "desk", "holidays", "--country", "nepal", "--year", "2026", "--add", "--db", db); !strings.HasPrefix(out, "20 holidays added") {
		t.Errorf("desk holidays --add: %s", out)
	}
	if out := mustRun(t, "desk", "show", "--db", db); !strings.Contains(out, "2026-12-30 Tamu Lhosar") {
		t.Errorf("the added holidays: %s", out)
	}
}
