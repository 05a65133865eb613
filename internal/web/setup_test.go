package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store/storetest"
	"github.com/retainhq/retain/internal/web"
)

const setupToken = "s3tup-t0ken-for-the-test-only-0123456789"

// emptySite is Retain on a new database, as `retain serve` starts it: the
// wizard open to the holder of the setup token.
func emptySite(t testing.TB, open storetest.Opener) *site {
	t.Helper()
	db := open(t)
	mux := http.NewServeMux()
	ui := web.New(mux, db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{SetupToken: setupToken})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{db: db, srv: srv, ui: ui}
}

// TestSetupWizard: on a new database the sign-in page leads to the wizard,
// which opens only with the printed token; its first step names each bad
// field, then stores the business, creates the admin in the chosen
// language, signs them in and closes for good.
func TestSetupWizard(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	c := s.client(t)
	if code, _ := c.get("/login"); code != http.StatusSeeOther || c.lastLocation != "/setup" {
		t.Fatalf("/login on a new database: %d → %q", code, c.lastLocation)
	}
	if code, body := c.get("/setup"); code != http.StatusForbidden || !strings.Contains(body, `id="setup-refused"`) {
		t.Errorf("/setup without the token: %d", code)
	}
	if code, _ := c.get("/setup?token=wrong"); code != http.StatusForbidden {
		t.Errorf("/setup with a wrong token: %d", code)
	}
	if code, _ := s.client(t).post("/setup", url.Values{"business_name": {"X"}}, ""); code != http.StatusForbidden {
		t.Errorf("posting the wizard without the token: %d", code)
	}
	if code, _ := c.get("/setup?token=" + setupToken + "&lang=bn"); code != http.StatusSeeOther || strings.Contains(c.lastLocation, "token") {
		t.Fatalf("/setup with the token: %d → %q (the token must leave the address)", code, c.lastLocation)
	}
	code, body := c.get("/setup?lang=bn")
	if code != http.StatusOK || !strings.Contains(body, `lang="bn"`) || !strings.Contains(body, "আপনার ব্যবসা") {
		t.Fatalf("the wizard in Bengali: %d", code)
	}
	form := url.Values{"lang": {"bn"}, "business_name": {"Dhaka Tea House"}, "time_zone": {"Asia/Dhak"}, "currency": {"TAKA"},
		"name": {"Nasreen Akter"}, "email": {"nasreen@teahouse.example"}, "password": {"cardamom-chai-9"}, "confirm": {"cardamom-chai-8"}}
	code, body = c.post("/setup", form, "")
	for _, want := range []string{"BDT, NPR বা USD-এর মতো", "দুটি পাসওয়ার্ড এক নয়", `value="Dhaka Tea House"`} {
		if !strings.Contains(body, want) {
			t.Errorf("a refused first step (%d) lacks %q", code, want)
		}
	}
	if code != http.StatusBadRequest {
		t.Errorf("a refused first step: %d", code)
	}
	form.Set("time_zone", "Asia/Dhaka")
	form.Set("currency", "bdt")
	form.Set("confirm", "cardamom-chai-9")
	if code, _ := c.post("/setup", form, ""); code != http.StatusSeeOther || c.lastLocation != "/setup/channel" {
		t.Fatalf("the first step: %d → %q", code, c.lastLocation)
	}
	if code, body := c.get("/setup/channel"); code != http.StatusOK || !strings.Contains(body, `id="sms-form"`) || !strings.Contains(body, "ধাপ") {
		t.Errorf("the channel step, signed in, in Bengali: %d", code)
	}
	ms, err := core.MessagingSettings(context.Background(), s.db)
	if err != nil || ms.BusinessName != "Dhaka Tea House" || ms.TimeZone != "Asia/Dhaka" || ms.Currency != "BDT" {
		t.Errorf("the business after the wizard: %+v, %v", ms, err)
	}
	// Closed: the next visitor, token or not, is sent to sign in.
	if code, _ := s.client(t).get("/setup?token=" + setupToken); code != http.StatusSeeOther {
		t.Errorf("the wizard after an admin exists: %d", code)
	}
	if code := s.client(t).login("nasreen@teahouse.example", "cardamom-chai-9"); code != http.StatusSeeOther {
		t.Errorf("signing in as the admin the wizard made: %d", code)
	}
}

