package cli_test

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServePrintsSetupLink: serve on a new database prints a setup link
// whose token opens the wizard (and only it does); once a login exists the
// next start prints none.
func TestServePrintsSetupLink(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	db := filepath.Join(t.TempDir(), "r.db")
	start := func() (link string, stop func()) {
		exe, _ := os.Executable()
		cmd := exec.Command(exe, "serve", "--db", db, "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		base := ""
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, "serving on "); ok {
				base = strings.Fields(rest)[0]
			}
			if _, rest, ok := strings.Cut(line, "set Retain up in the browser at "); ok {
				link = strings.TrimSpace(rest)
			}
			if base != "" { // the setup link, when there is one, comes first
				break
			}
		}
		go func() {
			for sc.Scan() {
			}
		}()
		return link + "|" + base, func() { cmd.Process.Kill(); cmd.Wait() }
	}
	got, stop := start()
	link, base, _ := strings.Cut(got, "|")
	if !strings.Contains(link, "/setup?token=") {
		stop()
		t.Fatalf("a new database: no setup link printed (%q)", got)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := client.Get(base + "/setup?token=not-it"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a wrong token: %v %v", resp, err)
	}
	if resp, err := client.Get(link); err != nil || resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Errorf("the printed link: %v %v", resp, err)
	}
	stop()
	mustRun(t, "user", "add", "--email", "owner@shop.example", "--name", "Owner", "--role", "admin", "--db", db)
	if got, stop := start(); strings.HasPrefix(got, "http") || strings.Contains(got, "token=") {
		stop()
		t.Fatalf("a database with a login still prints a setup link: %q", got)
	} else {
		stop()
	}
}
