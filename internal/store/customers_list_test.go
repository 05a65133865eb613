package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCustomersByScore checks the list's fast path (a page picked from the
// narrow score table) against the latest run's scores filtered and sorted
// here.
func TestCustomersByScore(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			if _, err := demo.Generate(ctx, db, demo.Options{Customers: 400, Seed: 9, AsOf: now}); err != nil {
				t.Fatal(err)
			}
			res, err := core.Score(ctx, db, core.ScoreOptions{CalibrationEnd: now})
			if err != nil {
				t.Fatal(err)
			}
			var all []retain.Score
			db.EachScore(ctx, res.RunID, func(s retain.Score) error { all = append(all, s); return nil })
			for _, f := range []store.CustomerFilter{
				{Segment: "loyal", Sort: "-clv", Page: 2, Size: 10},
				{HealthMin: 40, HealthMax: 70, Sort: "health", Page: 1, Size: 25},
				{PAliveMin: 0.5, Sort: "", Page: 3, Size: 7},
			} {
				var want []retain.Score
				for _, s := range all {
					if (f.Segment == "" || string(s.Segment) == f.Segment) && s.Health >= f.HealthMin && (f.HealthMax == 0 || s.Health < f.HealthMax) &&
						s.PAlive >= f.PAliveMin {
						want = append(want, s)
					}
				}
				sort.SliceStable(want, func(i, j int) bool {
					a, b := want[i], want[j]
					switch f.Sort {
					case "-clv":
						if a.CLV != b.CLV {
							return a.CLV > b.CLV
						}
					case "health":
						if a.Health != b.Health {
							return a.Health < b.Health
						}
					case "": // newest first
						return a.CustomerID > b.CustomerID
					}
					return a.CustomerID < b.CustomerID
				})
				rows, total, err := db.Customers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				from := (f.Page - 1) * f.Size
				page := want[min(from, len(want)):min(from+f.Size, len(want))]
				if total != len(want) || len(rows) != len(page) {
					t.Fatalf("%+v: %d rows of %d, want %d of %d", f, len(rows), total, len(page), len(want))
				}
				for i := range page {
					if rows[i].ID != page[i].CustomerID || rows[i].Segment != string(page[i].Segment) {
						t.Errorf("%+v row %d: customer %d, want %d", f, i, rows[i].ID, page[i].CustomerID)
					}
				}
			}
		})
	}
}

// TestCustomersByStage checks the stage filter's fast path (the run's
// customers in the stage, merged with the unscored customers who declare
// it) against the joined path, page by page, in every order: with
// customers added since the run, and one declared lapsed who never bought.
func TestCustomersByStage(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			if _, err := demo.Generate(ctx, db, demo.Options{Customers: 300, Seed: 5, AsOf: now}); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Score(ctx, db, core.ScoreOptions{CalibrationEnd: now}); err != nil {
				t.Fatal(err)
			}
			var b store.Batch
			// More unscored prospects than the deepest page compared reads.
			for i, stage := range []string{"lapsed", "prospect", "lapsed", "churned", "", "", "", "", "", "", "", "", "", "", "", "", ""} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprintf("late-%d", i), Name: "Late", Stage: stage}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, stage := range retain.Stages {
				for _, sort := range []string{"", "health", "-health", "clv", "-clv"} {
					for page := 1; page <= 3; page++ {
						for _, segment := range []string{"", "loyal"} {
							f := store.CustomerFilter{Stage: stage, Sort: sort, Page: page, Size: 4, Segment: segment}
							fast, fastTotal, err := db.Customers(ctx, f)
							if err != nil {
								t.Fatal(err)
							}
							restore := store.SetStagePathRows(0)
							joined, joinedTotal, err := db.Customers(ctx, f)
							restore()
							if err != nil {
								t.Fatal(err)
							}
							if fastTotal != joinedTotal || len(fast) != len(joined) {
								t.Fatalf("%+v: %d rows of %d, the joined path %d of %d", f, len(fast), fastTotal, len(joined), joinedTotal)
							}
							for i := range fast {
								if fast[i] != joined[i] {
									t.Errorf("%+v row %d: %+v, the joined path %+v", f, i, fast[i], joined[i])
								}
							}
							checked += len(fast)
						}
					}
				}
			}
			if checked < 150 {
				t.Errorf("only %d rows compared", checked)
			}
		})
	}
}

// TestCustomersCohort: the cohort filter keeps customers whose first
// (uncancelled) order fell in the month.
func TestCustomersCohort(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 10, 0, 0, 0, time.UTC) }
			var b store.Batch
			add := func(id, cust, status string, at time.Time) {
				b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: cust, Status: status,
					Currency: "BDT", Total: 100, HasTotal: true, PlacedAt: at}})
			}
			add("a1", "A", "placed", day(1, 5))
			add("a2", "A", "placed", day(2, 5))
			add("b1", "B", "placed", day(2, 1))
			add("c0", "C", "cancelled", day(1, 2))
			add("c1", "C", "placed", day(2, 20))
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			got := func(month string) []string {
				rows, _, err := db.Customers(ctx, store.CustomerFilter{Cohort: month, Sort: "name"})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range rows {
					out = append(out, r.ExternalID)
				}
				return out
			}
			if g := got("2026-01"); len(g) != 1 || g[0] != "A" {
				t.Errorf("January cohort %v, want [A]", g)
			}
			if g := got("2026-02"); len(g) != 2 || g[0] != "B" || g[1] != "C" {
				t.Errorf("February cohort %v, want [B C]", g)
			}
		})
	}
}
