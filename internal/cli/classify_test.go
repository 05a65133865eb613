package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/cli"
)

// TestClassifyCommand: texts on standard input, one a line, come out as
// one JSON object each with the text, its cause (empty for praise), a
// confidence and the evidence; arguments are read instead of the input.
func TestClassifyCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	in := "सामान राम्रो छैन\nThe courier never came\nধন্যবাদ, সব ঠিক ছিল\n"
	if code := cli.Run(context.Background(), []string{"classify", "--json"}, strings.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, m)
	}
	if len(got) != 3 {
		t.Fatalf("%d lines for 3 texts:\n%s", len(got), out.String())
	}
	for i, want := range []string{"quality", "delivery", ""} {
		if got[i]["cause"] != want || got[i]["text"] == "" || got[i]["confidence"] == nil || got[i]["evidence"] == nil {
			t.Errorf("line %d: %v, want cause %q", i+1, got[i], want)
		}
	}
	text := mustRun(t, "classify", "parcel dhilo aayo")
	if !strings.HasPrefix(text, "delivery\t") || strings.Count(text, "\n") != 1 {
		t.Errorf("classify with an argument: %q", text)
	}
}

// TestEvaluateClassifier prints the held-out figures, by language and by
// cause, for the model and for the lexicon alone.
func TestEvaluateClassifier(t *testing.T) {
	out := mustRun(t, "evaluate", "classifier")
	for _, want := range []string{"held-out texts", "bn-latn", "ne", "precision", "recall", "(none)", "The lexicon alone"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// TestReportRatings: per team by default, per person with --staff, as a
// table and as JSON; an unknown period is a usage error naming it.
func TestReportRatings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "demo", "--customers", "300", "--db", db, "--as-of", "2026-06-01")
	out := mustRun(t, "report", "ratings", "--period", "quarter", "--as-of", "2026-05-31", "--db", db)
	if !strings.HasPrefix(out, "TEAM") || !strings.Contains(out, "Delivery") || !strings.Contains(out, "CSAT") {
		t.Errorf("by team:\n%s", out)
	}
	if out := mustRun(t, "report", "ratings", "--staff", "--json", "--as-of", "2026-05-31", "--db", db); !strings.Contains(out, `"StaffID"`) || !strings.Contains(out, `"Periods"`) {
		t.Errorf("by person, JSON:\n%.300s", out)
	}
	if code, _, errOut := run(t, "report", "ratings", "--period", "year", "--db", db); code == 0 || !strings.Contains(errOut, "year") {
		t.Errorf("an unknown period: exit %d, %q", code, errOut)
	}
}
