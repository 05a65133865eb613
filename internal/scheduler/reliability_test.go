package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestM1_OutboxAtomicity: triggers (an ingested event and the message it
// causes) fail at random points — before the message, after it, or at
// commit through a cancelled context. A message exists if and only if its
// trigger committed.
func TestM1_OutboxAtomicity(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			id := customers(t, db, 1, "UTC")[0]
			src := rand.New(rand.NewPCG(7, 7))
			const triggers = 600
			committed := 0
			for i := range triggers {
				ctx, cancel := context.WithCancel(ctxT())
				fail := src.IntN(4) // 0: none, 1: before the message, 2: after it, 3: at commit
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.RecordEvents(ctx, 0, []store.RawEvent{{EventID: fmt.Sprintf("e%d", i), Type: "test", Payload: []byte("{}")}}); err != nil {
						return err
					}
					if fail == 1 {
						return errors.New("injected")
					}
					if _, _, err := tx.EnqueueMessage(ctx, retain.Message{IdempotencyKey: fmt.Sprintf("m%d", i), CustomerID: id, Channel: "sms",
						Purpose: "transactional", Kind: "test", Recipient: "+8801711000000", Body: "x"}); err != nil {
						return err
					}
					if fail == 2 {
						return errors.New("injected")
					}
					if fail == 3 {
						cancel() // the commit fails
					}
					return nil
				})
				cancel()
				if err == nil {
					committed++
				}
			}
			sum, err := db.Summary(ctxT())
			if err != nil {
				t.Fatal(err)
			}
			counts, _ := db.MessageCounts(ctxT())
			if int(sum.Events) != committed || counts[string(retain.MsgQueued)] != committed || committed == 0 || committed == triggers {
				t.Fatalf("%d triggers committed, %d events, %d messages", committed, sum.Events, counts[string(retain.MsgQueued)])
			}
		})
	}
}

// TestM4_StaleLeaseCannotSend: a worker that claimed a message and froze
// past its lease can neither start the call nor record a result, whether
// or not another worker took the message over in between.
func TestM4_StaleLeaseCannotSend(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			clk := newClock(noon())
			db.Now = clk.Now
			ids := customers(t, db, 2, "UTC")
			enqueue(t, db, ids, 1, "transactional")
			a, err := db.ClaimMessages(ctxT(), "A", time.Minute, 10)
			if err != nil || len(a) != 2 {
				t.Fatalf("A claimed %d: %v", len(a), err)
			}
			clk.Add(2 * time.Minute) // A freezes past its lease
			// Message 1: nobody took it over; A wakes and tries to send.
			if _, verdict, err := db.BeginSend(ctxT(), store.SendCheck{ID: a[0].ID, Fence: a[0].Fence, HoldUntil: clk.Now().Add(30 * time.Second)}); err != nil || verdict != store.SendLost {
				t.Errorf("A after its lease: %q %v, want lost", verdict, err)
			}
			// Message 2: B claims both (leases expired) and sends #2.
			b, err := db.ClaimMessages(ctxT(), "B", time.Minute, 10)
			if err != nil || len(b) != 2 || b[1].Fence <= a[1].Fence {
				t.Fatalf("B claimed %+v: %v", b, err)
			}
			attemptB, verdict, err := db.BeginSend(ctxT(), store.SendCheck{ID: b[1].ID, Fence: b[1].Fence, HoldUntil: clk.Now().Add(30 * time.Second)})
			if err != nil || verdict != store.SendGo {
				t.Fatalf("B: %q %v", verdict, err)
			}
			if _, verdict, _ := db.BeginSend(ctxT(), store.SendCheck{ID: a[1].ID, Fence: a[1].Fence, HoldUntil: clk.Now()}); verdict != store.SendLost {
				t.Errorf("A with B's message: %q, want lost", verdict)
			}
			if held, err := db.FinishSend(ctxT(), a[1].ID, a[1].Fence, attemptB, store.SendResult{Status: retain.MsgFailed, Detail: "stale"}); err != nil || held {
				t.Errorf("A recorded a result over B's claim: held %v, %v", held, err)
			}
			if held, err := db.FinishSend(ctxT(), b[1].ID, b[1].Fence, attemptB, store.SendResult{Status: retain.MsgSent}); err != nil || !held {
				t.Errorf("B's result: held %v, %v", held, err)
			}
			if m, _ := db.GetMessage(ctxT(), b[1].ID); m.Status != retain.MsgSent || m.Attempts != 1 {
				t.Errorf("message 2: %s after %d attempts", m.Status, m.Attempts)
			}
		})
	}
}

