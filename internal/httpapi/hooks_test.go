package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
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
