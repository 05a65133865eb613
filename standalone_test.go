package retain_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRepositoryStandsAlone: no tracked file links outside the repository,
// to the team's shared folder beside it, where a clone has nothing.
func TestRepositoryStandsAlone(t *testing.T) {
	out, err := exec.Command("git", "ls-files").Output()
	if err != nil {
		t.Skipf("git ls-files unavailable: %v", err) // not a git checkout (a source tarball)
	}
	needle := ".." + "/shared" // spelled apart so that this file passes
	for _, path := range strings.Fields(string(out)) {
		if strings.HasPrefix(path, "testdata/") || strings.HasSuffix(path, ".png") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(string(b), needle); i >= 0 {
			line := 1 + strings.Count(string(b[:i]), "\n")
			t.Errorf("%s:%d points outside the repository (%s)", path, line, needle)
		}
	}
}