// TestM7_FrequencyCapUnderConcurrency: 64 marketing texts for one customer
// queued at once and sent by four senders in parallel: exactly the cap go
// out.
func TestM7_FrequencyCapUnderConcurrency(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			clk := newClock(noon())
			db.Now = clk.Now
			id := customers(t, db, 1, "Asia/Dhaka", marketing(true))[0]
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for i := range 64 { // 64 concurrent triggers
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- db.WithTx(ctxT(), func(tx *store.Tx) error {
						_, _, err := tx.EnqueueMessage(ctxT(), retain.Message{IdempotencyKey: msgKey(id, i), CustomerID: id, Channel: "sms",
							Purpose: "marketing", Kind: "promo", Recipient: "+8801711000000", Body: fmt.Sprint("offer ", i)})
						return err
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			log := gatewayLog(t)
			gw, err := messagingtest.New(log)
			if err != nil {
				t.Fatal(err)
			}
			defer gw.Close()
			const limit = 3
			var runs sync.WaitGroup
			for w := range 4 {
				s := newSender(t, db, gw)
				s.Owner, s.Batch, s.Workers = fmt.Sprint("w", w), 4, 4
				s.Policy.Caps = map[string]int{"sms": limit}
				runs.Add(1)
				go func() {
					defer runs.Done()
					if _, err := s.RunOnce(ctxT()); err != nil {
						t.Error(err)
					}
				}()
			}
			runs.Wait()
			ds, _ := messagingtest.Deliveries(log)
			counts, _ := db.MessageCounts(ctxT())
			if len(ds) != limit || counts[string(retain.MsgSent)] != limit || counts[string(retain.MsgCapped)] != 64-limit {
				t.Fatalf("%d deliveries, statuses %v; want %d sent", len(ds), counts, limit)
			}
		})
	}
}

// TestM8_NoSendAfterUnsubscribe: while senders work through queued
// marketing texts, customers unsubscribe at random; no gateway call for a
// customer starts after their unsubscribe committed. Both the send check
// and the unsubscribe read the clock while holding the customer's lock, so
// their timestamps order them.
func TestM8_NoSendAfterUnsubscribe(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ids := customers(t, db, 40, "Asia/Dhaka", marketing(true))
			enqueue(t, db, ids, 10, "marketing")
			gw, err := messagingtest.New(gatewayLog(t))
			if err != nil {
				t.Fatal(err)
			}
			defer gw.Close()
			s := newSender(t, db, gw)
			s.Policy.Quiet, s.Policy.Caps, s.Batch, s.Workers = nil, nil, 8, 4
			ctx, stop := context.WithCancel(ctxT())
			done := make(chan struct{})
			go func() { // the sender's job, run back to back
				defer close(done)
				for ctx.Err() == nil {
					s.RunOnce(ctx)
					time.Sleep(time.Millisecond)
				}
			}()
			src := rand.New(rand.NewPCG(3, 3))
			for _, k := range src.Perm(len(ids))[:20] {
				time.Sleep(time.Duration(src.IntN(3)) * time.Millisecond)
				if err := db.SetConsent(ctxT(), ids[k], "sms", "marketing", false, "sms STOP"); err != nil {
					t.Fatal(err)
				}
			}
			for { // let the queue drain
				counts, _ := db.MessageCounts(ctxT())
				if counts[string(retain.MsgQueued)]+counts[string(retain.MsgSending)] == 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			stop()
			<-done
			if n, err := db.SendsAfterOptOut(ctxT()); err != nil || n != 0 {
				t.Errorf("%d sends started after an opt-out (%v)", n, err)
			}
			counts, _ := db.MessageCounts(ctxT())
			if counts[string(retain.MsgSuppressed)] == 0 || counts[string(retain.MsgSent)] == 0 {
				t.Errorf("statuses %v: the race did not happen", counts)
			}
		})
	}
}
