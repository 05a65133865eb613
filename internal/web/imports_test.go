package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/importer"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// runImports runs the imports job once, as serve does every few seconds.
func runImports(t testing.TB, s *site) {
	t.Helper()
	if _, err := importer.RunQueued(context.Background(), s.db); err != nil {
		t.Fatal(err)
	}
}

// importsInBackground runs the imports job as serve does, until the test
// ends.
func importsInBackground(t testing.TB, db *store.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	jobs := scheduler.NewJobs(db, "test", nil, nil)
	jobs.Add(scheduler.Job{Name: "imports", Every: 100 * time.Millisecond, Run: func(ctx context.Context) (string, error) {
		return importer.RunQueued(ctx, db)
	}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.Serve(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// queueImport uploads csv as an orders file, maps its four columns and
// queues it; it returns the import's page.
func queueImport(t *testing.T, c *client, csv string) string {
	t.Helper()
	_, page := c.upload("/import/preview", map[string]string{"kind": "orders", "currency": "BDT", "time_zone": "Asia/Dhaka"}, "file", "বিক্রি.csv", []byte(csv))
	m := uploadRef.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no preview: %.300q", page)
	}
	run := url.Values{"kind": {"orders"}, "currency": {"BDT"}, "time_zone": {"Asia/Dhaka"}, "upload": {m[1]}, "file_name": {"বিক্রি.csv"},
		"map.0": {"order_id"}, "map.1": {"customer_id"}, "map.2": {"placed_at"}, "map.3": {"total"}}
	if code, _ := c.post("/import/run", run, ""); code != http.StatusSeeOther {
		t.Fatalf("queueing: %d", code)
	}
	return c.lastLocation
}

// TestImportRejectsDownload: an import with more refused rows than its
// page lists says how many it shows of how many, and its rejects file has
// every one, with a byte order mark for Excel when asked; the file it read
// is gone once imported; the page and the file are an importer's only.
func TestImportRejectsDownload(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	var b strings.Builder
	b.WriteString("Order No,Customer,Date,Amount\nR-1,rc-1,2026-03-01,1550\n")
	for i := range 250 {
		fmt.Fprintf(&b, "R-%d,rc-1,2026-03-01,not money\n", i+2)
	}
	b.WriteString("R-999,rc-2,2026-03-02,990\n")
	page := queueImport(t, c, b.String())
	runImports(t, s)
	code, body := c.get(page)
	if code != http.StatusOK || !strings.Contains(body, "2 of 252 rows imported; 250 refused.") || !strings.Contains(body, "The first 200 of 250.") {
		t.Fatalf("the result: %d %.2000s", code, body[strings.Index(body, "<main"):])
	}
	if n := strings.Count(body[strings.Index(body, `class="rejects"`):], "<tr>") - 1; n != importer.KeepRefused {
		t.Errorf("the page lists %d refused rows, want %d", n, importer.KeepRefused)
	}
	code, file := c.get(page + "/rejects.csv")
	if code != http.StatusOK || !strings.HasPrefix(file, "line,reason,row\n3,") || strings.Count(file, "\n") != 251 {
		t.Errorf("the rejects file: %d, %d lines: %.200q", code, strings.Count(file, "\n"), file)
	}
	if _, excel := c.get(page + "/rejects.csv?excel=1"); !strings.HasPrefix(excel, "\ufeffline,reason,row\n") {
		t.Errorf("the rejects file for Excel: %.40q", excel)
	}
	run, err := s.db.Import(context.Background(), importID(t, page))
	if _, statErr := os.Stat(run.SourcePath); err != nil || !os.IsNotExist(statErr) {
		t.Errorf("the imported file %q is still kept: %v", run.SourcePath, err)
	}
	if code, list := c.get("/import"); code != http.StatusOK || !strings.Contains(list, `href="`+page+`"`) {
		t.Errorf("the import page (%d) does not list the import", code)
	}
	for _, bad := range []string{"/import/999999", "/import/x", "/import/999999/rejects.csv"} {
		if code, _ := c.get(bad); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, code)
		}
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	for _, p := range []string{page, page + "/rejects.csv"} {
		if code, _ := agent.get(p); code != http.StatusForbidden {
			t.Errorf("an agent on %s: %d, want 403", p, code)
		}
	}
}

// TestImportInterrupted: an import a stopped process left running is
// failed by the next run of the job, and its page says so and what to do.
func TestImportInterrupted(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	page := queueImport(t, c, "Order No,Customer,Date,Amount\nI-1,ic-1,2026-03-01,1550\n")
	if _, ok, err := s.db.ClaimImport(context.Background(), importID(t, page)); !ok || err != nil { // the process that claimed it is gone
		t.Fatal(ok, err)
	}
	runImports(t, s)
	_, body := c.get(page)
	if !strings.Contains(body, `data-status="failed"`) || !strings.Contains(body, "The server stopped during the import") {
		t.Errorf("the interrupted import: %.1500s", body[strings.Index(body, "<main"):])
	}
	if _, err := s.db.GetOrder(context.Background(), "I-1"); err == nil {
		t.Error("the interrupted import was run after all")
	}
}

func importID(t *testing.T, page string) int64 {
	var id int64
	if _, err := fmt.Sscanf(page, "/import/%d", &id); err != nil {
		t.Fatal(page, err)
	}
	return id
}

// TestImportFileElsewhere: with several processes, an import's file is on
// the machine it was uploaded to; a process that cannot see it leaves the
// import queued, and the one that can runs it.
func TestImportFileElsewhere(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	c := s.client(t)
	c.login("admin@shop.example", password)
	page := queueImport(t, c, "Order No,Customer,Date,Amount\nF-1,fc-1,2026-03-01,1550\n")
	run, err := s.db.Import(ctx, importID(t, page))
	if err != nil {
		t.Fatal(err)
	}
	away := run.SourcePath + ".elsewhere"
	if err := os.Rename(run.SourcePath, away); err != nil {
		t.Fatal(err)
	}
	runImports(t, s)
	if run, _ := s.db.Import(ctx, run.ID); run.Status != "queued" {
		t.Fatalf("an import whose file this process cannot see: %s", run.Status)
	}
	os.Rename(away, run.SourcePath)
	runImports(t, s)
	if run, _ := s.db.Import(ctx, run.ID); run.Status != "done" || run.RowsOK != 1 {
		t.Errorf("once the file is here: %s, %d rows", run.Status, run.RowsOK)
	}
}

// TestRejectsFilesExpire: 30 days after an import ended its rejects file
// is removed (by the prune job) and its page no longer offers it; the
// download says it is gone.
func TestRejectsFilesExpire(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	c := s.client(t)
	c.login("admin@shop.example", password)
	page := queueImport(t, c, "Order No,Customer,Date,Amount\nX-1,xc-1,2026-03-01,not money\n")
	runImports(t, s)
	run, _ := s.db.Import(ctx, importID(t, page))
	if _, err := os.Stat(run.RejectsPath); err != nil {
		t.Fatalf("no rejects file: %v", err)
	}
	if n, err := importer.ExpireRejects(ctx, s.db); err != nil || n != 0 {
		t.Fatalf("a fresh rejects file expired: %d %v", n, err)
	}
	now := s.db.Now()
	s.db.Now = func() time.Time { return now.Add(importer.KeepRejects + time.Hour) }
	if n, err := importer.ExpireRejects(ctx, s.db); err != nil || n != 1 {
		t.Fatalf("expiring: %d %v", n, err)
	}
	if _, err := os.Stat(run.RejectsPath); !os.IsNotExist(err) {
		t.Errorf("the rejects file is still there: %v", err)
	}
	c = s.client(t) // a month on, yesterday's session has ended
	c.login("admin@shop.example", password)
	if code, body := c.get(page); code != http.StatusOK || strings.Contains(body, `id="rejects-download"`) {
		t.Errorf("the page (%d) still offers the expired file", code)
	}
	if code, _ := c.get(page + "/rejects.csv"); code != http.StatusNotFound {
		t.Errorf("downloading an expired file: %d", code)
	}
}
