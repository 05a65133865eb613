package analytics_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAnalyticsIsPure keeps the models free of I/O (docs/architecture.md): no
// database, no network, no files, nothing else of Retain's.
func TestAnalyticsIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "os", dep == "database/sql", strings.HasPrefix(dep, "net"), strings.HasPrefix(dep, "io"),
			strings.HasPrefix(dep, "github.com/retainhq/retain/"):
			t.Errorf("internal/analytics imports %s", dep)
		}
	}
}