// fakeGateway is an SMS gateway that keeps what it is sent.
type fakeGateway struct {
	*httptest.Server
	mu   sync.Mutex
	got  []string
	auth []string
}

func newFakeGateway(t testing.TB) *fakeGateway {
	g := &fakeGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.got, g.auth = append(g.got, string(b)), append(g.auth, r.Header.Get("Authorization"))
		g.mu.Unlock()
		w.Write([]byte(`{"status":"ok","id":"m-1"}`))
	}))
	t.Cleanup(g.Close)
	return g
}

// TestSMSGatewayForm: an SMS gateway set up in its form, each bad field
// named at the field; the secret header is never shown again and is kept
// when the form is saved with it masked; a test goes to the gateway.
func TestSMSGatewayForm(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	gw := newFakeGateway(t)
	c := s.client(t)
	c.login("admin@shop.example", password)
	code, body := c.post("/settings/channel/sms", url.Values{"method": {"PUT"}}, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "Fill this in.") || !strings.Contains(body, "Choose one of the options.") {
		t.Fatalf("an empty SMS form: %d", code)
	}
	// A refused form keeps what was typed in it.
	if code, body := c.post("/settings/channel/sms", url.Values{"method": {"PUT"}, "url": {"https://sms.example.com/send"}, "body": {"typed body"}}, ""); code != http.StatusBadRequest ||
		!strings.Contains(body, `value="https://sms.example.com/send"`) || !strings.Contains(body, ">typed body</textarea>") {
		t.Errorf("a refused SMS form lost what was typed: %d", code)
	}
	form := url.Values{"url": {gw.URL + "/send"}, "method": {"POST"}, "body": {`{"to":"{{.To}}","text":"{{.Body}}"}`},
		"headers": {"Authorization: Bearer sk-live-SECRET\nContent-Type: application/json"}, "success_contains": {`"ok"`},
		"allow_networks": {"127.0.0.1/32"}}
	if code, body := c.post("/settings/channel/sms", form, ""); code != http.StatusOK || !strings.Contains(body, "Saved") {
		t.Fatalf("saving the SMS form: %d", code)
	}
	_, page := c.get("/settings")
	if strings.Contains(page, "sk-live-SECRET") {
		t.Fatal("the settings page shows the gateway's secret header")
	}
	if !strings.Contains(page, "Authorization: ••••••") {
		t.Error("the settings page does not say the header is kept")
	}
	// Saved again with the header left masked: the secret stays.
	form.Set("headers", "Authorization: ••••••\nContent-Type: application/json")
	c.post("/settings/channel/sms", form, "")
	if code, body := c.post("/settings/test", url.Values{"channel": {"sms"}, "to": {"+8801712345678"}}, ""); code != http.StatusOK || !strings.Contains(body, "m-1") && !strings.Contains(body, "sent") {
		t.Errorf("the test send: %d", code)
	}
	gw.mu.Lock()
	defer gw.mu.Unlock()
	if len(gw.got) != 1 || !strings.Contains(gw.got[0], `"to":"+8801712345678"`) || gw.auth[0] != "Bearer sk-live-SECRET" {
		t.Errorf("the gateway got %q with %q", gw.got, gw.auth)
	}
}

