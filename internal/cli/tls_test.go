package cli_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Fixed dates: the test's client trusts this certificate without
	// checking it (InsecureSkipVerify), so its validity never meets a clock.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "retain test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// TestServeTLS: serve --tls-cert/--tls-key answers HTTPS and its session
// cookie is Secure; a missing key or a bad file stops the start with a
// clear error.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	cert, key := selfSigned(t, dir)
	out := mustRun(t, "user", "add", "--email", "a@shop.example", "--name", "A", "--role", "admin", "--db", db)
	_, pw, _ := strings.Cut(out, "password (shown once): ")
	pw = strings.TrimSpace(pw)
	if code, _, errOut := run(t, "serve", "--db", db, "--tls-cert", cert); code != 2 || !strings.Contains(errOut, "go together") {
		t.Errorf("--tls-cert alone: exit %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", key, "--tls-key", key); code != 2 || !strings.Contains(errOut, "--tls-cert") {
		t.Errorf("a bad certificate: exit %d %q", code, errOut)
	}
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
	cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var base string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "serving on "); ok {
			base = strings.Fields(rest)[0]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serve says %q, want an https:// address", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("GET /healthz over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	form := url.Values{"email": {"a@shop.example"}, "password": {pw}, "next": {"/"}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if resp, err = client.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a sign-in over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || !cookies[0].Secure || cookies[0].Name != "__Host-retain" {
		t.Errorf("the session cookie over TLS: %+v", cookies)
	}
}
