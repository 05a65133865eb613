package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/retainhq/retain/internal/importer"
	"github.com/retainhq/retain/internal/store/storetest"
)

// benchLines is the size of the import benchmark; override with
// RETAIN_BENCH_LINES (the target is measured at 1,000,000).
func benchLines(b *testing.B) int {
	if v, err := strconv.Atoi(os.Getenv("RETAIN_BENCH_LINES")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

// WriteOrdersCSV writes an orders file of n line-item rows: 4 lines per
// order, 10 orders per customer, 200 products in 10 categories.
func writeOrdersCSV(b *testing.B, path string, n int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "order_id,customer_id,placed_at,currency,channel,sku,product_name,category,quantity,unit_price")
	for i := 0; i < n; i++ {
		o := i / 4
		p := (i*7919 + o) % 200
		fmt.Fprintf(w, "O%08d,C%07d,2025-%02d-%02dT%02d:%02d:00Z,BDT,web,SKU%03d,Product %d,cat%d,%d,%d.%02d\n",
			o, o/10, 1+o%12, 1+o%28, o%24, o%60, p, p, p%10, 1+i%3, 50+p*3, i%100)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

func benchmarkImport(b *testing.B, open storetest.Opener) {
	n := benchLines(b)
	path := filepath.Join(b.TempDir(), "orders.csv")
	writeOrdersCSV(b, path, n)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := open(b)
		b.StartTimer()
		res, err := importer.File(context.Background(), db, path, "", importer.Options{Kind: "orders"})
		if err != nil || res.Imported != int64(n) {
			b.Fatalf("import: %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkImportSQLite(b *testing.B)   { benchmarkImport(b, storetest.SQLite) }
func BenchmarkImportPostgres(b *testing.B) { benchmarkImport(b, storetest.Postgres) }
