package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/courier"
	"github.com/retainhq/retain/internal/store"
)

// TestCourierWebhooks: two couriers connected without code — one signing
// with a token, one with an HMAC of the body and its fields nested — drive
// an order's events on both databases: picked up is shipped with the
// tracking link made from the code, on the way is out for delivery with
// the rider's number, and the customer's shipped message carries the link.
// A retried webhook changes nothing, a status not mapped is acknowledged
// and ignored, a bad token or signature is 401, an unknown connector or
// order 404, and a body without the order 400 naming its field.
func TestCourierWebhooks(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := retain.System("test")
		cs := []courier.Connector{
			{Key: "dhaka-express", Name: "Dhaka Express", Auth: "token", Header: "X-Webhook-Token", Secret: "token-0123456789abcdef",
				Fields:      courier.Fields{Order: "invoice", Tracking: "tracking_code", Status: "delivery_status", Reason: "note", Rider: "rider_phone"},
				Statuses:    map[string]string{"picked": "shipped", "on_the_way": "out_for_delivery", "delivered": "delivered", "cancelled": "refused"},
				TrackingURL: "https://courier.example/t/{tracking}"},
			{Key: "kathmandu-post", Name: "Kathmandu Post", Auth: "hmac-sha256", Header: "X-Signature", Secret: "hmac-secret-0123456789",
				Fields:   courier.Fields{Order: "data.merchant_order_id", Tracking: "data.consignment_id", Status: "data.order_status", At: "data.updated_at"},
				Statuses: map[string]string{"Delivered": "delivered"}},
		}
		bad := cs[0]
		bad.Statuses = map[string]string{"picked": "teleported"}
		if err := core.SaveCouriers(ctx, f.db, admin, []courier.Connector{bad}); err == nil || !strings.Contains(err.Error(), "couriers[0].statuses.picked") {
			t.Errorf("a status mapped to no event: %v", err)
		}
		if err := core.SaveCouriers(ctx, f.db, admin, cs); err != nil {
			t.Fatal(err)
		}
		if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetPlaybookEnabled(ctx, admin, "order_shipped", true); err != nil {
			t.Fatal(err)
		}
		var b store.Batch
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "rupa", Name: "রূপা দাস", Phone: "+8801711000999", Locale: "bn"}})
		for _, id := range []string{"INV-1", "NP-2"} {
			b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: "rupa", Currency: "BDT", Total: 150000, HasTotal: true, PlacedAt: f.db.Now().Add(-time.Hour)}})
		}
		if _, err := core.Ingest(ctx, f.db, admin, core.Rows(&b)); err != nil {
			t.Fatal(err)
		}
		hook := func(key, header, value, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/hooks/courier/"+key, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if header != "" {
				req.Header.Set(header, value)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(out)
		}
		token := "token-0123456789abcdef"
		picked := `{"invoice": "INV-1", "tracking_code": "DX 77", "delivery_status": "picked"}`
		if code, out := hook("dhaka-express", "X-Webhook-Token", token, picked); code != 200 || !strings.Contains(out, `"event":"shipped"`) {
			t.Fatalf("picked: %d %s", code, out)
		}
		if code, out := hook("dhaka-express", "X-Webhook-Token", token, picked); code != 200 || !strings.Contains(out, `"repeated":true`) {
			t.Errorf("retried: %d %s", code, out)
		}
		if code, out := hook("dhaka-express", "X-Webhook-Token", token, `{"invoice": "INV-1", "tracking_code": "DX 77", "delivery_status": "at_hub"}`); code != 200 || !strings.Contains(out, "ignored") {
			t.Errorf("an unmapped status: %d %s", code, out)
		}
		if code, _ := hook("dhaka-express", "X-Webhook-Token", token, `{"invoice": "INV-1", "tracking_code": "DX 77", "delivery_status": "on_the_way", "rider_phone": "01819-000111"}`); code != 200 {
			t.Errorf("on the way: %d", code)
		}
		for _, c := range []struct {
			key, header, value, body string
			want                     int
		}{
			{"dhaka-express", "X-Webhook-Token", "wrong-token-000000000", picked, 401},
			{"dhaka-express", "", "", picked, 401},
			{"nobody", "X-Webhook-Token", token, picked, 404},
			{"dhaka-express", "X-Webhook-Token", token, `{"invoice": "INV-404", "delivery_status": "picked"}`, 404},
			{"dhaka-express", "X-Webhook-Token", token, `{"delivery_status": "picked"}`, 400},
			{"dhaka-express", "X-Webhook-Token", token, `not json`, 400},
		} {
			if code, out := hook(c.key, c.header, c.value, c.body); code != c.want {
				t.Errorf("%s %q %s: %d %s, want %d", c.key, c.value, c.body, code, out, c.want)
			} else if c.want == 400 && strings.Contains(c.body, "delivery_status") && !strings.Contains(out, "invoice") {
				t.Errorf("a body without the order names the field: %s", out)
			}
		}
		nested := `{"event": "order.update", "data": {"merchant_order_id": "NP-2", "consignment_id": "KP-9", "order_status": "Delivered", "updated_at": "2026-03-20T10:00:00Z"}}`
		mac := hmac.New(sha256.New, []byte("hmac-secret-0123456789"))
		mac.Write([]byte(nested))
		if code, out := hook("kathmandu-post", "X-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)), nested); code != 200 || !strings.Contains(out, `"event":"delivered"`) {
			t.Errorf("signed: %d %s", code, out)
		}
		if code, _ := hook("kathmandu-post", "X-Signature", "sha256="+strings.Repeat("0", 64), nested); code != 401 {
			t.Errorf("badly signed: %d", code)
		}
		runner := &core.Runner{DB: f.db, Business: "Dhaka Tea House", Channels: map[string]bool{"sms": true}}
		if _, err := core.Detect(ctx, f.db, core.DetectOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		msgs, err := f.db.Messages(ctx, store.MessageFilter{Limit: 10})
		if err != nil || len(msgs) != 1 || msgs[0].Kind != "order.shipped" || !strings.Contains(msgs[0].Body, "https://courier.example/t/DX%2077") {
			t.Errorf("the shipped message: %+v %v", msgs, err)
		}
		if s, err := f.db.Summary(ctx); err != nil || s.OrderEventsByType["shipped"] != 1 || s.OrderEventsByType["out_for_delivery"] != 1 || s.OrderEventsByType["delivered"] != 1 {
			t.Errorf("order events: %v %v", s.OrderEventsByType, err)
		}
	})
}
