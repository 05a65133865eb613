package web_test

import (
	"context"
	"encoding/json"
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

// TestRevenueAtRiskOncePerCustomer: revenue at risk is the lifetime value
// of the customers at risk, each once however many risk alerts they have,
// in every currency the business has.
func TestRevenueAtRiskOncePerCustomer(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var b store.Batch
	for _, ext := range []string{"dhaka", "kathmandu", "steady"} {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: ext}})
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	id := func(ext string) int64 { c, _ := db.GetCustomer(ctx, ext); return c.ID }
	db.WithTx(ctx, func(tx *store.Tx) error {
		for _, reason := range []string{"detractor", "late_delivery", "overdue"} { // three alerts, one customer
			a := retain.Alert{CustomerID: id("dhaka"), Type: retain.AlertRisk, Reason: reason, RevenueAtRisk: 150000, Currency: "BDT",
				Severity: retain.SeverityMedium, Title: "t", DueAt: tx.Now()}
			if _, _, err := tx.RaiseAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	run := &store.ScoringRun{Model: "bgnbd", TimeUnit: "days", CalibrationEnd: db.Now(), Params: []byte("{}"), Fit: []byte("{}"), Summary: []byte("{}")}
	if err := db.SaveScoringRun(ctx, run, []retain.Score{
		{CustomerID: id("dhaka"), Currency: "BDT", CLV: 1500, Segment: "at_risk", Stage: retain.StageAtRisk, Health: 35},
		{CustomerID: id("kathmandu"), Currency: "NPR", CLV: 9000, Segment: "cannot_lose", Stage: retain.StageAtRisk, Health: 55},
		{CustomerID: id("steady"), Currency: "NPR", CLV: 5000, Segment: "champions", Stage: retain.StageLoyal, Health: 85},
	}, 2); err != nil {
		t.Fatal(err)
	}
	d, err := db.Dashboard(ctx, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.AtRisk != 2 || d.RevenueAtRisk["BDT"] != 150000 || d.RevenueAtRisk["NPR"] != 900000 || len(d.RevenueAtRisk) != 2 {
		t.Errorf("at risk %d, revenue at risk %v; want 2, BDT 150000 (once for the Dhaka customer) and NPR 900000 (not the loyal one)", d.AtRisk, d.RevenueAtRisk)
	}
	l := i18n.New("en", false)
	if got := web.MoneyAllForTest(l, d.RevenueAtRisk, "NPR"); got != "रू 9,000.00 · ৳1,500.00" {
		t.Errorf("the KPI shows %q", got)
	}
}

// TestOneAtRiskCount: the scoring run's summary (what retain score and
// retain report print), the dashboard and the list's at-risk filter count
// the same customers.
func TestOneAtRiskCount(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	runs, err := s.db.ScoringRuns(ctx, 1)
	if err != nil || len(runs) == 0 {
		t.Fatal("no scoring run", err)
	}
	var sum core.RunSummary
	if err := json.Unmarshal(runs[0].Summary, &sum); err != nil {
		t.Fatal(err)
	}
	d, err := s.db.Dashboard(ctx, s.db.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, listed, err := s.db.Customers(ctx, store.CustomerFilter{AtRisk: true})
	if err != nil {
		t.Fatal(err)
	}
	_, staged, err := s.db.Customers(ctx, store.CustomerFilter{Stage: retain.StageAtRisk})
	if err != nil {
		t.Fatal(err)
	}
	if sum.AtRisk == 0 || sum.AtRisk*3 > sum.Customers {
		t.Errorf("%d of %d customers at risk: the demo should have some, and not a third", sum.AtRisk, sum.Customers)
	}
	if d.AtRisk != sum.AtRisk || listed != sum.AtRisk || staged != sum.AtRisk || sum.Stages[retain.StageAtRisk] != sum.AtRisk {
		t.Errorf("at risk: run summary %d, stages %d, dashboard %d, list filter %d, stage filter %d", sum.AtRisk, sum.Stages[retain.StageAtRisk], d.AtRisk, listed, staged)
	}
	c := s.client(t)
	c.login("admin@shop.example", password)
	if _, body := c.get("/customers?at_risk=1"); !strings.Contains(body, fmt.Sprintf(">%d customers<", sum.AtRisk)) {
		t.Errorf("the at-risk list does not say %d customers", sum.AtRisk)
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

// TestEffortByMonth: the dashboard's effort chart is each month's mean
// CES, and a month with no answer has none (not a 0).
func TestEffortByMonth(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := db.Now()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "ces-1"}})
	for i, score := range []int{2, 6, 7} {
		b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: fmt.Sprintf("ces-%d", i),
			CustomerRef: "ces-1", Kind: "ces", Score: score, RespondedAt: now.Add(-time.Duration(i) * time.Minute)}})
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	d, err := db.Dashboard(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	last, before := d.CES[len(d.CES)-1], d.CES[len(d.CES)-2]
	if last.Answers != 3 || last.Mean() != 5 || before.Answers != 0 || len(d.CES) != len(d.CSAT) {
		t.Errorf("effort by month: last %+v (mean %v), the one before %+v", last, last.Mean(), before)
	}
}
