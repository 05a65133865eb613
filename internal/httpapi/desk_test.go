package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskEndToEnd, on SQLite and PostgreSQL, with a fake SMS gateway and
// a fake WhatsApp Cloud API: a customer's SMS (through the gateway's
// signed reply webhook) and WhatsApp message (through Meta's signed
// webhook) each become a ticket on the customer with that number; the
// agent's reply goes out on the same channel — on WhatsApp more than 24
// hours after the customer wrote, as the approved template — and the
// customer's answer lands in the same thread. A message from an
// integration (the inbound API) opens an e-mail ticket for a new customer.
func TestDeskEndToEnd(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
			f.db.Now = func() time.Time { return now }
			cloud := newCloudAPI(t)
			smsLog := filepath.Join(t.TempDir(), "sms.log")
			sms, err := messagingtest.New(smsLog)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sms.Close)
			smsCfg := sms.Config()
			settings, _ := json.Marshal(messaging.Settings{BusinessName: "Kathmandu Kitchen", PublicURL: "https://shop.example",
				InboundSecret: inboundSecret, TimeZone: "Asia/Kathmandu", AllowNetworks: []string{"127.0.0.0/8"}, SMS: &smsCfg,
				WhatsApp:   &messaging.WhatsAppSettings{APIBase: cloud.URL, PhoneNumberID: "1055", Token: "cloud-token", AppSecret: "meta-app-secret"},
				QuietHours: map[string]string{"whatsapp": "off", "sms": "off"}, StrictQuiet: "off"})
			if err := f.db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
				t.Fatal(err)
			}
			p := desk.DefaultPolicy()
			p.Week, p.WhatsAppTemplate = "nepal", &desk.Template{Name: "support_reply", Language: "ne"}
			if err := core.SaveDeskPolicy(ctx, f.db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			if code, _ := f.call(t, f.key, "POST", "/api/v1/events", map[string]any{"events": []any{
				map[string]any{"id": "c1", "type": "customer.upsert", "customer": map[string]any{"external_id": "C1", "name": "Sita", "phone": "+9779801234567", "locale": "ne"}},
				map[string]any{"id": "c2", "type": "customer.upsert", "customer": map[string]any{"external_id": "C2", "name": "Ram", "phone": "+9779807654321", "locale": "ne"}},
			}}); code != 200 {
				t.Fatalf("customers: %d", code)
			}
			sender := &scheduler.Sender{DB: f.db, Owner: "test", Settings: (&core.LiveSettings{DB: f.db}).Sender}
			work := func() {
				t.Helper()
				if _, err := core.ConsumeDesk(ctx, f.db); err != nil {
					t.Fatal(err)
				}
				if _, err := sender.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			reply := replier(t, f, now)
			whatsApp := func(id, from, text string, at time.Time) {
				t.Helper()
				body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
					"messaging_product":"whatsapp","messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
					strings.TrimPrefix(from, "+"), id, at.Unix(), text)
				if code := postMeta(t, f, body, messaging.MetaSignature("meta-app-secret", []byte(body))); code != 200 {
					t.Fatalf("whatsapp webhook: %d", code)
				}
			}
			ticketOf := func(phone string) map[string]any {
				t.Helper()
				code, out := f.call(t, f.key, "GET", "/api/v1/desk/tickets?view=all&q="+strings.TrimPrefix(phone, "+"), nil)
				list, _ := out["tickets"].([]any)
				if code != 200 || len(list) != 1 {
					t.Fatalf("tickets of %s: %d %v", phone, code, out)
				}
				return list[0].(map[string]any)
			}
			// SMS in, SMS reply out, the answer in the same thread.
			if code := reply("sms-in-1", `{"from":"+977 980-1234567","text":"मेरो अर्डर कहाँ पुग्यो?","channel":"sms"}`); code != 204 {
				t.Fatalf("sms in: %d", code)
			}
			sk := ticketOf("+9779801234567")
			if sk["customer_id"] != "C1" || sk["channel"] != "sms" || sk["status"] != "new" {
				t.Fatalf("the SMS ticket: %v", sk)
			}
			smsID := sk["id"].(string)
			if code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+smsID+"/replies", map[string]any{"body": "आज बेलुका आइपुग्छ।", "status": "pending"}); code != 200 {
				t.Fatalf("reply: %d %v", code, out)
			}
			work()
			sent, _ := messagingtest.Deliveries(smsLog)
			if len(sent) != 1 || sent[0].To != "+9779801234567" || sent[0].Body != "आज बेलुका आइपुग्छ।" {
				t.Fatalf("the SMS gateway got %+v", sent)
			}
			if code := reply("sms-in-2", `{"from":"+9779801234567","text":"धन्यवाद!","channel":"sms"}`); code != 204 {
				t.Fatalf("sms answer: %d", code)
			}
			if th := thread(t, f, smsID); len(th) != 3 || th[2].(map[string]any)["body"] != "धन्यवाद!" || th[1].(map[string]any)["delivery"] != "sent" {
				t.Errorf("the SMS thread: %v", th)
			}
			if tk := ticketOf("+9779801234567"); tk["status"] != "open" {
				t.Errorf("the customer answering did not reopen the pending ticket: %v", tk)
			}

			// WhatsApp in; the reply 25 hours later goes as the template.
			whatsApp("wamid.IN1", "+9779807654321", "खाना चिसो आयो", now)
			wk := ticketOf("+9779807654321")
			if wk["customer_id"] != "C2" || wk["channel"] != "whatsapp" {
				t.Fatalf("the WhatsApp ticket: %v", wk)
			}
			waID := wk["id"].(string)
			now = now.Add(25 * time.Hour)
			if code, _ := f.call(t, f.key, "POST", "/api/v1/tickets/"+waID+"/replies", map[string]any{"body": "माफ गर्नुहोस्, पैसा फिर्ता गर्छौं।"}); code != 200 {
				t.Fatalf("whatsapp reply: %d", code)
			}
			work()
			got := cloud.to("9779807654321")
			if len(got) == 0 {
				got = cloud.to("+9779807654321")
			}
			if len(got) != 1 || got[0]["type"] != "template" {
				t.Fatalf("WhatsApp got %v", got)
			}
			tmpl := got[0]["template"].(map[string]any)
			params := tmpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
			if tmpl["name"] != "support_reply" || tmpl["language"].(map[string]any)["code"] != "ne" || params[0].(map[string]any)["text"] != "माफ गर्नुहोस्, पैसा फिर्ता गर्छौं।" {
				t.Errorf("the template: %v", tmpl)
			}
			whatsApp("wamid.IN2", "+9779807654321", "ठिक छ", now)
			if th := thread(t, f, waID); len(th) != 3 || th[2].(map[string]any)["author"] != "customer" {
				t.Errorf("the WhatsApp thread: %v", th)
			}

			// A contact form through the inbound API: a new customer by e-mail.
			code, out := f.call(t, f.key, "POST", "/api/v1/inbound", map[string]any{"id": "form-1", "channel": "email", "from": "Gita@Example.com",
				"name": "Gita", "subject": "Bulk order", "text": "Can you deliver 40 boxes to Pokhara?"})
			if code != 201 {
				t.Fatalf("inbound: %d %v", code, out)
			}
			if code, out := f.call(t, f.key, "GET", "/api/v1/tickets/"+out["ticket"].(string), nil); code != 200 ||
				out["ticket"].(map[string]any)["customer_id"] != "contact:Gita@example.com" || out["ticket"].(map[string]any)["subject"] != "Bulk order" {
				t.Errorf("the form's ticket: %d %v", code, out)
			}
			// Bad input is a 4xx naming the field.
			for _, c := range []struct {
				method, path string
				body         map[string]any
				field        string
			}{
				{"POST", "/api/v1/inbound", map[string]any{"id": "x", "channel": "sms", "from": "not a phone", "text": "hi"}, "from"},
				{"PATCH", "/api/v1/tickets/" + waID, map[string]any{"assignee": "nobody@shop.example"}, "assignee"},
				{"PATCH", "/api/v1/tickets/" + waID, map[string]any{"order_id": "no-such-order"}, "order_id"},
				{"PATCH", "/api/v1/tickets/" + waID, map[string]any{"team": "no such team"}, "team"},
				{"POST", "/api/v1/tickets/" + waID + "/merge", map[string]any{"into": "no-such"}, "into"},
				{"POST", "/api/v1/tickets/" + waID + "/split", map[string]any{"message": 1 << 40}, "message"},
			} {
				code, out := f.call(t, f.key, c.method, c.path, c.body)
				if raw, _ := json.Marshal(out); code != 400 || !strings.Contains(string(raw), c.field) {
					t.Errorf("%s %s: %d %s, want 400 naming %s", c.method, c.path, code, raw, c.field)
				}
			}
			// A retried reply with its key is one reply.
			var lens []int
			for range 2 {
				code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+waID+"/replies", map[string]any{"body": "Sent today", "key": "till-42", "note": true})
				if code != 200 {
					t.Fatalf("a reply with a key: %d %v", code, out)
				}
				lens = append(lens, len(out["messages"].([]any)))
			}
			if lens[0] != lens[1] {
				t.Errorf("the same key twice: %v messages", lens)
			}
			if code, out := f.call(t, f.key, "PATCH", "/api/v1/tickets/"+waID, map[string]any{"tags": []string{"Bulk Order", "pokhara"}}); code != 200 ||
				fmt.Sprint(out["ticket"].(map[string]any)["tags"]) != "[bulk-order pokhara]" {
				t.Errorf("tags: %d %v", code, out)
			}
			_, thread := f.call(t, f.key, "GET", "/api/v1/tickets/"+waID, nil)
			msgs := thread["messages"].([]any)
			last := msgs[len(msgs)-1].(map[string]any)
			if code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+waID+"/split", map[string]any{"message": last["id"]}); code != 200 ||
				len(out["messages"].([]any)) != 1 || out["ticket"].(map[string]any)["id"] == waID {
				t.Errorf("split: %d %v", code, out)
			} else if code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+out["ticket"].(map[string]any)["id"].(string)+"/merge",
				map[string]any{"into": waID}); code != 200 || len(out["messages"].([]any)) != len(msgs) {
				t.Errorf("merge it back: %d %v", code, out)
			}
			if code, _ := f.call(t, f.key, "GET", "/api/v1/tickets/no-such", nil); code != 404 {
				t.Errorf("an unknown ticket: %d", code)
			}
			if code, out := f.call(t, f.key, "PATCH", "/api/v1/tickets/"+waID, map[string]any{"status": "resolved"}); code != 200 ||
				out["ticket"].(map[string]any)["status"] != "resolved" {
				t.Errorf("resolve: %d %v", code, out)
			}
		})
	}
}

