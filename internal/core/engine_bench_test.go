package core_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// BenchmarkRunner advances 2,000 service-recovery enrollments through their
// first pass (a task, a message, a wait: three steps each) and reports
// steps per second.
func BenchmarkRunner(b *testing.B) {
	const n = 2000
	for name, open := range storetest.Openers() {
		b.Run(name, func(b *testing.B) {
			steps := 0
			for range b.N {
				b.StopTimer()
				db := open(b)
				ctx := context.Background()
				var batch store.Batch
				for i := range n {
					batch.Customers = append(batch.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("c", i),
						Name: fmt.Sprint("Customer ", i), Phone: fmt.Sprintf("+8801711%06d", i), Locale: "bn"}})
				}
				if _, err := db.Apply(ctx, &batch); err != nil {
					b.Fatal(err)
				}
				if _, err := core.InstallBuiltins(ctx, db, true); err != nil {
					b.Fatal(err)
				}
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					for i := 1; i <= n; i++ {
						if _, _, err := tx.Enroll(ctx, "service_recovery", int64(i), 30, "bench", 0, 90); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				r := &core.Runner{DB: db, Business: "Bench", Channels: map[string]bool{"sms": true}}
				b.StartTimer()
				st, err := r.RunDue(ctx)
				b.StopTimer()
				if err != nil || st.Tasks != n || st.Messages != n {
					b.Fatalf("%+v %v", st, err)
				}
				steps += st.Steps
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
