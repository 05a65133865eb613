package retain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRootImportsNoInfrastructure keeps the domain package plain Go: no
// database, no HTTP, nothing internal (docs/architecture.md, Rules of the code).
func TestRootImportsNoInfrastructure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "database/sql" || dep == "net/http" || strings.Contains(dep, "/internal/") && strings.HasPrefix(dep, "github.com/retainhq/retain") {
			t.Errorf("package retain depends on %s", dep)
		}
	}
}
