package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
	"github.com/retainhq/retain/internal/web"
)

const password = "correct horse battery staple"

// site is a UI on demo data with an admin and an agent.
type site struct {
	db      *store.DB
	srv     *httptest.Server
	adminID int64
	agentID int64
	otherID int64 // another agent
	ui      *web.Server
}

func newSite(t testing.TB, open storetest.Opener) *site {
	t.Helper()
	db := open(t)
	ctx := context.Background()
	now := db.Now()
	if _, err := demo.Generate(ctx, db, demo.Options{Customers: 300, Seed: 7, AsOf: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Score(ctx, db, core.ScoreOptions{CalibrationEnd: now}); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword(password)
	admin, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "admin@shop.example", Name: "Admin", Role: "admin"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "agent@shop.example", Name: "Agent", Role: "agent"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "other@shop.example", Name: "Other", Role: "agent"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	core.InstallBuiltins(ctx, db, true)
	// The demo's own agents may own work too (they have no sign-in); the
	// customers go to the two who can sign in, so each test has work.
	if _, err := core.AssignOwners(ctx, db, core.OwnerRules{Rule: "round_robin", Staff: []string{agent.Email, other.Email}}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
		t.Fatal(err)
	}
	r := &core.Runner{DB: db, Channels: map[string]bool{}}
	if _, err := r.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ui := web.New(mux, db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{db: db, srv: srv, adminID: admin.ID, agentID: agent.ID, otherID: other.ID, ui: ui}
}

// client is a browser-like client: a cookie jar, no automatic redirects,
// same-origin headers on posts.
type client struct {
	t    testing.TB
	s    *site
	http *http.Client
	// lastLocation is the Location of the last get or post (a redirect's
	// target).
	lastLocation string
}

func (s *site) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.s.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.lastLocation = resp.Header.Get("Location")
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values, origin string) (int, string) {
	c.t.Helper()
	resp, body, err := c.postFor(path, form, origin)
	if err != nil {
		c.t.Fatal(err)
	}
	c.lastLocation = resp.Header.Get("Location")
	return resp.StatusCode, body
}

// postFor posts a same-origin form (origin "" is the site's own) and
// returns the response with its body read; safe in any goroutine.
func (c *client) postFor(path string, form url.Values, origin string) (*http.Response, string, error) {
	req, _ := http.NewRequest("POST", c.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin == "" {
		origin = c.s.srv.URL
	}
	req.Header.Set("Origin", origin)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func (c *client) login(email, pw string) int {
	code, _ := c.post("/login", url.Values{"email": {email}, "password": {pw}, "next": {"/"}}, "")
	return code
}

func TestSignInPagesAndLanguages(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			c := s.client(t)
			if code, _ := c.get("/"); code != http.StatusSeeOther {
				t.Fatalf("signed out: %d, want a redirect to /login", code)
			}
			if code := c.login("admin@shop.example", "wrong"); code != http.StatusUnauthorized {
				t.Errorf("wrong password: %d", code)
			}
			if code := c.login("admin@shop.example", password); code != http.StatusSeeOther {
				t.Fatalf("sign in: %d", code)
			}
			customer := firstCustomerPath(t, c)
			// The dashboard's NPS bar for last month (a whole month of
			// answers, whatever today's date) leads to that month's respondents.
			now := s.db.Now()
			bar := "/customers?survey=nps&month=" + now.AddDate(0, 0, -now.Day()).Format("2006-01")
			if _, body := c.get("/"); !strings.Contains(body, strings.ReplaceAll(bar, "&", "&amp;")) {
				t.Errorf("the dashboard has no bar linking to %s", bar)
			}
			if _, body := c.get(bar); !strings.Contains(body, `href="/customers/`) {
				t.Error("no respondents behind last month's NPS bar")
			}
			for _, lang := range i18n.Languages {
				if code, _ := c.post("/lang", url.Values{"lang": {lang}, "back": {"/"}}, ""); code != http.StatusSeeOther {
					t.Fatalf("switch to %s: %d", lang, code)
				}
				for _, p := range []string{"/", "/customers", "/customers?at_risk=1&sort=-health&page=2", customer, "/inbox", "/playbooks", "/messages", "/messages?status=queued", "/settings"} {
					code, body := c.get(p)
					if code != 200 {
						t.Fatalf("%s %s: %d", lang, p, code)
					}
					if strings.Contains(body, i18n.Missing) {
						i := strings.Index(body, i18n.Missing)
						t.Errorf("%s %s shows a missing translation: %s", lang, p, body[i:min(len(body), i+60)])
					}
					if !strings.Contains(body, `<html lang="`+lang+`">`) {
						t.Errorf("%s %s: not in %s", lang, p, lang)
					}
				}
			}
			_, body := c.get("/")
			if !strings.Contains(body, "ড্যাশবোর্ড") && !strings.Contains(body, "ड्यासबोर्ड") {
				t.Error("the dashboard is not translated")
			}
			// Logout ends the session on the server: the old cookie is dead.
			cookies := c.http.Jar.Cookies(mustURL(s.srv.URL))
			c.post("/logout", nil, "")
			replay := s.client(t)
			replay.http.Jar.SetCookies(mustURL(s.srv.URL), cookies)
			if code, _ := replay.get("/"); code != http.StatusSeeOther {
				t.Errorf("a logged-out session still works: %d", code)
			}
		})
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func firstCustomerPath(t *testing.T, c *client) string {
	_, body := c.get("/customers")
	i := strings.Index(body, `href="/customers/`)
	if i < 0 {
		t.Fatal("no customer link")
	}
	rest := body[i+len(`href="`):]
	return rest[:strings.Index(rest, `"`)]
}

// TestS1_LoginThrottled: five failures a minute per account, then 429 —
// even with the right password.
func TestS1_LoginThrottled(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	for range 5 {
		c.login("agent@shop.example", "nope")
	}
	if code := c.login("agent@shop.example", password); code != http.StatusTooManyRequests {
		t.Errorf("sixth attempt: %d, want 429", code)
	}
	if code := c.login("admin@shop.example", password); code != http.StatusSeeOther {
		t.Errorf("another account: %d", code)
	}
}

// TestS2_CrossOriginRefused: a state change from another origin is refused.
func TestS2_CrossOriginRefused(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	if code, _ := c.post("/lang", url.Values{"lang": {"bn"}}, "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", code)
	}
}

// TestS3_AgentSeesOwnWork: an agent's inbox holds only their work, and they
// can neither complete another's task nor reassign customers.
func TestS3_AgentSeesOwnWork(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	mine, _ := s.db.Tasks(ctx, store.TaskFilter{OwnerID: s.agentID})
	theirs, _ := s.db.Tasks(ctx, store.TaskFilter{OwnerID: s.otherID})
	if len(mine) == 0 || len(theirs) == 0 {
		t.Fatalf("tasks: agent %d, other agent %d", len(mine), len(theirs))
	}
	c := s.client(t)
	c.login("agent@shop.example", password)
	_, body := c.get("/inbox")
	if !strings.Contains(body, fmt.Sprintf("/tasks/%d/done", mine[0].ID)) || strings.Contains(body, fmt.Sprintf("/tasks/%d/done", theirs[0].ID)) {
		t.Error("the agent's inbox does not show exactly their own tasks")
	}
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/done", theirs[0].ID), nil, ""); code != http.StatusForbidden {
		t.Errorf("completing another's task: %d", code)
	}
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/done", mine[0].ID), nil, ""); code != http.StatusSeeOther {
		t.Errorf("completing their own task: %d", code)
	}
	if code, _ := c.post("/customers/assign", url.Values{"customer": {"1"}, "owner": {fmt.Sprint(s.agentID)}}, ""); code != http.StatusForbidden {
		t.Errorf("agent bulk assign: %d", code)
	}
}

