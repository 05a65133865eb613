package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/courier"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// BenchmarkCourierWebhook: a courier's status webhooks, one update a
// request (token-checked, mapped, recorded as an order event), against,
// as the baseline measured beside it, the same order events posted one a
// request to the events API. Reports webhooks a second and the ratio.
//
//	go test ./internal/httpapi -run '^$' -bench CourierWebhook -benchtime 2000x
func BenchmarkCourierWebhook(b *testing.B) {
	f := newFixture(b, storetest.SQLite)
	ctx := context.Background()
	if err := core.SaveCouriers(ctx, f.db, retain.System("bench"), []courier.Connector{{Key: "dx", Auth: "token", Header: "X-Token", Secret: "bench-token-0123456789",
		Fields: courier.Fields{Order: "invoice", Tracking: "code", Status: "status"}, Statuses: map[string]string{"picked": "shipped", "delivered": "delivered"}}}); err != nil {
		b.Fatal(err)
	}
	var batch store.Batch
	batch.Customers = append(batch.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "bc", Name: "Bench"}})
	for i := range 2 * b.N {
		batch.Orders = append(batch.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprint("BO-", i), CustomerRef: "bc", Currency: "BDT", Total: 1000, HasTotal: true,
			PlacedAt: f.db.Now().Add(-time.Hour)}})
	}
	if _, err := f.db.Apply(ctx, &batch); err != nil {
		b.Fatal(err)
	}
	post := func(path string, header map[string]string, body string) {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %v %v", path, resp.Status, err)
		}
		resp.Body.Close()
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		post("/hooks/courier/dx", map[string]string{"X-Token": "bench-token-0123456789"}, fmt.Sprintf(`{"invoice": "BO-%d", "code": "C%d", "status": "picked"}`, i, i))
	}
	hooks := time.Since(start)
	start = time.Now()
	for i := range b.N {
		post("/api/v1/events", map[string]string{"Authorization": "Bearer " + f.key},
			fmt.Sprintf(`{"events": [{"id": "be-%d", "type": "order.shipped", "order_id": "BO-%d"}]}`, i, b.N+i))
	}
	events := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/hooks.Seconds(), "webhooks/s")
	b.ReportMetric(float64(b.N)/events.Seconds(), "events-api/s")
	b.ReportMetric(hooks.Seconds()/events.Seconds(), "time-ratio")
}
