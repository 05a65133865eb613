package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
	"github.com/retainhq/retain/internal/web"
)

var secretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
var recoveryRe = regexp.MustCompile(`<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>`)

// enrol sets up two-step sign-in for the signed-in client and returns the
// secret and the recovery codes.
func enrol(t *testing.T, s *site, c *client) (string, []string) {
	t.Helper()
	code, body := c.post("/settings/2fa", nil, "")
	m := secretRe.FindStringSubmatch(body)
	if code != 200 || m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("start two-step sign-in: %d, secret %v, QR shown %v", code, m, strings.Contains(body, "data:image/png"))
	}
	if code, _ := c.post("/settings/2fa/confirm", url.Values{"code": {"000000"}}, ""); code != http.StatusBadRequest {
		t.Errorf("a wrong first code: %d, want 400", code)
	}
	totp, _ := auth.TOTPCode(m[1], s.db.Now())
	code, body = c.post("/settings/2fa/confirm", url.Values{"code": {totp}}, "")
	codes := recoveryRe.FindAllStringSubmatch(body, -1)
	if code != 200 || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d recovery codes", code, len(codes))
	}
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return m[1], out
}

// TestTwoFactorSignIn: once on, the password alone opens nothing; the code
// from the app signs in once (not twice: RFC 6238 §5.2); a recovery code
// works once; failures are audited.
func TestTwoFactorSignIn(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	secret, recovery := enrol(t, s, c)

	c2 := s.client(t)
	if code := c2.login("admin@shop.example", password); code != http.StatusSeeOther || !strings.HasPrefix(c2.lastLocation, "/login/code") {
		t.Fatalf("password with two-step on: %d → %s, want the code form", code, c2.lastLocation)
	}
	if code, _ := c2.get("/customers"); code != http.StatusSeeOther || !strings.HasPrefix(c2.lastLocation, "/login/code") {
		t.Errorf("a page before the code: %d → %s, want the code form", code, c2.lastLocation)
	}
	if code, _ := c2.post("/login/code", url.Values{"code": {"123456"}, "next": {"/"}}, ""); code != http.StatusUnauthorized {
		t.Errorf("a wrong code: %d", code)
	}
	// The code used to enrol was accepted once already: this step is spent.
	totp, _ := auth.TOTPCode(secret, s.db.Now())
	if code, _ := c2.post("/login/code", url.Values{"code": {totp}, "next": {"/"}}, ""); code != http.StatusUnauthorized {
		t.Errorf("a code used twice: %d, want 401", code)
	}
	next, _ := auth.TOTPCode(secret, s.db.Now().Add(30*time.Second)) // the next step, within the allowed drift
	if code, _ := c2.post("/login/code", url.Values{"code": {next}, "next": {"/customers"}}, ""); code != http.StatusSeeOther || c2.lastLocation != "/customers" {
		t.Fatalf("the right code: %d → %s", code, c2.lastLocation)
	}
	if code, _ := c2.get("/customers"); code != 200 {
		t.Errorf("signed in with two steps: %d", code)
	}

	c3 := s.client(t)
	c3.login("admin@shop.example", password)
	if code, _ := c3.post("/login/code", url.Values{"code": {strings.ToLower(recovery[0])}}, ""); code != http.StatusSeeOther {
		t.Errorf("a recovery code (typed in lower case): %d", code)
	}
	c4 := s.client(t)
	c4.login("admin@shop.example", password)
	if code, _ := c4.post("/login/code", url.Values{"code": {recovery[0]}}, ""); code != http.StatusUnauthorized {
		t.Errorf("a recovery code used twice: %d", code)
	}
	entries, _ := s.db.AuditLog(context.Background(), store.AuditFilter{Action: "2fa."})
	if len(entries) < 2 || entries[len(entries)-1].Action != store.AuditTwoFactorOn || entries[len(entries)-1].Actor != "staff:admin@shop.example" {
		t.Errorf("two-step audit entries: %+v", entries)
	}
	// A lost phone: the CLI's reset (store.ResetTwoFactor) lets the password sign in again.
	if err := s.db.ResetTwoFactor(context.Background(), retain.System("cli"), "admin@shop.example"); err != nil {
		t.Fatal(err)
	}
	c5 := s.client(t)
	if code := c5.login("admin@shop.example", password); code != http.StatusSeeOther || c5.lastLocation != "/" {
		t.Errorf("after a reset: %d → %s", code, c5.lastLocation)
	}
}

