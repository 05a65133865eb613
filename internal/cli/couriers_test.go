package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCouriersCommand: connectors saved from a file print with their
// secrets hidden; a bad one is refused naming its field.
func TestCouriersCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	good := filepath.Join(dir, "c.json")
	os.WriteFile(good, []byte(`[{"key": "dx", "name": "DX", "auth": "token", "header": "X-Token", "secret": "very-secret-token-123",
		"fields": {"order": "invoice", "status": "status"}, "statuses": {"picked": "shipped"}}]`), 0o600)
	if out := mustRun(t, "couriers", good, "--db", db); !strings.Contains(out, "1 courier connectors saved") {
		t.Errorf("save: %q", out)
	}
	if out := mustRun(t, "couriers", "--db", db); strings.Contains(out, "very-secret-token-123") || !strings.Contains(out, `"key": "dx"`) {
		t.Errorf("show: %s", out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"key": "dx", "auth": "token", "header": "X-Token", "secret": "short", "fields": {"order": "o", "status": "s"}, "statuses": {"a": "shipped"}}]`), 0o600)
	if code, _, errOut := run(t, "couriers", bad, "--db", db); code == 0 || !strings.Contains(errOut, "couriers[0].secret") {
		t.Errorf("bad: exit %d %q", code, errOut)
	}
}