// TestS3_AgentFiltersOwnCustomers: an agent's customer list filtered by
// score (segment, at risk, health, chance of buying again) lists only the
// agent's customers, on both databases (the score filters' fast path read
// the owner from a table it had not joined: a 500 for every agent).
func TestS3_AgentFiltersOwnCustomers(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			c := s.client(t)
			c.login("agent@shop.example", password)
			theirs, _, err := s.db.Customers(context.Background(), store.CustomerFilter{OwnerID: s.otherID, Size: 500})
			if err != nil || len(theirs) == 0 {
				t.Fatal("the other agent owns no customers", err)
			}
			for _, q := range []string{"segment=loyal", "at_risk=1", "health_max=50", "segment=champions&sort=-clv"} {
				code, body := c.get("/customers?" + q)
				if code != http.StatusOK {
					t.Errorf("%s: %d", q, code)
					continue
				}
				for _, other := range theirs {
					if strings.Contains(body, fmt.Sprintf(`href="/customers/%d"`, other.ID)) {
						t.Errorf("%s lists the other agent's customer %d", q, other.ID)
						break
					}
				}
			}
		})
	}
}

// TestS5_ExportIsFormulaSafe: an exported name starting with = is defused.
func TestS5_ExportIsFormulaSafe(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "EVIL1", Name: `=HYPERLINK("http://x","y")`}})
	if _, err := s.db.Apply(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	code, body := c.get("/customers.csv?q=EVIL1")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(recs) != 2 || !strings.HasPrefix(recs[1][1], "'=") {
		t.Fatalf("export: %d %v %q", code, err, recs)
	}
	if strings.HasPrefix(body, "\ufeff") {
		t.Error("the plain export starts with a byte order mark")
	}
	// For Excel: the byte order mark first, the same rows after it.
	if _, excel := c.get("/customers.csv?q=EVIL1&excel=1"); excel != "\ufeff"+body {
		t.Errorf("the Excel export is not the plain one after a byte order mark: %.40q", excel)
	}
}

