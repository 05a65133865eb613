package scheduler_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func noon() time.Time                { return time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC) } // 12:00 in Dhaka
func loopback() []netip.Prefix       { return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }
func dhaka() *time.Location          { l, _ := time.LoadLocation("Asia/Dhaka"); return l }
func msgKey(c int64, i int) string   { return fmt.Sprintf("test:%d:%d", c, i) }
func gatewayLog(t *testing.T) string { return filepath.Join(t.TempDir(), "gateway.log") }
func ctxT() context.Context          { return context.Background() }
func marketing(granted bool) retain.Consent {
	return retain.Consent{Channel: "sms", Purpose: "marketing", Granted: granted, Source: "test"}
}

// customers creates n customers in zone (with the given consents) and
// returns their ids.
func customers(t testing.TB, db *store.DB, n int, zone string, consents ...retain.Consent) []int64 {
	t.Helper()
	var b store.Batch
	for i := range n {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprintf("c%d", i),
			Name: fmt.Sprintf("Customer %d", i), Phone: fmt.Sprintf("+88017110%05d", i), TimeZone: zone, Consents: consents}})
	}
	if _, err := db.Apply(ctxT(), &b); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range n {
		c, err := db.GetCustomer(ctxT(), fmt.Sprintf("c%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	return ids
}

// enqueue adds per messages for each customer in one transaction each.
func enqueue(t testing.TB, db *store.DB, ids []int64, per int, purpose retain.Purpose) {
	t.Helper()
	for _, id := range ids {
		err := db.WithTx(ctxT(), func(tx *store.Tx) error {
			for i := range per {
				if _, _, err := tx.EnqueueMessage(ctxT(), retain.Message{IdempotencyKey: msgKey(id, i), CustomerID: id, Channel: "sms",
					Purpose: purpose, Kind: "test", Recipient: fmt.Sprintf("+88017%d", id), Body: fmt.Sprintf("hello %d/%d", id, i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newSender(t *testing.T, db *store.DB, gw *messagingtest.Gateway) *scheduler.Sender {
	t.Helper()
	ch, err := messaging.NewGateway(gw.Config(), messaging.NewHTTPClient(5*time.Second, loopback()))
	if err != nil {
		t.Fatal(err)
	}
	return &scheduler.Sender{DB: db, Channels: map[string]messaging.Channel{"sms": ch}, Policy: messaging.DefaultPolicy(dhaka())}
}

func statuses(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out, err := db.MessageCounts(ctxT())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSendChecksConsentQuietHoursAndRetries(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			clk := newClock(noon())
			db.Now = clk.Now
			optedIn := customers(t, db, 3, "Asia/Dhaka", marketing(true))
			enqueue(t, db, optedIn, 1, "marketing")
			log := gatewayLog(t)
			gw, err := messagingtest.New(log)
			if err != nil {
				t.Fatal(err)
			}
			defer gw.Close()
			gw.Idempotent = true
			s := newSender(t, db, gw)
			st, err := s.RunOnce(ctxT())
			if err != nil || st.Sent != 3 {
				t.Fatalf("first pass: %+v %v", st, err)
			}
			// A second marketing text the same local day is over the cap of one.
			enqueue(t, db, optedIn[:1], 2, "marketing")
			if st, err = s.RunOnce(ctxT()); err != nil || st.Capped != 1 {
				t.Fatalf("capped pass: %+v %v", st, err)
			}
			// Unsubscribed (SMS STOP): suppressed. Transactional without any
			// consent row: sent.
			if err := db.SetConsent(ctxT(), optedIn[1], "sms", "marketing", false, "sms STOP"); err != nil {
				t.Fatal(err)
			}
			clk.Add(24 * time.Hour)                      // a new day for the cap
			enqueue(t, db, optedIn[1:2], 3, "marketing") // keys 1 and 2 are new
			if st, err = s.RunOnce(ctxT()); err != nil || st.Suppressed != 2 {
				t.Fatalf("unsubscribed pass: %+v %v", st, err)
			}
			// At 22:00 in Dhaka a text waits until 08:00 local.
			clk.Set(time.Date(2026, 6, 3, 16, 0, 0, 0, time.UTC))
			plain := customers(t, db, 4, "Asia/Dhaka")[3]
			enqueue(t, db, []int64{plain}, 1, "transactional")
			if st, err = s.RunOnce(ctxT()); err != nil || st.Deferred != 1 || st.Sent != 0 {
				t.Fatalf("quiet pass: %+v %v", st, err)
			}
			clk.Set(time.Date(2026, 6, 4, 1, 59, 0, 0, time.UTC)) // 07:59
			if st, _ = s.RunOnce(ctxT()); st.Claimed != 0 {
				t.Fatalf("claimed before 08:00: %+v", st)
			}
			clk.Add(time.Minute)
			if st, err = s.RunOnce(ctxT()); err != nil || st.Sent != 1 {
				t.Fatalf("08:00 pass: %+v %v", st, err)
			}
			ds, _ := messagingtest.Deliveries(log)
			if len(ds) != 4 {
				t.Errorf("%d deliveries, want 4", len(ds))
			}
			want := map[string]int{string(retain.MsgSent): 4, string(retain.MsgCapped): 1, string(retain.MsgSuppressed): 2}
			if got := statuses(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("statuses %v, want %v", got, want)
			}
		})
	}
}

// TestM9_RetriesThenDeadLetter: a recipient whose gateway call always fails
// is retried with backoff for at least 8 attempts over at least 24 hours,
// then dead; the other messages go out once each, untouched.
func TestM9_RetriesThenDeadLetter(t *testing.T) {
	db := storetest.SQLite(t)
	clk := newClock(noon())
	db.Now = clk.Now
	ids := customers(t, db, 5, "UTC")
	enqueue(t, db, ids, 1, "transactional")
	log := gatewayLog(t)
	gw, err := messagingtest.New(log)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	failing := 0
	s := newSender(t, db, gw)
	s.Policy.Quiet = nil
	s.Channels["sms"] = failOn{s.Channels["sms"], msgKey(ids[2], 0), &failing}
	const poison = 3 // ids[2]'s message, on SQLite
	var attemptsAt []time.Time
	for pass := 0; pass < 200; pass++ {
		st, err := s.RunOnce(ctxT())
		if err != nil {
			t.Fatal(err)
		}
		if st.Retried+st.Dead > 0 {
			attemptsAt = append(attemptsAt, clk.Now())
		}
		if st.Dead == 1 {
			break
		}
		m, _ := db.GetMessage(ctxT(), poison)
		clk.Set(m.DueAt) // jump to the retry time
	}
	m, _ := db.GetMessage(ctxT(), poison)
	if m.Status != retain.MsgDead || m.Attempts < 8 || attemptsAt[len(attemptsAt)-1].Sub(attemptsAt[0]) < 24*time.Hour {
		t.Fatalf("poison message: %s after %d attempts over %v", m.Status, m.Attempts, attemptsAt[len(attemptsAt)-1].Sub(attemptsAt[0]))
	}
	ds, _ := messagingtest.Deliveries(log)
	if len(ds) != 4 || failing != m.Attempts {
		t.Errorf("%d deliveries (want 4), %d failing calls for %d attempts", len(ds), failing, m.Attempts)
	}
}

// failOn fails every send of one key with a retryable error.
type failOn struct {
	messaging.Channel
	key   string
	count *int
}

func (f failOn) Send(ctx context.Context, m messaging.Outgoing) (string, error) {
	if m.Key == f.key {
		*f.count++
		return "", &messaging.SendError{Kind: messaging.Temporary, Err: fmt.Errorf("HTTP 500")}
	}
	return f.Channel.Send(ctx, m)
}

// TestM5_CatchUpAfterDowntime: after two hours down, a message within its
// maximum lateness goes out at once; one past it is expired, not sent.
func TestM5_CatchUpAfterDowntime(t *testing.T) {
	db := storetest.SQLite(t)
	clk := newClock(noon())
	db.Now = clk.Now
	ids := customers(t, db, 2, "UTC")
	for i, lateness := range []time.Duration{10 * time.Minute, 24 * time.Hour} {
		err := db.WithTx(ctxT(), func(tx *store.Tx) error {
			_, _, err := tx.EnqueueMessage(ctxT(), retain.Message{IdempotencyKey: msgKey(ids[i], 0), CustomerID: ids[i], Channel: "sms",
				Purpose: "transactional", Kind: "otp", Recipient: "+8801711000000", Body: "x", MaxLateness: lateness})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(2 * time.Hour) // down
	gw, err := messagingtest.New(gatewayLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	s := newSender(t, db, gw)
	s.Policy.Quiet = nil
	st, err := s.RunOnce(ctxT())
	if err != nil || st.Expired != 1 || st.Sent != 1 {
		t.Fatalf("after downtime: %+v %v", st, err)
	}
}

// TestFailedSendStoresNoSecret: a gateway that takes its key in the URL
// (api_key=…) and cannot be reached: the error stored with the message, and
// shown in the message log, names the gateway without the key.
func TestFailedSendStoresNoSecret(t *testing.T) {
	db := storetest.SQLite(t)
	ids := customers(t, db, 1, "Asia/Dhaka")
	enqueue(t, db, ids, 1, "transactional")
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a port nobody answers on
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ch, err := messaging.NewGateway(messaging.GatewayConfig{URL: "http://" + addr + "/send?api_key=S3CRET-KEY&to={{.To}}"},
		messaging.NewHTTPClient(2*time.Second, loopback()))
	if err != nil {
		t.Fatal(err)
	}
	s := &scheduler.Sender{DB: db, Channels: map[string]messaging.Channel{"sms": ch}, Policy: messaging.Policy{Zone: dhaka()}}
	if st, err := s.RunOnce(ctxT()); err != nil || st.Retried != 1 {
		t.Fatalf("send: %+v %v", st, err)
	}
	msgs, err := db.Messages(ctxT(), store.MessageFilter{})
	if err != nil || len(msgs) != 1 {
		t.Fatal(err)
	}
	if e := msgs[0].LastError; e == "" || strings.Contains(e, "S3CRET") || !strings.Contains(e, addr) {
		t.Errorf("stored error %q: want the gateway named, without its key", e)
	}
}
