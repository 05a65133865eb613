package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// BenchmarkBaselineRawInsert is the yardstick for BenchmarkImportSQLite: the
// same rows' ten fields inserted as text into one plain SQLite table with no
// index, no parsing, no validation and no merge, in transactions of 20,000
// rows. Import throughput is reported as a fraction of this, which varies
// less between machines than rows/s.
func BenchmarkBaselineRawInsert(b *testing.B) {
	n := benchLines(b)
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "raw.db")
		db := storetest.RawSQLite(b, path+"?_journal_mode=WAL&_synchronous=FULL")
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE t (a, b, c, d, e, f, g, h, i, j)`); err != nil {
			b.Fatal(err)
		}
		row := "(?,?,?,?,?,?,?,?,?,?)"
		stmtSQL := "INSERT INTO t VALUES " + row + strings.Repeat(","+row, 255)
		b.StartTimer()
		args := make([]any, 0, 2560)
		for start := 0; start < n; start += 20000 {
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			stmt, err := tx.Prepare(stmtSQL)
			if err != nil {
				b.Fatal(err)
			}
			for c := start; c < min(start+20000, n); c += 256 {
				args = args[:0]
				for i := c; i < c+256; i++ {
					o := i / 4
					args = append(args, fmt.Sprintf("O%08d", o), fmt.Sprintf("C%07d", o/10), "2025-01-01T00:00:00Z", "BDT", "web",
						"SKU001", "Product 1", "cat1", "2", "50.00")
				}
				if _, err := stmt.Exec(args...); err != nil {
					b.Fatal(err)
				}
			}
			stmt.Close()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
