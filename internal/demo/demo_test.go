package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

func generate(t *testing.T, seed uint64) (*store.DB, demo.Stats, *store.Summary) {
	t.Helper()
	db := storetest.SQLite(t)
	st, err := demo.Generate(context.Background(), db, demo.Options{Customers: 400, Seed: seed, AsOf: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return db, st, s
}

func TestDeterministic(t *testing.T) {
	_, st1, s1 := generate(t, 42)
	_, st2, s2 := generate(t, 42)
	if st1 != st2 || !cmp.Equal(s1, s2) {
		t.Fatalf("same seed, different data:\n%v\n%v", cmp.Diff(s1, s2), st2)
	}
	_, st3, _ := generate(t, 43)
	if st3 == st1 {
		t.Errorf("different seeds gave identical data: %v", st3)
	}
}

func TestRealistic(t *testing.T) {
	_, st, s := generate(t, 1)
	if s.Customers != 400 || int(s.Orders) != st.Orders || int(s.OrderLines) != st.Lines || int(s.OrderEvents) != st.OrderEvents {
		t.Fatalf("stored %+v, generated %v", s, st)
	}
	// BG/NBD-like: many one-time buyers, a good share of repeaters.
	if s.RepeatRate < 0.2 || s.RepeatRate > 0.8 {
		t.Errorf("repeat-purchase rate %.2f is not realistic", s.RepeatRate)
	}
	for _, ev := range []string{"delivered", "delayed", "refused", "returned", "refunded"} {
		if s.OrderEventsByType[ev] == 0 {
			t.Errorf("no %s events: %v", ev, s.OrderEventsByType)
		}
	}
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if s.FirstOrderAt.Before(asOf.AddDate(-2, 0, -1)) || s.LastOrderAt.After(asOf) {
		t.Errorf("orders from %v to %v, want within the two years before %v", s.FirstOrderAt, s.LastOrderAt, asOf)
	}
	if s.Tickets == 0 || s.SurveyResponses == 0 || s.Subscriptions == 0 || s.Staff < 10 || len(s.Revenue) != 2 {
		t.Errorf("summary = %+v", s)
	}
}

// TestOrdersWithinHistory runs the default size, where some customers buy so
// rarely that their next gap overflowed time.Duration and dated an order 1733.
func TestOrdersWithinHistory(t *testing.T) {
	db := storetest.SQLite(t)
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(context.Background(), db, demo.Options{Customers: demo.DefaultCustomers, Seed: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.FirstOrderAt.Before(asOf.AddDate(-2, 0, -1)) || s.LastOrderAt.After(asOf) {
		t.Errorf("orders from %v to %v, want within the two years before %v", s.FirstOrderAt, s.LastOrderAt, asOf)
	}
}

// TestRefusesRealData: the demo will not write over a business's own
// customers (its ids could match theirs) unless forced, and runs again
// over its own data.
func TestRefusesRealData(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "C0001", Name: "A real customer"}})
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	opts := demo.Options{Customers: 20, Seed: 1, AsOf: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := demo.Generate(ctx, db, opts); retain.ErrorCode(err) != retain.EINVALID || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("demo over real data: %v", err)
	}
	if c, _ := db.GetCustomer(ctx, "C0001"); c.Name != "A real customer" {
		t.Errorf("the refused demo changed the customer: %q", c.Name)
	}
	opts.Force = true
	if _, err := demo.Generate(ctx, db, opts); err != nil {
		t.Fatalf("forced: %v", err)
	}
	opts.Force = false
	if _, err := demo.Generate(ctx, db, opts); retain.ErrorCode(err) != retain.EINVALID {
		t.Errorf("after a forced write the database still holds real customers, but the demo ran unasked: %v", err)
	}
	again, _, _ := generate(t, 1)
	if _, err := demo.Generate(ctx, again, demo.Options{Customers: 20, Seed: 2, AsOf: opts.AsOf}); err != nil {
		t.Errorf("the demo again over its own data: %v", err)
	}
}
