package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
	"github.com/retainhq/retain/internal/web"
)

// TestTimesInTheReadersZone: pages show times in the business's zone
// (named at the foot of the page), or in the reader's own once they pick
// one; a zone that is not one is refused.
func TestTimesInTheReadersZone(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	if err := s.db.SetSetting(ctx, messaging.SettingsKey, `{"time_zone":"Asia/Dhaka"}`); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC) // 04:00 on the 2nd in Dhaka, 03:45 in Kathmandu
	s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.CreateTask(ctx, retain.Task{IdempotencyKey: "zone", CustomerID: 1, OwnerID: s.adminID, Title: "zone check", Source: "manual", DueAt: due})
		return err
	})
	c := s.client(t)
	c.login("admin@shop.example", password)
	shows := func(zone string) string {
		loc, _ := time.LoadLocation(zone)
		l := i18n.New("en", false)
		l.Zone = loc
		return l.DateTime(due, nil)
	}
	_, body := c.get("/inbox?mine=1")
	if !strings.Contains(body, "Dhaka time") || !strings.Contains(body, shows("Asia/Dhaka")) {
		t.Errorf("business zone: the inbox does not show %q in Dhaka time", shows("Asia/Dhaka"))
	}
	if code, _ := c.post("/settings/time-zone", url.Values{"time_zone": {"Asia/Kathmandu"}}, ""); code != 303 {
		t.Fatalf("choose a zone: %d", code)
	}
	_, body = c.get("/inbox?mine=1")
	if !strings.Contains(body, "Kathmandu time") || !strings.Contains(body, shows("Asia/Kathmandu")) {
		t.Errorf("own zone: the inbox does not show %q in Kathmandu time", shows("Asia/Kathmandu"))
	}
	if code, _ := c.post("/settings/time-zone", url.Values{"time_zone": {"Mars/Olympus"}}, ""); code != 400 {
		t.Errorf("a zone that is not one: %d", code)
	}
}

// TestRevenueAtRiskOncePerCustomer: a customer with three open risk alerts
// is counted once (their largest), and every currency is kept and shown.
func TestRevenueAtRiskOncePerCustomer(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "dhaka"}},
		store.Row[retain.Customer]{V: retain.Customer{ExternalID: "kathmandu"}})
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	dhaka, _ := db.GetCustomer(ctx, "dhaka")
	ktm, _ := db.GetCustomer(ctx, "kathmandu")
	db.WithTx(ctx, func(tx *store.Tx) error {
		for _, a := range []retain.Alert{
			{CustomerID: dhaka.ID, Type: retain.AlertRisk, Reason: "detractor", RevenueAtRisk: 150000, Currency: "BDT"},
			{CustomerID: dhaka.ID, Type: retain.AlertRisk, Reason: "late_delivery", RevenueAtRisk: 150000, Currency: "BDT"},
			{CustomerID: dhaka.ID, Type: retain.AlertRisk, Reason: "overdue", RevenueAtRisk: 120000, Currency: "BDT"},
			{CustomerID: ktm.ID, Type: retain.AlertRisk, Reason: "refused", RevenueAtRisk: 900000, Currency: "NPR"},
			{CustomerID: ktm.ID, Type: retain.AlertOpportunity, Reason: "promoter", RevenueAtRisk: 500000, Currency: "NPR"},
		} {
			a.Severity, a.Title, a.DueAt = retain.SeverityMedium, "t", tx.Now()
			if _, _, err := tx.RaiseAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	d, err := db.Dashboard(ctx, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.RevenueAtRisk["BDT"] != 150000 || d.RevenueAtRisk["NPR"] != 900000 || len(d.RevenueAtRisk) != 2 {
		t.Errorf("revenue at risk %v, want BDT 150000 (once for the Dhaka customer) and NPR 900000", d.RevenueAtRisk)
	}
	l := i18n.New("en", false)
	if got := web.MoneyAllForTest(l, d.RevenueAtRisk, "NPR"); got != "रू 9,000.00 · ৳1,500.00" {
		t.Errorf("the KPI shows %q", got)
	}
}

// TestRecoveryRateSaysWhyItIsEmpty: before any recovery has ended the
// dashboard says why there is no rate, instead of a bare dash; one
// customer is "1 customer".
func TestRecoveryRateSaysWhyItIsEmpty(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	if _, body := c.get("/"); !strings.Contains(body, "No recovery has ended yet") {
		t.Error("the dashboard's empty recovery rate says nothing")
	}
	custs, _, _ := s.db.Customers(context.Background(), store.CustomerFilter{Size: 1})
	if _, body := c.get("/customers?q=" + url.QueryEscape(custs[0].ExternalID)); !strings.Contains(body, ">1 customer<") {
		t.Error(`a single match does not say "1 customer"`)
	}
}

// TestSearchByOrderNumberAndNativeDigits: the customer list finds a
// customer by an order number off their receipt, and by their phone typed
// the way people do, in Bengali digits with the trunk 0.
func TestSearchByOrderNumberAndNativeDigits(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "needle", Name: "Nusrat Jahan", Phone: "+8801719876543"}})
	b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: "ORD-77123", CustomerRef: "needle", Currency: "BDT", Total: 120000,
		HasTotal: true, PlacedAt: s.db.Now().AddDate(0, 0, -3)}})
	if _, err := core.Ingest(ctx, s.db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	for _, q := range []string{"ORD-77123", "#ord-77123", "০১৭১৯-৮৭৬৫৪৩", "01719 876543", "०१७१९८७६५४३"} {
		if _, body := c.get("/customers?q=" + url.QueryEscape(q)); !strings.Contains(body, "Nusrat Jahan") || !strings.Contains(body, ">1 customer<") {
			t.Errorf("search %q does not find exactly the customer", q)
		}
	}
}

