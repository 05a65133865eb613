package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/web"
)

// BenchmarkPages times the dashboard, a filtered and sorted customer list at
// page 100, and a customer 360 on the 1,000,000-customer database that
// BenchmarkScore in internal/core builds (RETAIN_BENCH_DB names another),
// and reports each page's p95 over 20 requests.
func BenchmarkPages(b *testing.B) {
	path := os.Getenv("RETAIN_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "retain-bench-score-1000000.db")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no benchmark database at %s: run RETAIN_BENCH_CUSTOMERS=1000000 go test -run '^$' -bench Score ./internal/core first", path)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	benchWork(b, db)
	c := benchClient(b, db)
	b.ResetTimer()
	for _, p := range []struct{ name, path string }{
		{"dashboard", "/"},
		{"customers", "/customers?segment=loyal&sort=-clv&page=100"},
		{"customer360", "/customers/500000"},
		{"customers_at_risk", "/customers?at_risk=1&page=20"},
		{"customers_stage", "/customers?stage=lapsed&sort=-clv&page=20"},
		{"customers_stage_newest", "/customers?stage=lapsed"},
		{"customers_stage_health", "/customers?stage=active&sort=-health&page=5"},
		{"customers_stage_prospect", "/customers?stage=prospect"},
		{"inbox", "/inbox"},
		{"inbox_filtered", "/inbox?reason=complaint&ap=20"},
	} {
		pageTimes(b, c, p.name, p.path)
	}
}

// benchWork gives the benchmark database its work, once: an alert for
// every tenth customer (100,000, a fifth of them complaints) and a task for
// every twentieth (50,000), as a busy business would have open.
func benchWork(b *testing.B, db *store.DB) {
	ctx := context.Background()
	n, err := db.CountAlerts(ctx, store.AlertFilter{})
	if err != nil {
		b.Fatal(err)
	}
	if n >= 100000 {
		return
	}
	now := db.Now()
	reasons := []string{"complaint", "detractor", "overdue", "slowing", "return"}
	page := store.Page{Limit: 50000}
	for n := 0; ; n++ {
		custs, more, err := db.CustomerRecords(ctx, page, store.RecordFilter{})
		if err != nil {
			b.Fatal(err)
		}
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			for i, c := range custs {
				k := n*page.Limit + i
				if k%10 == 0 {
					if _, _, err := tx.RaiseAlert(ctx, retain.Alert{CustomerID: c.ID, Type: "risk", Reason: reasons[(k/10)%5], Severity: "medium",
						Title: "bench", Source: "bench", DueAt: now.Add(24 * time.Hour)}); err != nil {
						return err
					}
				}
				if k%20 == 0 {
					if _, _, err := tx.CreateTask(ctx, retain.Task{IdempotencyKey: fmt.Sprintf("bench-%d", c.ID), CustomerID: c.ID, Title: "bench",
						DueAt: now.Add(time.Duration(k%72) * time.Hour), Source: "manual"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if !more {
			return
		}
		page.AfterID = custs[len(custs)-1].ID
	}
}

// benchClient serves db's UI and signs an admin in to it.
func benchClient(b *testing.B, db *store.DB) *client {
	hash, _ := auth.HashPassword(password)
	db.AddUser(context.Background(), retain.System("test"), store.User{Email: "bench@shop.example", Name: "Bench", Role: "admin"}, hash)
	mux := http.NewServeMux()
	web.New(mux, db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	c := (&site{db: db, srv: srv}).client(b)
	if code := c.login("bench@shop.example", password); code != http.StatusSeeOther {
		b.Fatalf("login: %d", code)
	}
	return c
}

// pageTimes requests path 20 times and reports its p95 and p50 as name's.
func pageTimes(b *testing.B, c *client, name, path string) {
	var times []time.Duration
	for range 20 {
		start := time.Now()
		if code, _ := c.get(path); code != 200 {
			b.Fatalf("%s: %d", path, code)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[18].Milliseconds()), name+"_p95_ms")
	b.ReportMetric(float64(times[10].Milliseconds()), name+"_p50_ms")
}
