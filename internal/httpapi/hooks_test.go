package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

const inboundSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// TestM10_InboundWebhooks: unsigned, mis-signed and stale requests have no
// effect; a STOP reply withdraws consent once; a delivery report marks the
// message delivered once.
func TestM10_InboundWebhooks(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	settings, _ := json.Marshal(messaging.Settings{InboundSecret: inboundSecret})
	f.db.SetSetting(ctx, messaging.SettingsKey, string(settings))
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C1", Phone: "+8801711000000",
		Consents: []retain.Consent{{Channel: "sms", Purpose: "marketing", Granted: true}}}})
	if _, err := f.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.GetCustomer(ctx, "C1")
	f.db.WithTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.EnqueueMessage(ctx, retain.Message{IdempotencyKey: "m1", CustomerID: c.ID, Channel: "sms", Purpose: "marketing",
			Kind: "x", Recipient: c.Phone, Body: "hi"}) // marketing, consent granted
		return err
	})
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(inboundSecret, "whsec_"))
	post := func(path, id string, at time.Time, body string, sign bool) int {
		req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
		ts := fmt.Sprint(at.Unix())
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", ts)
		if sign {
			req.Header.Set("webhook-signature", "v1,"+messaging.Sign(key, id, ts, []byte(body)))
		} else {
			req.Header.Set("webhook-signature", "v1,"+messaging.Sign([]byte("another secret, 24 bytes+"), id, ts, []byte(body)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A sent message, then its delivery report.
	claimed, _ := f.db.ClaimMessages(ctx, "t", time.Minute, 1)
	att, verdict, err := f.db.BeginSend(ctx, store.SendCheck{ID: claimed[0].ID, Fence: claimed[0].Fence, HoldUntil: now})
	if err != nil || verdict != store.SendGo {
		t.Fatalf("begin send: %s %v", verdict, err)
	}
	f.db.FinishSend(ctx, claimed[0].ID, claimed[0].Fence, att, store.SendResult{Status: retain.MsgSent, ProviderID: "gw-1"})
	report := `{"provider_id": "gw-1", "status": "delivered", "occurred_at": "2026-06-01T09:00:05Z"}`
	if code := post("/hooks/delivery", "d1", now, report, false); code != 401 {
		t.Errorf("unsigned report: %d", code)
	}
	if m, _ := f.db.GetMessage(ctx, claimed[0].ID); m.Status != retain.MsgSent {
		t.Fatalf("a refused report changed the message: %s", m.Status)
	}
	if code := post("/hooks/delivery", "d1", now, report, true); code != 204 {
		t.Errorf("report: %d", code)
	}
	if code := post("/hooks/delivery", "d1", now, report, true); code != 200 {
		t.Errorf("replayed report: %d", code)
	}
	if m, _ := f.db.GetMessage(ctx, claimed[0].ID); m.Status != retain.MsgDelivered {
		t.Errorf("after the report: %s", m.Status)
	}
	if code := post("/hooks/delivery", "d2", now, `{"provider_id": "nope", "status": "delivered"}`, true); code != 404 {
		t.Errorf("report on an unknown message: %d", code)
	}

	stop := `{"from": "+8801711000000", "text": " STOP ", "channel": "sms"}`
	if code := post("/hooks/reply", "r1", now, stop, false); code != 401 {
		t.Errorf("wrong signature: %d", code)
	}
	if code := post("/hooks/reply", "r1", now.Add(-6*time.Minute), stop, true); code != 401 {
		t.Errorf("stale timestamp: %d", code)
	}
	if code := post("/hooks/reply", "r1", now.Add(6*time.Minute), stop, true); code != 401 {
		t.Errorf("future timestamp: %d", code)
	}
	if !marketingGranted(t, f.db, "C1") {
		t.Fatal("a refused request changed consent")
	}
	if code := post("/hooks/reply", "r1", now, stop, true); code != 204 {
		t.Errorf("valid STOP: %d", code)
	}
	if marketingGranted(t, f.db, "C1") {
		t.Error("STOP did not withdraw marketing consent")
	}
	if code := post("/hooks/reply", "r1", now, stop, true); code != 200 {
		t.Errorf("replayed STOP: %d", code)
	}
}

func marketingGranted(t *testing.T, db *store.DB, customerID string) bool {
	t.Helper()
	c, err := db.GetCustomer(context.Background(), customerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.Consents {
		if k.Channel == "sms" && k.Purpose == "marketing" {
			return k.Granted
		}
	}
	return false
}

// TestWhatsAppCloudWebhook: Meta's handshake echoes the challenge only for
// the business's verify token; a POST without Meta's signature or with a
// wrong one is refused (401) and changes nothing; a signed one answers the
// customer's survey with the tapped row, once however often Meta delivers
// it, and a status marks our message delivered.
func TestWhatsAppCloudWebhook(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	const secret = "meta-app-secret-1"
	settings, _ := json.Marshal(messaging.Settings{PublicURL: "https://shop.example", AllowNetworks: []string{"127.0.0.0/8"},
		WhatsApp: &messaging.WhatsAppSettings{APIBase: "http://127.0.0.1:1", PhoneNumberID: "1", Token: "t", AppSecret: secret, VerifyToken: "my-verify"}})
	f.db.SetSetting(ctx, messaging.SettingsKey, string(settings))
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C1", Phone: "+9779801234567", Locale: "ne"}})
	if _, err := f.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil {
		t.Fatal(err)
	}
	res, err := core.SendSurvey(ctx, f.db, &core.LiveSettings{DB: f.db}, retain.System("test"), core.SurveyRequest{Key: "k1", Survey: "csat", Customer: "C1"})
	if err != nil || !res.Created || res.Channel != retain.ChannelWhatsApp {
		t.Fatalf("invite: %+v %v", res, err)
	}

	get := func(q string) (int, string) {
		resp, err := http.Get(f.srv.URL + "/hooks/whatsapp?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("hub.mode=subscribe&hub.verify_token=my-verify&hub.challenge=1158201444"); code != 200 || body != "1158201444" {
		t.Errorf("the handshake: %d %q", code, body)
	}
	if code, _ := get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"); code != 403 {
		t.Errorf("the handshake with a wrong token: %d", code)
	}
	post := func(body, sig string) int { return postMeta(t, f, body, sig) }
	tap := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"contacts":[{"profile":{"name":"Asha"},"wa_id":"9779801234567"}],
		"messages":[{"from":"9779801234567","id":"wamid.IN1","timestamp":"1780286400","type":"interactive",
		"interactive":{"type":"list_reply","list_reply":{"id":"score:2","title":"२"}}}]}}]}]}`
	answered := func() int {
		answers, _, err := f.db.Answers(ctx, store.AnswerFilter{Kind: "csat"})
		if err != nil {
			t.Fatal(err)
		}
		return len(answers)
	}
	if code := post(tap, ""); code != 401 || answered() != 0 {
		t.Errorf("unsigned: %d, %d answers", code, answered())
	}
	if code := post(tap, messaging.MetaSignature("another secret", []byte(tap))); code != 401 || answered() != 0 {
		t.Errorf("signed with another secret: %d, %d answers", code, answered())
	}
	for i := 0; i < 2; i++ { // Meta delivers at least once
		if code := post(tap, messaging.MetaSignature(secret, []byte(tap))); code != 200 {
			t.Fatalf("signed, delivery %d: %d", i+1, code)
		}
	}
	answers, _, _ := f.db.Answers(ctx, store.AnswerFilter{Kind: "csat"})
	if len(answers) != 1 || answers[0].Score != 2 {
		t.Fatalf("the tapped score: %+v", answers)
	}
	inv, ok, _ := f.db.OpenInvitation(ctx, "+9779801234567", retain.ChannelWhatsApp)
	if !ok || inv.Awaiting != "comment" || inv.Answers["score"] != "2" {
		t.Errorf("the invitation after the tap: %+v", inv)
	}
	// The comment, typed: the same thread.
	comment := strings.Replace(strings.Replace(tap, `"type":"interactive",
		"interactive":{"type":"list_reply","list_reply":{"id":"score:2","title":"२"}}`, `"type":"text","text":{"body":"पार्सल च्यातिएको थियो"}`, 1), "wamid.IN1", "wamid.IN2", 1)
	if code := post(comment, messaging.MetaSignature(secret, []byte(comment))); code != 200 {
		t.Fatalf("the comment: %d", code)
	}
	if answers, _, _ := f.db.Answers(ctx, store.AnswerFilter{Kind: "csat"}); len(answers) != 1 || answers[0].Comment != "पार्सल च्यातिएको थियो" {
		t.Errorf("the comment on the answer: %+v", answers)
	}
	// The survey is over: the next message is the customer's to be read,
	// a ticket in the support desk, not an answer.
	question := strings.Replace(comment, "पार्सल च्यातिएको थियो", "मेरो अर्को अर्डर कहिले आउँछ?", 1)
	question = strings.Replace(question, "wamid.IN2", "wamid.IN3", 1)
	for range 2 { // Meta redelivers: one message
		if code := post(question, messaging.MetaSignature(secret, []byte(question))); code != 200 {
			t.Fatalf("a question: %d", code)
		}
	}
	tickets, err := f.db.Tickets(ctx, store.TicketFilter{View: "all"})
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets: %+v %v", tickets, err)
	}
	if tk := tickets[0]; tk.CustomerRef != "C1" || tk.Channel != "whatsapp" || tk.Status != "new" || tk.Subject != "मेरो अर्को अर्डर कहिले आउँछ?" {
		t.Errorf("the ticket: %+v", tk)
	}
	thread, err := f.db.Thread(ctx, tickets[0].ID)
	if err != nil || len(thread) != 1 || thread[0].Author != "customer" || thread[0].Body != "मेरो अर्को अर्डर कहिले आउँछ?" {
		t.Errorf("the thread: %+v %v", thread, err)
	}
}

// postMeta posts a WhatsApp Cloud API webhook with its signature ("" for none).
func postMeta(t *testing.T, f *fixture, body, sig string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+"/hooks/whatsapp", strings.NewReader(body))
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