// TestDeskMessenger: a Facebook Page's webhook (the verify-token
// handshake, Meta's signature) brings a customer's message to the desk on
// the customer known by their page-scoped id, once however often Meta
// delivers it; the agent's reply goes back through the Send API — tagged
// HUMAN_AGENT more than 24 hours after the customer wrote.
func TestDeskMessenger(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	graph := newCloudAPI(t)
	settings, _ := json.Marshal(messaging.Settings{AllowNetworks: []string{"127.0.0.0/8"},
		Messenger: &messaging.MessengerSettings{PageToken: "cloud-token", AppSecret: "page-secret", VerifyToken: "page-verify", APIBase: graph.URL}})
	if err := f.db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]int{"page-verify": 200, "guess": 403} {
		resp, err := http.Get(f.srv.URL + "/hooks/messenger?hub.mode=subscribe&hub.verify_token=" + token + "&hub.challenge=42")
		if err != nil || resp.StatusCode != want {
			t.Errorf("handshake with %q: %v %v", token, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	post := func(body, sig string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", f.srv.URL+"/hooks/messenger", strings.NewReader(body))
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	msg := fmt.Sprintf(`{"object":"page","entry":[{"id":"PAGE","time":%d,"messaging":[{"sender":{"id":"psid-77"},"recipient":{"id":"PAGE"},
		"timestamp":%d,"message":{"mid":"m_1","text":"रातो कुर्ता छ?"}}]}]}`, now.UnixMilli(), now.UnixMilli())
	if code := post(msg, ""); code != 401 {
		t.Errorf("unsigned: %d", code)
	}
	if code := post(msg, messaging.MetaSignature("another-secret", []byte(msg))); code != 401 {
		t.Errorf("signed with another secret: %d", code)
	}
	if tickets, _ := f.db.Tickets(ctx, store.TicketFilter{View: "all"}); len(tickets) != 0 {
		t.Fatalf("a refused webhook made %d tickets", len(tickets))
	}
	for range 2 {
		if code := post(msg, messaging.MetaSignature("page-secret", []byte(msg))); code != 200 {
			t.Fatalf("signed: %d", code)
		}
	}
	tickets, _ := f.db.Tickets(ctx, store.TicketFilter{View: "all"})
	if len(tickets) != 1 || tickets[0].CustomerRef != "messenger:psid-77" || tickets[0].Channel != "messenger" || tickets[0].Messages != 1 {
		t.Fatalf("tickets: %+v", tickets)
	}
	sender := &scheduler.Sender{DB: f.db, Owner: "test", Settings: (&core.LiveSettings{DB: f.db}).Sender}
	reply := func(text string) map[string]any {
		t.Helper()
		if code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+tickets[0].ExternalID+"/replies", map[string]any{"body": text}); code != 200 {
			t.Fatalf("reply: %d %v", code, out)
		}
		if _, err := core.ConsumeDesk(ctx, f.db); err != nil {
			t.Fatal(err)
		}
		if _, err := sender.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		graph.mu.Lock()
		defer graph.mu.Unlock()
		if len(graph.sent) == 0 {
			t.Fatal("nothing reached the Send API")
		}
		return graph.sent[len(graph.sent)-1]
	}
	got := reply("छ, साइज M र L")
	if got["recipient"].(map[string]any)["id"] != "psid-77" || got["messaging_type"] != "RESPONSE" || got["message"].(map[string]any)["text"] != "छ, साइज M र L" {
		t.Errorf("the reply: %v", got)
	}
	now = now.Add(30 * time.Hour)
	if got := reply("अझै चाहिन्छ?"); got["messaging_type"] != "MESSAGE_TAG" || got["tag"] != "HUMAN_AGENT" {
		t.Errorf("a reply after 24 hours: %v", got)
	}
}
