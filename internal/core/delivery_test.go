package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCashOnDeliveryRisk: a number that refused two of its last three
// deliveries — one of them under a second customer record with the same
// number — places a new unpaid order: a cod_risk alert is raised and the
// cod_confirm playbook gives someone a call task due within two hours. A
// number that refused one of three places one too, and a risky number
// pays in advance: neither is flagged. The number's history counts every
// order, typed in Bengali digits too.
func TestCashOnDeliveryRisk(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := storetest.ClockStart(t)
			db.Now = func() time.Time { return now }
			admin := retain.System("test")
			if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPlaybookEnabled(ctx, admin, "cod_confirm", true); err != nil {
				t.Fatal(err)
			}
			var b store.Batch
			for _, c := range []struct{ id, phone string }{{"asif", "+8801711000777"}, {"asif2", "+8801711000777"}, {"bina", "+8801711000888"}} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: c.id, Name: strings.ToUpper(c.id[:1]) + c.id[1:] + " Khan", Phone: c.phone}})
			}
			past := func(id, who string, days int, outcome retain.OrderEventType) {
				at := now.AddDate(0, 0, -days)
				b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: who, Currency: "BDT", Total: 150000, HasTotal: true, PlacedAt: at}})
				b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: id + "-e", OrderRef: id, Type: outcome, OccurredAt: at.Add(48 * time.Hour)}})
			}
			past("A1", "asif", 30, retain.EventRefused)
			past("A2", "asif2", 20, retain.EventRefused)
			past("A3", "asif", 10, retain.EventDelivered)
			past("B1", "bina", 30, retain.EventRefused)
			past("B2", "bina", 20, retain.EventDelivered)
			past("B3", "bina", 10, retain.EventDelivered)
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&b)); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			var n store.Batch
			for _, o := range []struct{ id, who, status string }{{"A4", "asif", "placed"}, {"B4", "bina", "placed"}, {"A5", "asif", "paid"}} {
				n.Orders = append(n.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: o.id, CustomerRef: o.who, Status: o.status, Currency: "BDT", Total: 90000, HasTotal: true, PlacedAt: now}})
			}
			if _, err := core.Ingest(ctx, db, admin, core.Rows(&n)); err != nil {
				t.Fatal(err)
			}
			if _, err := core.Detect(ctx, db, core.DetectOptions{}); err != nil {
				t.Fatal(err)
			}
			alerts, err := db.Alerts(ctx, store.AlertFilter{Reason: "cod_risk", Limit: 10})
			if err != nil || len(alerts) != 1 || alerts[0].CustomerRef != "asif" || alerts[0].DetailArgs["order"] != "A4" || !alerts[0].DueAt.Equal(now.Add(2*time.Hour)) {
				t.Fatalf("cod_risk alerts: %+v %v, want one, for A4, due in two hours", alerts, err)
			}
			if _, err := (&core.Runner{DB: db}).RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			asif, _ := db.GetCustomer(ctx, "asif")
			tasks, err := db.Tasks(ctx, store.TaskFilter{CustomerID: asif.ID})
			if err != nil || len(tasks) != 1 || !strings.Contains(tasks[0].Title, "confirm the order") {
				t.Errorf("the call task: %+v %v", tasks, err)
			}
			v, err := core.Work{DB: db}.DeliveriesByPhone(ctx, admin, "+৮৮০ ১৭১১-০০০৭৭৭")
			if err != nil || v.Phone != "+8801711000777" || v.Orders != 5 || v.Delivered != 1 || v.Refused != 2 || !v.Risky || v.Recent != 2 || v.RecentOf != 3 {
				t.Errorf("the number's history: %+v %v", v, err)
			}
			if v, err := (core.Work{DB: db}).Deliveries(ctx, admin, "bina"); err != nil || v.Risky || v.Refused != 1 || v.Orders != 4 {
				t.Errorf("bina's: %+v %v", v, err)
			}
		})
	}
}