// TestDeskChannelForms: the support mailbox (IMAP) and the Facebook Page
// are set up in their forms; a missing field is named; the passwords and
// tokens are never shown again and are kept when left blank; removing
// one turns it off.
func TestDeskChannelForms(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	if code, body := c.post("/settings/channel/imap", url.Values{"host": {"imap.shop.example"}, "port": {"99999"}}, ""); code != http.StatusBadRequest ||
		strings.Count(body, `class="field-error"`) < 3 {
		t.Fatalf("an IMAP form without user, password and a good port: %d", code)
	}
	form := url.Values{"host": {"imap.shop.example"}, "port": {"993"}, "tls": {"tls"}, "username": {"support@shop.example"},
		"password": {"imap-SECRET-pw"}, "mailbox": {"Support"}}
	if code, body := c.post("/settings/channel/imap", form, ""); code != http.StatusOK || !strings.Contains(body, "Saved") {
		t.Fatalf("saving the IMAP form: %d", code)
	}
	form.Set("password", "")
	c.post("/settings/channel/imap", form, "")
	if code, body := c.post("/settings/channel/messenger", url.Values{"page_token": {"EAAG-page-SECRET"}}, ""); code != http.StatusBadRequest ||
		!strings.Contains(body, "Fill this in.") {
		t.Errorf("a Messenger form without the app secret: %d", code)
	}
	if code, _ := c.post("/settings/channel/messenger", url.Values{"page_token": {"EAAG-page-SECRET"}, "app_secret": {"app-SECRET"},
		"verify_token": {"verify-me"}}, ""); code != http.StatusOK {
		t.Fatalf("saving the Messenger form: %d", code)
	}
	_, page := c.get("/settings")
	for _, secret := range []string{"imap-SECRET-pw", "EAAG-page-SECRET", "app-SECRET", "verify-me"} {
		if strings.Contains(page, secret) {
			t.Errorf("the settings page shows %s", secret)
		}
	}
	st, err := core.MessagingSettings(context.Background(), s.db)
	if err != nil || st.IMAP == nil || st.IMAP.Password != "imap-SECRET-pw" || st.IMAP.Mailbox != "Support" || st.Messenger == nil ||
		st.Messenger.AppSecret != "app-SECRET" {
		t.Fatalf("the stored settings: %+v %+v %v", st.IMAP, st.Messenger, err)
	}
	c.post("/settings/channel/imap", url.Values{"remove": {"1"}}, "")
	if st, _ := core.MessagingSettings(context.Background(), s.db); st.IMAP != nil {
		t.Errorf("the mailbox was not removed: %+v", st.IMAP)
	}
}

