package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// cloudAPI is a fake WhatsApp Cloud API: it keeps every message posted to
// it and answers with a message id, as Meta's does.
type cloudAPI struct {
	*httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newCloudAPI(t *testing.T) *cloudAPI {
	c := &cloudAPI{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer cloud-token" || json.Unmarshal(b, &m) != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.sent = append(c.sent, m)
		n := len(c.sent)
		c.mu.Unlock()
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.%d"}]}`, n)
	}))
	t.Cleanup(c.Close)
	return c
}

// to returns what was sent to a number, oldest first.
func (c *cloudAPI) to(phone string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, m := range c.sent {
		if m["to"] == phone {
			out = append(out, m)
		}
	}
	return out
}

// text is a sent message's words: a text's body or an interactive's.
func text(m map[string]any) string {
	if t, ok := m["text"].(map[string]any); ok {
		return fmt.Sprint(t["body"])
	}
	if i, ok := m["interactive"].(map[string]any); ok {
		return fmt.Sprint(i["body"].(map[string]any)["text"])
	}
	return ""
}

// TestSurveyEndToEnd: an order delivered by a rider → a day later the CSAT
// invitation goes out on WhatsApp (the fake Cloud API) as a list the score
// is one tap in → the customer replies "৪" → the answer is recorded
// against the invitation, about the rider, and counts on the rider's and
// the team's ratings; the follow-up asks the reason, the reply is the
// comment. Another customer's "1 …" (a detractor) enrols service
// recovery; the first customer is not surveyed again within the limit.
func TestSurveyEndToEnd(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC) // 10:00 in Dhaka
			f.db.Now = func() time.Time { return now }
			cloud := newCloudAPI(t)
			settings, _ := json.Marshal(messaging.Settings{BusinessName: "Dhaka Tea House", PublicURL: "https://shop.example",
				InboundSecret: inboundSecret, TimeZone: "Asia/Dhaka", AllowNetworks: []string{"127.0.0.0/8"},
				WhatsApp:   &messaging.WhatsAppSettings{APIBase: cloud.URL, PhoneNumberID: "1055", Token: "cloud-token"},
				QuietHours: map[string]string{"whatsapp": "off"}, StrictQuiet: "off"})
			if err := f.db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
				t.Fatal(err)
			}
			var b store.Batch
			b.Staff = append(b.Staff, store.Row[retain.Staff]{V: retain.Staff{ExternalID: "rider-1", Name: "Karim Rider",
				Role: retain.RoleRepresentative, Team: "Riders"}})
			for i, c := range []struct{ id, phone, locale string }{{"C1", "+8801711000001", "bn"}, {"C2", "+8801711000002", "en"}} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: c.id, Name: "Customer " + c.id,
					Phone: c.phone, Locale: c.locale, TimeZone: "Asia/Dhaka"}})
				order := fmt.Sprintf("O%d", i+1)
				b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: order, CustomerRef: c.id, Currency: "BDT",
					Total: 150000, HasTotal: true, PlacedAt: now.Add(-72 * time.Hour)}})
				b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: order + "-delivered",
					OrderRef: order, Type: retain.EventDelivered, OccurredAt: now, StaffRef: "rider-1"}})
			}
			if _, err := f.db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"post_purchase", "service_recovery", "support_csat"} {
				if err := f.db.SetPlaybookEnabled(ctx, retain.System("test"), key, true); err != nil {
					t.Fatal(err)
				}
			}
			live := &core.LiveSettings{DB: f.db}
			runner := core.NewRunner(f.db, live, "test", nil)
			sender := &scheduler.Sender{DB: f.db, Owner: "test", Settings: live.Sender}
			step := func() {
				t.Helper()
				if _, err := core.Detect(ctx, f.db, core.DetectOptions{}); err != nil {
					t.Fatal(err)
				}
				if err := core.FireTimers(ctx, f.db, core.DetectOptions{}, &core.DetectStats{}); err != nil {
					t.Fatal(err)
				}
				if _, err := runner.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := sender.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			step() // enrolled in post-purchase: it waits a day
			if n := len(cloud.to("+8801711000001")); n != 0 {
				t.Fatalf("%d messages before the day's wait", n)
			}
			now = now.Add(25 * time.Hour)
			step()
			got := cloud.to("+8801711000001")
			if len(got) != 1 || got[0]["type"] != "interactive" {
				t.Fatalf("the invitation on WhatsApp: %v", got)
			}
			body := text(got[0])
			if !strings.Contains(body, "Dhaka Tea House") || !strings.Contains(body, "১ থেকে ৫") || !regexp.MustCompile(`https://shop.example/s/[A-Za-z0-9_-]{22}\b`).MatchString(body) {
				t.Errorf("the invitation's text: %q", body)
			}
			action := got[0]["interactive"].(map[string]any)["action"].(map[string]any)
			rows := action["sections"].([]any)[0].(map[string]any)["rows"].([]any)
			if len(rows) != 5 || rows[0].(map[string]any)["id"] != "score:5" || !strings.HasPrefix(fmt.Sprint(rows[4].(map[string]any)["title"]), "১") {
				t.Errorf("the score list: %v", rows)
			}
			inv, ok, err := f.db.OpenInvitation(ctx, "+8801711000001", retain.ChannelWhatsApp)
			if err != nil || !ok {
				t.Fatalf("no open invitation: %v", err)
			}
			if inv.StaffName != "Karim Rider" || inv.TeamID == 0 || inv.Context != "delivery" || inv.Awaiting != "score" || inv.OrderID == 0 {
				t.Errorf("the invitation's snapshot: %+v", inv)
			}

			reply := replier(t, f, now)
			if code := reply("w1", `{"from": "+8801711000001", "text": "৪", "channel": "whatsapp"}`); code != http.StatusNoContent {
				t.Fatalf("the reply: %d", code)
			}
			if code := reply("w1", `{"from": "+8801711000001", "text": "৪", "channel": "whatsapp"}`); code != http.StatusOK {
				t.Errorf("the replayed reply: %d", code)
			}
			step()
			got = cloud.to("+8801711000001")
			if len(got) != 2 || !strings.Contains(text(got[1]), "মূল কারণ") {
				t.Fatalf("the follow-up: %v", got)
			}
			table, err := core.Ratings(ctx, f.db, core.RatingOptions{Period: "month", Periods: 1, ByStaff: true, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var person *core.RatingRow
			for i := range table.Rows {
				if table.Rows[i].Name == "Karim Rider" {
					person = &table.Rows[i]
				}
			}
			if person == nil || person.Team != "Riders" || person.Total.CSATAnswers != 1 || person.Total.CSATGood != 1 {
				t.Fatalf("the rider's ratings: %+v", table.Rows)
			}
			teams, err := core.Ratings(ctx, f.db, core.RatingOptions{Period: "month", Periods: 1, Now: now})
			if err != nil || len(teams.Rows) != 1 || teams.Rows[0].Team != "Riders" || teams.Rows[0].Total.CSATAnswers != 1 {
				t.Fatalf("the team's ratings: %+v %v", teams.Rows, err)
			}
			if code := reply("w2", `{"from": "+8801711000001", "text": "রাইডার খুব ভদ্র ছিলেন", "channel": "whatsapp"}`); code != http.StatusNoContent {
				t.Fatalf("the comment: %d", code)
			}
			answers, _, err := f.db.Answers(ctx, store.AnswerFilter{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(answers, func(a store.Answer) bool { return a.CustomerRef == "C1" })
			if i < 0 || answers[i].Score != 4 || answers[i].Comment != "রাইডার খুব ভদ্র ছিলেন" || answers[i].Staff != "Karim Rider" {
				t.Fatalf("C1's answer: %+v", answers)
			}
			if _, ok, _ := f.db.OpenInvitation(ctx, "+8801711000001", retain.ChannelWhatsApp); ok {
				t.Error("the invitation is still open after its last question")
			}
			// A reply that answers nothing (no open invitation) is only a reply.
			if code := reply("w3", `{"from": "+8801711000001", "text": "5", "channel": "whatsapp"}`); code != http.StatusNoContent {
				t.Errorf("a reply after the survey: %d", code)
			}

			// A detractor: a score and its reason in one reply.
			if code := reply("w4", `{"from": "+8801711000002", "reply_id": "score:1", "text": "1 - Very unhappy", "channel": "whatsapp"}`); code != http.StatusNoContent {
				t.Fatalf("the detractor's tap: %d", code)
			}
			step() // the alert is raised on the score alone
			if code := reply("w5", `{"from": "+8801711000002", "text": "The box was crushed and the rider asked for extra money", "channel": "whatsapp"}`); code != http.StatusNoContent {
				t.Fatalf("the detractor's reason: %d", code)
			}
			step()
			c2, _ := f.db.GetCustomer(ctx, "C2")
			ens, _ := f.db.Enrollments(ctx, c2.ID)
			if !slices.ContainsFunc(ens, func(e retain.Enrollment) bool { return e.PlaybookKey == "service_recovery" }) {
				t.Errorf("the detractor is not in service recovery: %+v", ens)
			}
			alerts, _ := f.db.Alerts(ctx, store.AlertFilter{CustomerID: c2.ID, Reason: "low_csat"})
			if len(alerts) != 1 || alerts[0].RootCause == "" {
				t.Errorf("the detractor's alert (its cause from the comment that followed the score): %+v", alerts)
			}

			// The dashboard's response rate: both invitations of June answered.
			if err := f.db.RefreshDashboard(ctx); err != nil {
				t.Fatal(err)
			}
			dash, _, err := f.db.LoadDashboard(ctx)
			if err != nil || len(dash.Responses) == 0 {
				t.Fatalf("no response rates on the dashboard: %v", err)
			}
			if last := dash.Responses[len(dash.Responses)-1]; last.Month.Month() != time.June || last.Sent != 2 || last.Answered != 2 {
				t.Errorf("June's response rate: %+v", last)
			}

			// The same customer, a resolved ticket the next hour: the support
			// CSAT runs, but the customer was surveyed yesterday.
			b = store.Batch{}
			b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: retain.Ticket{ExternalID: "T1", CustomerRef: "C1", Channel: "whatsapp",
				Subject: "where is my parcel", Status: "resolved", Priority: "normal", OpenedAt: now.Add(-time.Hour), ResolvedAt: now}})
			if _, err := f.db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			step()
			now = now.Add(2 * time.Hour)
			step()
			c1, _ := f.db.GetCustomer(ctx, "C1")
			ens, _ = f.db.Enrollments(ctx, c1.ID)
			if !slices.ContainsFunc(ens, func(e retain.Enrollment) bool { return e.PlaybookKey == "support_csat" }) {
				t.Fatalf("the ticket did not start the support CSAT: %+v", ens)
			}
			msgs, _ := f.db.Messages(ctx, store.MessageFilter{CustomerID: c1.ID})
			invites := 0
			for _, m := range msgs {
				if strings.HasPrefix(m.Kind, "survey.csat") {
					invites++
				}
			}
			if invites != 1 {
				t.Errorf("%d CSAT invitations to one customer within the recontact limit", invites)
			}
		})
	}
}