// TestCausesBySignalMonth: the dashboard counts unhappy customers by when
// their signal happened (not when the alert was raised), each once per
// cause and month, and the list a cell opens holds exactly those customers.
func TestCausesBySignalMonth(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := db.Now()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	var b store.Batch
	for _, id := range []string{"a", "b", "c"} {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id}})
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	id := func(ref string) int64 { c, _ := db.GetCustomer(ctx, ref); return c.ID }
	db.WithTx(ctx, func(tx *store.Tx) error {
		for _, a := range []retain.Alert{
			// a: two delivery complaints last month (one customer), raised today
			{CustomerID: id("a"), Reason: "late_delivery", SignalAt: lastMonth.AddDate(0, 0, 3)},
			{CustomerID: id("a"), Reason: "refused", SignalAt: lastMonth.AddDate(0, 0, 20)},
			// b: delivery last month too; c: delivery this month
			{CustomerID: id("b"), Reason: "late_delivery", SignalAt: lastMonth.AddDate(0, 0, 9)},
			{CustomerID: id("c"), Reason: "late_delivery", SignalAt: thisMonth},
		} {
			a.Type, a.RootCause, a.Severity, a.Title, a.DueAt = retain.AlertRisk, "delivery", retain.SeverityMedium, "t", now
			if _, _, err := tx.RaiseAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	d, err := db.Dashboard(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range d.Causes {
		got[c.Cause+" "+c.Month.Format("2006-01")] = c.Count
	}
	want := map[string]int{"delivery " + lastMonth.Format("2006-01"): 2, "delivery " + thisMonth.Format("2006-01"): 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("causes by month %v, want %v", got, want)
	}
	for key, n := range want {
		cause, month, _ := strings.Cut(key, " ")
		_, total, err := db.Customers(ctx, store.CustomerFilter{Cause: cause, CauseMonth: month})
		if err != nil || total != n {
			t.Errorf("the %s cell opens %d customers (%v), want %d", key, total, err, n)
		}
	}
}