// TestTwoFactorRequiredForAdmins: when the business requires it, an admin
// without it can open only the settings page until they set it up; an admin
// cannot require it before setting it up themselves.
func TestTwoFactorRequiredForAdmins(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	hash, _ := auth.HashPassword(password)
	if _, err := s.db.AddUser(context.Background(), retain.System("test"), store.User{Email: "second@shop.example", Name: "Second", Role: "admin"}, hash); err != nil {
		t.Fatal(err)
	}
	a := s.client(t)
	a.login("admin@shop.example", password)
	if code, _ := a.post("/settings/2fa/required", url.Values{"required": {"1"}}, ""); code != http.StatusConflict {
		t.Errorf("requiring it without having it: %d, want 409", code)
	}
	enrol(t, s, a)
	if code, _ := a.post("/settings/2fa/required", url.Values{"required": {"1"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("require: %d", code)
	}
	b := s.client(t)
	b.login("second@shop.example", password)
	if code, _ := b.get("/customers"); code != http.StatusSeeOther || !strings.HasPrefix(b.lastLocation, "/settings") {
		t.Errorf("an admin without two-step: %d → %s, want the settings page", code, b.lastLocation)
	}
	if code, _ := b.post("/settings/keys", url.Values{"name": {"x"}, "scope": {"read"}}, ""); code != http.StatusForbidden {
		t.Errorf("an action before enrolling: %d, want 403", code)
	}
	if code, body := b.get("/settings"); code != 200 || !strings.Contains(body, "id=\"start-2fa\"") {
		t.Errorf("the settings page to enrol on: %d", code)
	}
	enrol(t, s, b)
	if code, _ := b.get("/customers"); code != 200 {
		t.Errorf("after enrolling: %d", code)
	}
	// Agents are not bound by the admins' rule.
	ag := s.client(t)
	ag.login("agent@shop.example", password)
	if code, _ := ag.get("/customers"); code != 200 {
		t.Errorf("an agent: %d", code)
	}
}

// TestAuditLogRecordsWhoDidWhat: sign-ins (right and wrong), an export, a
// settings change and a key made in the browser are in the log with the
// real actor, and admins (only) read it on a page.
func TestAuditLogRecordsWhoDidWhat(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", "wrong password")
	c.login("admin@shop.example", password)
	c.get("/customers.csv")
	c.post("/settings/digits", url.Values{"native": {"1"}}, "")
	c.post("/settings/keys", url.Values{"name": {"till"}, "scope": {"events:write"}}, "")
	c.post("/playbooks/win_back/enabled", url.Values{"enabled": {"0"}}, "")
	want := map[string]string{
		store.AuditSignInFailed:  "system:signin",
		store.AuditSignIn:        "staff:admin@shop.example",
		store.AuditExport:        "staff:admin@shop.example",
		"apikey.create":          "staff:admin@shop.example",
		store.AuditPlaybookState: "staff:admin@shop.example",
	}
	entries, err := s.db.AuditLog(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if _, ok := got[e.Action]; !ok {
			got[e.Action] = e.Actor
		}
	}
	for action, actor := range want {
		if got[action] != actor {
			t.Errorf("audit %s: actor %q, want %q", action, got[action], actor)
		}
	}
	if code, body := c.get("/settings/audit?action=signin.failed"); code != 200 || !strings.Contains(body, "admin@shop.example") {
		t.Errorf("the audit page: %d", code)
	}
	// In Bengali: every action and actor in words, none as a code.
	c.post("/lang", url.Values{"lang": {"bn"}}, "")
	if code, body := c.get("/settings/audit"); code != 200 || strings.Contains(body, "⟦missing") || strings.Contains(body, "system:") ||
		strings.Contains(body, ">apikey.create<") || !strings.Contains(body, "এপিআই কী তৈরি") {
		t.Errorf("the Bengali audit page: %d, missing words or codes shown", code)
	}
	ag := s.client(t)
	ag.login("agent@shop.example", password)
	if code, _ := ag.get("/settings/audit"); code != http.StatusForbidden {
		t.Errorf("an agent reading the audit log: %d", code)
	}
}

// TestSecureCookie: over TLS the session cookie is Secure and __Host-;
// behind a proxy only when Retain was told so (X-Forwarded-Proto is
// anyone's to send).
func TestSecureCookie(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	login := func(srvURL string, client *http.Client, proto string) *http.Cookie {
		t.Helper()
		form := url.Values{"email": {"admin@shop.example"}, "password": {password}, "next": {"/"}}
		req, _ := http.NewRequest("POST", srvURL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srvURL)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			if ck.Value != "" {
				return ck
			}
		}
		t.Fatalf("no session cookie (%d)", resp.StatusCode)
		return nil
	}
	noRedirect := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	mk := func(opts web.Options, tlsOn bool) (*httptest.Server, *http.Client) {
		mux := http.NewServeMux()
		web.New(mux, s.db, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
		if tlsOn {
			srv := httptest.NewTLSServer(mux)
			t.Cleanup(srv.Close)
			c := srv.Client()
			c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
			return srv, noRedirect(c)
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		jar, _ := cookiejar.New(nil)
		return srv, noRedirect(&http.Client{Jar: jar})
	}
	srv, c := mk(web.Options{}, true)
	if ck := login(srv.URL, c, ""); !ck.Secure || ck.Name != "__Host-retain" || !ck.HttpOnly {
		t.Errorf("over TLS: %+v", ck)
	}
	srv, c = mk(web.Options{}, false)
	if ck := login(srv.URL, c, "https"); ck.Secure {
		t.Errorf("X-Forwarded-Proto believed without --behind-proxy: %+v", ck)
	}
	srv, c = mk(web.Options{BehindProxy: true}, false)
	if ck := login(srv.URL, c, "https"); !ck.Secure || ck.Name != "__Host-retain" {
		t.Errorf("behind a proxy that says https: %+v", ck)
	}
}
