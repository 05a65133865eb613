package cli_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestKilledImportReruns kills an import with SIGKILL at random points, then
// runs it to the end: every row must be stored exactly once, with the right
// totals, and the database must pass integrity_check.
func TestKilledImportReruns(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	const orders, linesPer = 40000, 2
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "orders.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "order_id,customer_id,placed_at,currency,sku,quantity,unit_price")
	var wantRevenue int64
	for o := 0; o < orders; o++ {
		for l := 0; l < linesPer; l++ {
			price := int64(100 + (o*7+l*13)%900)
			wantRevenue += price * 2
			fmt.Fprintf(w, "o%d,c%d,2026-01-%02d,BDT,sku%d,2,%d.%02d\n", o, o%5000, 1+o%28, l, price/100, price%100)
		}
	}
	w.Flush()
	f.Close()

	db := filepath.Join(dir, "r.db")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	importCmd := func() *exec.Cmd {
		cmd := exec.Command(exe, "import", "orders", csvPath, "--db", db, "--batch", "1000", "--no-progress")
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
		return cmd
	}
	count := func() int64 { return storedOrders(t, db) }
	// Each run is killed after a random delay; a re-run re-reads the file from
	// the top (upserts make that safe), so every run can die anywhere in it.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	midway := 0
	for kill := 0; kill < 3; kill++ {
		cmd := importCmd()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(200+rng.IntN(1200)) * time.Millisecond
		select {
		case <-done:
			t.Logf("run %d finished before its kill at %v", kill+1, delay)
		case <-time.After(delay):
			cmd.Process.Kill() // SIGKILL: no cleanup, no deferred commit
			<-done
			midway++
			t.Logf("run %d: killed after %v with %d orders stored", kill+1, delay, count())
		}
	}
	if midway == 0 {
		t.Fatal("no import was killed midway; the test proved nothing")
	}
	if out, err := importCmd().CombinedOutput(); err != nil {
		t.Fatalf("final import: %v\n%s", err, out)
	}
	raw := storetest.RawSQLite(t, db)
	var nOrders, nLines, nCustomers, revenue int64
	var integrity string
	raw.QueryRow(`SELECT COUNT(*), COALESCE(SUM(total_minor), 0) FROM orders`).Scan(&nOrders, &revenue)
	raw.QueryRow(`SELECT COUNT(*) FROM order_lines`).Scan(&nLines)
	raw.QueryRow(`SELECT COUNT(*) FROM customers`).Scan(&nCustomers)
	raw.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
	if nOrders != orders || nLines != orders*linesPer || nCustomers != 5000 || revenue != wantRevenue || integrity != "ok" {
		t.Fatalf("after kills and a re-run: %d orders, %d lines, %d customers, revenue %d (want %d, %d, 5000, %d); integrity %s",
			nOrders, nLines, nCustomers, revenue, orders, orders*linesPer, wantRevenue, integrity)
	}
}

// TestKilledCDNOWImportKeepsBatches: a CDNOW import commits its batches as
// it goes (each transaction is a whole order), so one killed midway keeps
// what it wrote, and a re-run completes the file with every transaction
// stored once.
func TestKilledCDNOWImportKeepsBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	src := filepath.Join("..", "..", "testdata", "cdnow", "CDNOW_master.txt")
	db := filepath.Join(t.TempDir(), "r.db")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	importCmd := func() *exec.Cmd {
		cmd := exec.Command(exe, "import", "orders", src, "--format", "cdnow", "--db", db, "--batch", "500", "--no-progress")
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
		return cmd
	}
	count := func() int64 { return max(storedOrders(t, db), 0) }
	cmd := importCmd()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Kill it as soon as some orders are stored: a whole-file transaction
	// would show none until the end.
	var seen int64
	for seen == 0 {
		select {
		case <-done:
			t.Fatalf("the import ended before any batch was seen committed (%d orders now): one transaction for the whole file", count())
		case <-time.After(20 * time.Millisecond):
			seen = count()
		}
	}
	cmd.Process.Kill()
	<-done
	kept := count()
	if kept == 0 || kept >= 69659 {
		t.Fatalf("killed midway, %d orders kept", kept)
	}
	if out, err := importCmd().CombinedOutput(); err != nil {
		t.Fatalf("the re-run: %v\n%s", err, out)
	}
	raw := storetest.RawSQLite(t, db)
	var n int64
	var integrity string
	raw.QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&n)
	raw.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
	if n != 69659 || integrity != "ok" {
		t.Fatalf("after a kill (%d kept) and a re-run: %d orders (want 69659), integrity %s", kept, n, integrity)
	}
}

// storedOrders counts the orders in a SQLite file another process writes
// (-1 before the table exists).
func storedOrders(t *testing.T, db string) int64 {
	var n int64
	raw := storetest.RawSQLite(t, db)
	defer raw.Close()
	if err := raw.QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&n); err != nil {
		return -1
	}
	return n
}