// replier posts signed replies to the reply hook.
func replier(t *testing.T, f *fixture, now time.Time) func(id, body string) int {
	return func(id, body string) int {
		t.Helper()
		return postSigned(t, f, "/hooks/reply", id, now, body)
	}
}

// postSigned posts a hook with a good Standard Webhooks signature.
func postSigned(t *testing.T, f *fixture, path, id string, now time.Time, body string) int {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(inboundSecret, "whsec_"))
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
	ts := fmt.Sprint(now.Unix())
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+messaging.Sign(key, id, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSurveyAPI: definitions are read and stored as versions, a bad one
// is a 4xx naming the field; an invitation on request is sent once per
// id, and a bad reference names its field.
func TestSurveyAPI(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	settings, _ := json.Marshal(messaging.Settings{PublicURL: "https://shop.example", AllowNetworks: []string{"127.0.0.0/8"},
		WhatsApp: &messaging.WhatsAppSettings{APIBase: "http://127.0.0.1:1", PhoneNumberID: "1", Token: "t"}})
	f.db.SetSetting(ctx, messaging.SettingsKey, string(settings))
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C1", Phone: "+8801711000001", Locale: "ne"}})
	b.Staff = append(b.Staff, store.Row[retain.Staff]{V: retain.Staff{ExternalID: "clerk-1", Name: "Sita", Role: retain.RoleRepresentative, Team: "Thamel shop"}})
	if _, err := f.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil {
		t.Fatal(err)
	}
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return f.call(t, f.key, method, path, body)
	}
	if code, out := call("GET", "/api/v1/surveys", nil); code != 200 || len(out["surveys"].([]any)) != 4 {
		t.Fatalf("list: %d %v", code, out)
	}
	code, def := call("GET", "/api/v1/surveys/visit", nil)
	if code != 200 || def["kind"] != "csat" {
		t.Fatalf("get: %d %v", code, def)
	}
	delete(def, "$schema")
	q := def["questions"].([]any)[0].(map[string]any)
	q["text"].(map[string]any)["bn"] = ""
	if code, out := call("PUT", "/api/v1/surveys/visit", def); code != 400 || !strings.Contains(fmt.Sprint(out), "body.questions[0].text.bn") {
		t.Errorf("a missing Bengali text: %d %v", code, out)
	}
	q["text"].(map[string]any)["bn"] = "আজ কেমন লাগল?"
	if code, out := call("PUT", "/api/v1/surveys/visit", def); code != 200 || out["version"] != float64(2) || out["created"] != true {
		t.Errorf("a new version: %d %v", code, out)
	}
	invite := map[string]any{"id": "pos-1", "customer_id": "C1", "staff": "clerk-1", "context": "visit"}
	if code, out := call("POST", "/api/v1/surveys/visit/invitations", invite); code != 201 || out["channel"] != "whatsapp" {
		t.Fatalf("invite: %d %v", code, out)
	}
	if code, out := call("POST", "/api/v1/surveys/visit/invitations", invite); code != 200 || out["created"] != false {
		t.Errorf("the same id again: %d %v", code, out)
	}
	inv, ok, err := f.db.OpenInvitation(ctx, "+8801711000001", retain.ChannelWhatsApp)
	if err != nil || !ok || inv.StaffName != "Sita" || inv.Context != "visit" || inv.SurveyVersion != 2 || inv.Locale != "ne" {
		t.Errorf("the invitation: %+v %v", inv, err)
	}
	invite["id"], invite["customer_id"] = "pos-2", "nobody"
	if code, out := call("POST", "/api/v1/surveys/visit/invitations", invite); code != 400 || !strings.Contains(fmt.Sprint(out), "body.customer_id") {
		t.Errorf("an unknown customer: %d %v", code, out)
	}
	if code, _ := call("POST", "/api/v1/surveys/nope/invitations", invite); code != 404 {
		t.Errorf("an unknown survey: %d", code)
	}
}
