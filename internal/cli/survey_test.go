package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSurveyCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, "demo", "--customers", "60", "--db", db)
	out := mustRun(t, "survey", "list", "--db", db)
	for _, k := range []string{"csat", "nps", "ces", "visit"} {
		if !strings.Contains(out, k) {
			t.Errorf("list lacks %s:\n%s", k, out)
		}
	}
	file := filepath.Join(dir, "csat.json")
	mustRun(t, "survey", "export", "csat", file, "--db", db)
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), "আপনি কতটা সন্তুষ্ট?") {
		t.Fatalf("export: %v\n%.300s", err, b)
	}
	if out := mustRun(t, "survey", "import", file, "--db", db); !strings.Contains(out, "unchanged") {
		t.Errorf("re-import of the same definition: %s", out)
	}
	edited := strings.Replace(string(b), `"recontact_days": 30`, `"recontact_days": 45`, 1)
	os.WriteFile(file, []byte(edited), 0o644)
	if out := mustRun(t, "survey", "import", file, "--db", db); !strings.Contains(out, "version 2") {
		t.Errorf("import of an edit: %s", out)
	}
	broken := strings.Replace(edited, `"max": 5`, `"max": 7`, 1)
	os.WriteFile(file, []byte(broken), 0o644)
	if code, _, errOut := run(t, "survey", "import", file, "--db", db); code != 2 || !strings.Contains(errOut, "questions[0]") {
		t.Errorf("a CSAT on a 1–7 scale: exit %d, %q", code, errOut)
	}
	// No channel is set up in the demo: nothing is queued, and it says why.
	if out := mustRun(t, "survey", "send", "csat", "--customer", "C00001", "--id", "t1", "--db", db); !strings.Contains(out, "no channel") {
		t.Errorf("send without a channel: %s", out)
	}
	if code, _, errOut := run(t, "survey", "send", "csat", "--customer", "nobody", "--id", "t2", "--db", db); code != 2 || !strings.Contains(errOut, "customer_id") {
		t.Errorf("send to nobody: exit %d, %q", code, errOut)
	}
	if out := mustRun(t, "survey", "recontact", "10", "--db", db); !strings.Contains(out, "every 10 days") {
		t.Errorf("recontact: %s", out)
	}
	mustRun(t, "survey", "disable", "nps", "--db", db)
	if out := mustRun(t, "survey", "list", "--db", db); !strings.Contains(out, "nps    nps   1        false") {
		t.Errorf("after disable:\n%s", out)
	}
}
