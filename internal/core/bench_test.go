package core_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// benchDB returns a SQLite database of n simulated customers with about ten
// orders each, built once and kept in the temporary directory (building
// 1M customers takes minutes). RETAIN_BENCH_CUSTOMERS sets n (default 100,000).
func benchDB(b *testing.B) (*store.DB, string) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("RETAIN_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("retain-bench-score-%d.db", n))
	ctx := context.Background()
	_, statErr := os.Stat(path)
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if statErr == nil {
		return db, path
	}
	b.Logf("building %s", path)
	// Purchase days: BG/NBD with rate λ ~ Gamma(2, 1/36 per day) and drop-out
	// p ~ Beta(0.6, 6) after each repeat purchase, first purchase in the two
	// years before the end; values ~ a customer level × Gamma noise.
	src := rand.New(rand.NewPCG(42, 42))
	lam := distuv.Gamma{Alpha: 2, Beta: 36, Src: src}
	drop := distuv.Beta{Alpha: 0.6, Beta: 6, Src: src}
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var batch store.Batch
	orders := 0
	for c := 0; c < n; c++ {
		l, p := lam.Rand(), drop.Rand()
		level := 500 + 3000*src.Float64()
		t := end.Add(-time.Duration(src.Float64()*730*24) * time.Hour)
		for k := 0; t.Before(end); k++ {
			orders++
			batch.Orders = append(batch.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprintf("o%d", orders),
				CustomerRef: fmt.Sprintf("c%d", c), Currency: "BDT", Total: int64(level * (0.5 + src.Float64()) * 100), HasTotal: true, PlacedAt: t}})
			if k > 0 && src.Float64() < p {
				break
			}
			t = t.Add(time.Duration(src.ExpFloat64() / l * 24 * float64(time.Hour)))
		}
		if len(batch.Orders) >= 50_000 || c == n-1 {
			if _, err := db.Apply(ctx, &batch); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	b.Logf("%d customers, %d orders", n, orders)
	return db, path
}

func BenchmarkScore(b *testing.B) {
	db, _ := benchDB(b)
	defer db.Close()
	b.ResetTimer()
	var res *core.ScoreResult
	for range b.N {
		var err error
		res, err = core.Score(context.Background(), db, core.ScoreOptions{Model: "bgnbd", CalibrationEnd: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Customers), "customers")
	b.ReportMetric(float64(res.Orders), "orders")
	for k, v := range res.Timings {
		b.ReportMetric(v, k+"_s")
	}
}