// TestS3_ManagerSeesTeam: a manager sees and acts on their team's work, not
// another team's; a call logged on a customer shows on the timeline.
func TestS3_ManagerSeesTeam(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	hash, _ := auth.HashPassword(password)
	s.db.AddUser(ctx, retain.System("test"), store.User{Email: "mgr@shop.example", Name: "Mgr", Role: "manager", Team: "Dhaka"}, hash)
	mate, _ := s.db.AddUser(ctx, retain.System("test"), store.User{Email: "mate@shop.example", Name: "Mate", Role: "agent", Team: "Dhaka"}, hash)
	var teamTask, otherTask int64
	s.db.WithTx(ctx, func(tx *store.Tx) error {
		tx.AssignOwner(ctx, 2, s.otherID, "manual", "test", false)
		tx.AssignOwner(ctx, 1, mate.ID, "manual", "test", false) // the team's customer
		teamTask, _, _ = tx.CreateTask(ctx, retain.Task{IdempotencyKey: "team", CustomerID: 1, OwnerID: mate.ID, Title: "team work", DueAt: s.db.Now(), Source: "manual"})
		otherTask, _, _ = tx.CreateTask(ctx, retain.Task{IdempotencyKey: "other", CustomerID: 2, OwnerID: s.otherID, Title: "other team's work", DueAt: s.db.Now(), Source: "manual"})
		return nil
	})
	c := s.client(t)
	if code := c.login("mgr@shop.example", password); code != http.StatusSeeOther {
		t.Fatal(code)
	}
	_, body := c.get("/inbox")
	if !strings.Contains(body, "team work") || strings.Contains(body, "other team&#39;s work") {
		t.Error("the manager's inbox is not their team's")
	}
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/done", otherTask), nil, ""); code != http.StatusForbidden {
		t.Errorf("another team's task: %d", code)
	}
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/done", teamTask), nil, ""); code != http.StatusSeeOther {
		t.Errorf("the team's task: %d", code)
	}
	if code, _ := c.post("/customers/1/touches", url.Values{"kind": {"call"}, "summary": {"Called about the late parcel"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("log a call: %d", code)
	}
	if _, body := c.get("/customers/1"); !strings.Contains(body, "Called about the late parcel") {
		t.Error("the call is not on the timeline")
	}
	if code, _ := c.post("/customers/1/touches", url.Values{"kind": {"fax"}, "summary": {"x"}}, ""); code != http.StatusBadRequest {
		t.Errorf("unknown kind: %d", code)
	}
	// Another team's customer is not there for this manager: not on the
	// 360, not for a logged call, not in the list or the export.
	if code, _ := c.get("/customers/2"); code != http.StatusNotFound {
		t.Errorf("another team's customer: %d", code)
	}
	if code, _ := c.post("/customers/2/touches", url.Values{"kind": {"call"}, "summary": {"x"}}, ""); code != http.StatusNotFound {
		t.Errorf("a call on another team's customer: %d", code)
	}
	other, _ := s.db.CustomerFacts(ctx, 2)
	if _, body := c.get("/customers.csv"); strings.Contains(body, other.ExternalID+",") {
		t.Errorf("the export holds another team's customer %s", other.ExternalID)
	}
}

// TestSettings: admins set channels (checked), send a test through the fake
// gateway and create API keys; agents may not; anyone picks their digits.
func TestSettings(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	gw, err := messagingtest.New(t.TempDir() + "/gw.log")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	admin := s.client(t)
	admin.login("admin@shop.example", password)
	if code, body := admin.post("/settings/messaging", url.Values{"document": {`{"sms": {"url": "ftp://x"}}`}}, ""); code != 400 || !strings.Contains(body, "ftp://x") {
		t.Errorf("a bad document: %d", code)
	}
	cfg := gw.Config()
	doc, _ := json.Marshal(messaging.Settings{SMS: &cfg, AllowNetworks: []string{"127.0.0.0/8"}})
	if code, _ := admin.post("/settings/messaging", url.Values{"document": {string(doc)}}, ""); code != 200 {
		t.Fatalf("save: %d", code)
	}
	if code, body := admin.post("/settings/test", url.Values{"channel": {"sms"}, "to": {"+8801711000000"}}, ""); code != 200 || !strings.Contains(body, "gw-") {
		t.Errorf("send test: %d", code)
	}
	if code, body := admin.post("/settings/keys", url.Values{"name": {"shop"}, "scope": {"events:write", "read"}}, ""); code != 200 || !strings.Contains(body, "rtn_") {
		t.Errorf("create key: %d", code)
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if code, _ := agent.post("/settings/messaging", url.Values{"document": {string(doc)}}, ""); code != 403 {
		t.Errorf("agent changing channels: %d", code)
	}
	if _, body := agent.get("/settings"); strings.Contains(body, "/settings/keys") {
		t.Error("an agent sees the API keys")
	}
	// Digits: a Bengali reader sees ১২৩ by default, 123 after choosing Latin.
	firstKPI := func() string {
		_, body := agent.get("/")
		i := strings.Index(body, `class="kpi-value">`)
		rest := body[i+len(`class="kpi-value">`):]
		return rest[:strings.Index(rest, "<")]
	}
	agent.post("/lang", url.Values{"lang": {"bn"}}, "")
	if v := firstKPI(); !strings.ContainsAny(v, "০১২৩৪৫৬৭৮৯") {
		t.Errorf("Bengali digits by default: %q", v)
	}
	agent.post("/settings/digits", url.Values{}, "")
	if v := firstKPI(); strings.ContainsAny(v, "০১২৩৪৫৬৭৮৯") || !strings.ContainsAny(v, "0123456789") {
		t.Errorf("Latin digits chosen: %q", v)
	}
}

// TestInboxReassignAndCalendar: an agent gives their own task to a
// colleague (not someone else's), and gets a calendar link for their tasks.
func TestInboxReassignAndCalendar(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	mine, _ := s.db.Tasks(ctx, store.TaskFilter{OwnerID: s.agentID})
	theirs, _ := s.db.Tasks(ctx, store.TaskFilter{OwnerID: s.otherID})
	c := s.client(t)
	c.login("agent@shop.example", password)
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/reassign", theirs[0].ID), url.Values{"owner": {fmt.Sprint(s.agentID)}}, ""); code != http.StatusForbidden {
		t.Errorf("taking another's task: %d", code)
	}
	if code, _ := c.post(fmt.Sprintf("/tasks/%d/reassign", mine[0].ID), url.Values{"owner": {fmt.Sprint(s.otherID)}}, ""); code != http.StatusSeeOther {
		t.Fatalf("giving away one's task: %d", code)
	}
	if owner, _ := s.db.OwnerOf(ctx, "tasks", mine[0].ID); owner != s.otherID {
		t.Errorf("the task's owner is %d, want %d", owner, s.otherID)
	}
	if code, body := c.post("/calendar-link", nil, ""); code != 200 || !strings.Contains(body, "/calendar/") || !strings.Contains(body, ".ics") {
		t.Errorf("calendar link: %d", code)
	}
}

// TestBulkAssign: a bad owner or customer id is refused with a reason,
// nothing half-done; good ones are assigned.
func TestBulkAssign(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	if code, _ := c.post("/customers/assign", url.Values{"customer": {"1"}, "owner": {"999999"}}, ""); code != http.StatusBadRequest {
		t.Errorf("unknown owner: %d", code)
	}
	if code, _ := c.post("/customers/assign", url.Values{"customer": {"2", "x"}, "owner": {fmt.Sprint(s.otherID)}}, ""); code != http.StatusBadRequest {
		t.Errorf("bad customer id: %d", code)
	}
	if code, _ := c.post("/customers/assign", url.Values{"customer": {"1", "2"}, "owner": {fmt.Sprint(s.agentID)}}, ""); code != http.StatusSeeOther {
		t.Fatalf("assign: %d", code)
	}
	for _, id := range []int64{1, 2} {
		if f, _ := s.db.CustomerFacts(context.Background(), id); f.OwnerID != s.agentID {
			t.Errorf("customer %d owned by %d", id, f.OwnerID)
		}
	}
}
