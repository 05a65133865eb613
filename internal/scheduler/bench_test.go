package scheduler_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store/storetest"
)

const benchMessages = 5000

// BenchmarkSend sends benchMessages queued texts through the outbox to the
// fake gateway (which fsyncs each delivery); BenchmarkSendBaseline makes the
// same gateway calls directly, with the same 8 workers, as the yardstick.
func BenchmarkSend(b *testing.B) {
	for name, open := range storetest.Openers() {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := open(b)
				enqueue(b, db, customers(b, db, benchMessages/10, "UTC"), 10, "transactional")
				gw, ch := benchGateway(b)
				s := &scheduler.Sender{DB: db, Channels: map[string]messaging.Channel{"sms": ch}, Policy: messaging.Policy{Zone: time.UTC}}
				b.StartTimer()
				st, err := s.RunOnce(context.Background())
				b.StopTimer()
				gw.Close()
				if err != nil || st.Sent != benchMessages {
					b.Fatalf("%+v %v", st, err)
				}
			}
			b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func BenchmarkSendBaseline(b *testing.B) {
	for range b.N {
		b.StopTimer()
		gw, ch := benchGateway(b)
		work := make(chan int)
		var wg sync.WaitGroup
		b.StartTimer()
		for range 8 {
			wg.Go(func() {
				for i := range work {
					if _, err := ch.Send(context.Background(), messaging.Outgoing{Key: fmt.Sprint(i), To: "+8801711000000", Body: fmt.Sprint("hello ", i)}); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for i := range benchMessages {
			work <- i
		}
		close(work)
		wg.Wait()
		b.StopTimer()
		gw.Close()
	}
	b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func benchGateway(b *testing.B) (*messagingtest.Gateway, messaging.Channel) {
	gw, err := messagingtest.New(b.TempDir() + "/gw.log")
	if err != nil {
		b.Fatal(err)
	}
	gw.Idempotent = true
	ch, err := messaging.NewGateway(gw.Config(), messaging.NewHTTPClient(5*time.Second, loopback()))
	if err != nil {
		b.Fatal(err)
	}
	return gw, ch
}
