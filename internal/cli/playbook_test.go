package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPlaybookCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "100", "--db", db)
	out := mustRun(t, "playbook", "list", "--db", db)
	for _, k := range []string{"onboarding", "post_purchase", "service_recovery", "win_back", "growth", "renewal", "loyalty_nudge", "advocacy"} {
		if !strings.Contains(out, k) {
			t.Errorf("list lacks %s:\n%s", k, out)
		}
	}
	file := filepath.Join(dir, "sr.json")
	mustRun(t, "playbook", "export", "service_recovery", file, "--db", db)
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), "দুঃখিত") {
		t.Fatalf("export: %v\n%.300s", err, b)
	}
	if out := mustRun(t, "playbook", "import", file, "--db", db); !strings.Contains(out, "unchanged") {
		t.Errorf("re-import of the same definition: %s", out)
	}
	edited := strings.Replace(string(b), `"once_per_days": 30`, `"once_per_days": 45`, 1)
	os.WriteFile(file, []byte(edited), 0o644)
	if out := mustRun(t, "playbook", "import", file, "--db", db); !strings.Contains(out, "version 2") {
		t.Errorf("import of an edit: %s", out)
	}
	broken := strings.Replace(edited, `"bn": "প্রিয়`, `"xx": "প্রিয়`, 1)
	os.WriteFile(file, []byte(broken), 0o644)
	if code, _, errOut := run(t, "playbook", "import", file, "--db", db); code != 2 || !strings.Contains(errOut, "steps[1].text.bn") {
		t.Errorf("broken import: exit %d, %q", code, errOut)
	}
	mustRun(t, "playbook", "enable", "service_recovery", "--db", db)
	if out := mustRun(t, "playbook", "list", "--db", db); !regexp.MustCompile(`service_recovery\s+2\s+true`).MatchString(out) {
		t.Errorf("after enable:\n%s", out)
	}
	if code, _, _ := run(t, "playbook", "enable", "nope", "--db", db); code == 0 {
		t.Error("enabled a playbook that does not exist")
	}
	out = mustRun(t, "playbook", "simulate", "service_recovery", "--customer", "C00001", "--reason", "detractor", "--db", db)
	for _, want := range []string{"day 0", "task for the owner", "wait 168h0m0s", "day 7", "branch on clv"} {
		if !strings.Contains(out, want) {
			t.Errorf("simulate lacks %q:\n%s", want, out)
		}
	}
}
