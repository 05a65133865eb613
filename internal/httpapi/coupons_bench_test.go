package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// BenchmarkRedemptionAPI: a till's coupon at the counter through the API —
// hold the customer's coupon for the sale, then confirm it — against, as
// the baseline measured beside it, reading the customer's points. Reports
// the p50 and p99 of each and the ratio of the p99s.
//
//	go test ./internal/httpapi -run '^$' -bench RedemptionAPI -benchtime 2000x
func BenchmarkRedemptionAPI(b *testing.B) {
	f := newFixture(b, storetest.SQLite)
	ctx := context.Background()
	var batch store.Batch
	for i := range 200 {
		batch.Customers = append(batch.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("B", i), Name: fmt.Sprint("Customer ", i)}})
	}
	if _, err := f.db.Apply(ctx, &batch); err != nil {
		b.Fatal(err)
	}
	work := core.Work{DB: f.db}
	codes := make([]string, b.N)
	for i := range b.N {
		c, _, err := work.IssueCoupon(ctx, retain.System("bench"), core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 10000},
			Customer: fmt.Sprint("B", i%200), Key: fmt.Sprint("bench-", i)})
		if err != nil {
			b.Fatal(err)
		}
		codes[i] = c.Code
	}
	_, till, err := f.db.CreateAPIKey(ctx, retain.System("test"), "till", []retain.Scope{retain.ScopeWrite})
	if err != nil {
		b.Fatal(err)
	}
	redeem, read := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		ref := fmt.Sprint("B", i%200)
		start := time.Now()
		code, out := f.call(b, till, "POST", "/api/v1/coupons/holds", map[string]any{"code": codes[i], "customer_id": ref, "total_minor": 150000,
			"currency": "BDT", "key": fmt.Sprint("sale-", i)})
		if code != 200 {
			b.Fatalf("hold: %d %v", code, out)
		}
		if code, out := f.call(b, till, "POST", fmt.Sprintf("/api/v1/coupons/holds/sale-%d/confirm", i), map[string]any{"order_id": fmt.Sprint("W", i)}); code != 200 {
			b.Fatalf("confirm: %d %v", code, out)
		}
		redeem = append(redeem, time.Since(start))
		start = time.Now()
		if code, _ := f.call(b, till, "GET", "/api/v1/customers/"+ref+"/points", nil); code != 200 {
			b.Fatalf("points: %d", code)
		}
		read = append(read, time.Since(start))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(redeem, 0.5), "redeem-p50-ms")
	b.ReportMetric(pct(redeem, 0.99), "redeem-p99-ms")
	b.ReportMetric(pct(read, 0.5), "read-p50-ms")
	b.ReportMetric(pct(read, 0.99), "read-p99-ms")
	b.ReportMetric(pct(redeem, 0.99)/pct(read, 0.99), "p99-ratio")
}
