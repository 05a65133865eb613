package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// BenchmarkDesk times the support desk's inbox (its views with their
// counts, a search, a page deep in the list) and a ticket page on a
// database of RETAIN_BENCH_TICKETS tickets (default 1,000,000; 2% still
// open, the rest resolved; a thread of two messages each) over a tenth as
// many customers, built once in the temporary directory, and reports each
// page's p50 and p95 over 20 requests. It also reports how many inbound
// messages a second TakeInbound files one after another (the webhooks'
// path), as baseline-free figures of this machine.
//
//	RETAIN_BENCH_TICKETS=1000000 go test -run '^$' -bench Desk -benchtime 1x ./internal/web
func BenchmarkDesk(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RETAIN_BENCH_TICKETS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("retain-bench-desk-%d.db", n))
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	buildStart := time.Now() // how long the build takes, not a date
	if err := benchTickets(ctx, db, n); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(buildStart).Seconds(), "build_s")
	c := benchClient(b, db)
	b.ResetTimer()
	for _, p := range []struct{ name, path string }{
		{"inbox_open", "/desk"},
		{"inbox_breaching", "/desk?view=breaching"},
		{"inbox_all_page_100", "/desk?view=all&sort=-opened&page=100"},
		{"inbox_search", "/desk?view=all&q=C0012345"},
		{"ticket", fmt.Sprintf("/desk/tickets/%d", n/2)},
	} {
		pageTimes(b, c, p.name, p.path)
	}
	const inbound = 2000
	start := time.Now()
	for i := range inbound {
		if _, err := core.TakeInbound(ctx, db, core.Inbound{ID: fmt.Sprintf("bench-%d-%d", start.UnixNano(), i), Channel: "sms",
			Phone: fmt.Sprintf("+88017%08d", i%(n/10)), Text: "where is my order?"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(inbound)/time.Since(start).Seconds(), "inbound_msgs_per_s")
}

// benchTickets fills db with n tickets once (a database already holding
// them is used as it is).
func benchTickets(ctx context.Context, db *store.DB, n int) error {
	have, err := db.TicketCounts(ctx, 0, 0, time.Hour)
	if err != nil || have["all"] >= n {
		return err
	}
	now := db.Now()
	const batch = 20_000
	for done := 0; done < n; done += batch {
		var b store.Batch
		for i := done; i < min(done+batch, n); i++ {
			cust := fmt.Sprintf("C%07d", i/10)
			if i%10 == 0 {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: cust, Name: "Customer " + cust,
					Phone: fmt.Sprintf("+88017%08d", i/10)}})
			}
			opened := now.Add(-time.Duration(n-i) * time.Minute)
			t := retain.Ticket{ExternalID: fmt.Sprintf("T%07d", i), CustomerRef: cust, Channel: []string{"sms", "whatsapp", "email", "messenger"}[i%4],
				Subject: "Order " + cust, Body: "Where is my order?", Status: "resolved", Priority: "normal", OpenedAt: opened,
				FirstResponseAt: opened.Add(time.Hour), ResolvedAt: opened.Add(5 * time.Hour)}
			if i%50 == 0 {
				t.Status, t.ResolvedAt = "open", time.Time{}
			}
			b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: t})
			b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{ExternalID: t.ExternalID + "#2",
				TicketRef: t.ExternalID, Author: "agent", Channel: t.Channel, Body: "We are checking.", SentAt: t.FirstResponseAt}})
		}
		if _, err := core.Ingest(ctx, db, retain.System("bench"), core.Rows(&b)); err != nil {
			return err
		}
	}
	_, err = core.ConsumeDesk(ctx, db) // the due times of the open ones
	return err
}