var uploadRef = regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`)

// TestImportUpload: a CSV uploaded in the browser is previewed with the
// field each column goes to, a column nobody mapped is named, and the
// import stores the good rows and lists each refused one with its line.
func TestImportUpload(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	err := core.UpdateMessaging(context.Background(), s.db, retain.System("test"), func(m *messaging.Settings) error {
		m.Currency = "NPR"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	csv := "Order No,Customer,Date,Amount,Gift wrap\nW-1,wc-1,2026-03-01,1550,no\nW-2,wc-1,01/03/2026,990,yes\nW-3,wc-2,2026-03-02,abc,no\n"
	code, page := c.upload("/import/preview", map[string]string{"kind": "orders", "currency": "", "time_zone": "Asia/Dhaka", "phone_country": "BD"},
		"file", "orders.csv", []byte(csv))
	m := uploadRef.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil || !strings.Contains(page, `<option value="order_id" selected>`) {
		t.Fatalf("the preview: %d %.300q", code, page)
	}
	run := url.Values{"kind": {"orders"}, "time_zone": {"Asia/Dhaka"}, "upload": {m[1]}, "file_name": {"orders.csv"},
		"map.0": {"order_id"}, "map.1": {"customer_id"}, "map.2": {"placed_at"}, "map.3": {"total"}, "map.4": {""}}
	if code, body := c.post("/import/run", run, ""); code != http.StatusBadRequest || !strings.Contains(body, "Choose a field, or leave the column out.") {
		t.Errorf("an unmapped column: %d", code)
	}
	run.Set("map.4", "-")
	code, _ = c.post("/import/run", run, "")
	status := c.lastLocation
	if code != http.StatusSeeOther || !strings.HasPrefix(status, "/import/") {
		t.Fatalf("queueing the import: %d %q", code, status)
	}
	// Queued, not run in the request: the page follows the imports job.
	var body string
	if code, body = c.get(status); code != http.StatusOK || !strings.Contains(body, `data-status="queued"`) || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("the queued import: %d %.300q", code, body)
	}
	runImports(t, s)
	code, body = c.get(status)
	if code != http.StatusOK || !strings.Contains(body, "1 of 3 rows imported; 2 refused.") || strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("the import: %d %s", code, body)
	}
	for _, line := range []string{"<td>3</td>", "<td>4</td>"} {
		if !strings.Contains(body, line) {
			t.Errorf("the refused row on %s is not listed", line)
		}
	}
	// No currency column: the business's currency, not USD.
	o, err := s.db.GetOrder(context.Background(), "W-1")
	if err != nil || o.Currency != "NPR" || o.Total != 155000 {
		t.Errorf("order W-1: %+v, %v", o, err)
	}
	if code, _ := c.post("/import/run", run, ""); code != http.StatusNotFound {
		t.Errorf("running an upload twice: %d", code)
	}
}

// TestImportRefusalsInReadersLanguage: on a Bengali page a refused row's
// line and every reason are Bengali (the values quoted from the file stay
// as written), and a file that is no CSV is said in Bengali too: no
// English sentence, no field code.
func TestImportRefusalsInReadersLanguage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	c.post("/lang", url.Values{"lang": {"bn"}, "back": {"/import"}}, "")
	csv := "Order No,Customer,Date,Amount,Email\nW-1,wc-1,2026-03-01,1550,a@shop.example\nW-2,wc-1,15/03/2026,abc,not-an-address\nW-3,wc-2,2026-03-02,12,\"x\n"
	_, page := c.upload("/import/preview", map[string]string{"kind": "orders", "currency": "BDT", "time_zone": "Asia/Dhaka"}, "file", "o.csv", []byte(csv))
	m := uploadRef.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no preview: %.300q", page)
	}
	run := url.Values{"kind": {"orders"}, "currency": {"BDT"}, "time_zone": {"Asia/Dhaka"}, "upload": {m[1]}, "file_name": {"o.csv"},
		"map.0": {"order_id"}, "map.1": {"customer_id"}, "map.2": {"placed_at"}, "map.3": {"total"}, "map.4": {"customer_email"}}
	if code, _ := c.post("/import/run", run, ""); code != http.StatusSeeOther {
		t.Fatalf("the import: %d", code)
	}
	runImports(t, s)
	_, body := c.get(c.lastLocation)
	result := body[strings.Index(body, `id="import-result"`):]
	result = result[:strings.Index(result, "</table>")]
	for _, want := range []string{"<td>৩</td>", "অর্ডারের তারিখ: “১৫/০৩/২০২৬” তারিখ নয়", "টাকার অঙ্ক নয়", "ইমেইল ঠিকানা নয়", "<td>৪</td>", "উদ্ধৃতিচিহ্ন"} {
		if !strings.Contains(result, want) {
			t.Errorf("the Bengali result lacks %q:\n%s", want, result)
		}
	}
	for _, english := range []string{"is not", "placed_at", "total:", "customer_email", "quoted", "never closed"} {
		if strings.Contains(result, english) {
			t.Errorf("English or a field code on the Bengali result: %q\n%s", english, result)
		}
	}
	_, page = c.upload("/import/preview", map[string]string{"kind": "orders"}, "file", "empty.csv", nil)
	if !strings.Contains(page, "ফাইলটি খালি") || strings.Contains(page, "the file is empty") {
		t.Errorf("an empty file on a Bengali page: %.400q", page[strings.Index(page, "<main"):])
	}
}

// upload posts a same-origin multipart form: fields, and one file.
func (c *client) upload(path string, fields map[string]string, field, name string, data []byte) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.s.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.s.srv.URL)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}
