package storetest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Run runs the store contract against databases made by open.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *store.DB){
		"Migrate":               testMigrate,
		"ApplyAndSummary":       testApplyAndSummary,
		"ReapplyChangesNothing": testReapply,
		"EmptyKeepsStored":      testEmptyKeepsStored,
		"UnknownOrderRejected":  testUnknownOrderRejected,
		"LaterRowWins":          testLaterRowWins,
		"TotalsFromLines":       testTotalsFromLines,
		"APIKeys":               testAPIKeys,
		"Users":                 testUsers,
		"Backup":                testBackup,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

var day = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// SampleBatch is a small business: two customers, three orders, lines,
// events, a ticket and survey responses.
func SampleBatch() *store.Batch {
	b := &store.Batch{}
	b.Customers = append(b.Customers, store.Row[retain.Customer]{Ref: 1, V: retain.Customer{ExternalID: "c1", Name: "Rahim Uddin",
		Email: "rahim@example.com", Phone: "+8801712345678", Locale: "bn", TimeZone: "Asia/Dhaka", OwnerRef: "rep-1",
		Attributes: map[string]string{"city": "Dhaka"},
		Consents:   []retain.Consent{{Channel: "sms", Purpose: "marketing", Granted: true, Source: "import"}}}})
	b.Orders = append(b.Orders,
		store.Row[retain.Order]{Ref: 2, V: retain.Order{ExternalID: "o1", CustomerRef: "c1", Currency: "BDT", Total: 125050, HasTotal: true, PlacedAt: day,
			Lines: []retain.OrderLine{{ExternalID: "o1/1", SKU: "tea-500", Name: "Tea 500g", Category: "grocery", Quantity: 2, UnitPrice: 50000, Total: 100000}}}},
		store.Row[retain.Order]{Ref: 3, V: retain.Order{ExternalID: "o2", CustomerRef: "c1", Currency: "BDT", Total: 30000, HasTotal: true, PlacedAt: day.AddDate(0, 1, 0)}},
		store.Row[retain.Order]{Ref: 4, V: retain.Order{ExternalID: "o3", CustomerRef: "c2", Currency: "NPR", Total: 99900, HasTotal: true, PlacedAt: day.AddDate(0, 0, 3)}},
	)
	b.OrderEvents = append(b.OrderEvents,
		store.Row[retain.OrderEvent]{Ref: 5, V: retain.OrderEvent{ExternalID: "e1", OrderRef: "o1", Type: retain.EventDelivered, OccurredAt: day.AddDate(0, 0, 2)}},
		store.Row[retain.OrderEvent]{Ref: 6, V: retain.OrderEvent{ExternalID: "e2", OrderRef: "o1", Type: retain.EventReturned, Reason: "damaged box", Amount: 50000, OccurredAt: day.AddDate(0, 0, 4)}},
	)
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{Ref: 7, V: retain.Ticket{ExternalID: "t1", CustomerRef: "c2", Channel: "whatsapp",
		Subject: "Late parcel", Body: "পার্সেল এখনও আসেনি", Status: "open", Priority: "high", AssigneeRef: "agent-1", OpenedAt: day}})
	b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{Ref: 8, V: retain.SurveyResponse{ExternalID: "s1",
		CustomerRef: "c1", Kind: "nps", Score: 3, Comment: "দাম বেশি", StaffRef: "rep-1", OrderRef: "o1", RespondedAt: day.AddDate(0, 0, 5)}})
	return b
}

func mustApply(t *testing.T, db *store.DB, b *store.Batch) []store.Reject {
	t.Helper()
	rejects, err := db.Apply(context.Background(), b)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return rejects
}

func mustSummary(t *testing.T, db *store.DB) *store.Summary {
	t.Helper()
	s, err := db.Summary(context.Background())
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	return s
}

func testMigrate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	st, err := db.SchemaStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Behind() || st.Ahead() || st.Current < 1 || st.Empty {
		t.Fatalf("status after migrate = %+v", st)
	}
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, err %v", applied, err)
	}
}

func testApplyAndSummary(t *testing.T, db *store.DB) {
	if rejects := mustApply(t, db, SampleBatch()); len(rejects) != 0 {
		t.Fatalf("rejects = %v", rejects)
	}
	s := mustSummary(t, db)
	want := map[string][2]int64{
		"customers": {s.Customers, 2}, "orders": {s.Orders, 3}, "order_lines": {s.OrderLines, 1},
		"order_events": {s.OrderEvents, 2}, "tickets": {s.Tickets, 1}, "survey_responses": {s.SurveyResponses, 1},
		"staff (referenced owner, assignee)": {s.Staff, 2}, "repeat_customers": {s.RepeatCustomers, 1}, "buyers": {s.Buyers, 2},
		"products": {s.Products, 1}, "open_tickets": {s.OpenTickets, 1}, "returned": {s.OrderEventsByType["returned"], 1},
	}
	for name, v := range want {
		if v[0] != v[1] {
			t.Errorf("%s = %d, want %d", name, v[0], v[1])
		}
	}
	if len(s.Revenue) != 2 || s.Revenue[0] != (store.Revenue{Currency: "BDT", Minor: 155050, Orders: 2}) {
		t.Errorf("revenue = %+v", s.Revenue)
	}
	if s.FirstOrderAt == nil || !s.FirstOrderAt.Equal(day) || !s.LastOrderAt.Equal(day.AddDate(0, 1, 0)) {
		t.Errorf("order range = %v … %v", s.FirstOrderAt, s.LastOrderAt)
	}
}

func testReapply(t *testing.T, db *store.DB) {
	mustApply(t, db, SampleBatch())
	before := mustSummary(t, db)
	stamp := func() map[string]time.Time {
		return map[string]time.Time{
			"customers": mustCustomer(t, db, "c1").UpdatedAt,
			"orders":    mustOrder(t, db, "o1").UpdatedAt,
		}
	}
	stamps := stamp()
	db.Now = func() time.Time { return time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond) }
	mustApply(t, db, SampleBatch())
	after := mustSummary(t, db)
	if before.Customers != after.Customers || before.Orders != after.Orders || before.OrderLines != after.OrderLines ||
		before.OrderEvents != after.OrderEvents || before.SurveyResponses != after.SurveyResponses || before.Staff != after.Staff {
		t.Fatalf("counts changed on re-apply: %+v → %+v", before, after)
	}
	for tbl, ts := range stamp() {
		if !ts.Equal(stamps[tbl]) {
			t.Errorf("%s.updated_at moved from %v to %v although nothing changed", tbl, stamps[tbl], ts)
		}
	}
}

func testEmptyKeepsStored(t *testing.T, db *store.DB) {
	mustApply(t, db, SampleBatch())
	// An order for c1 carries only the id: name, email and owner must stay.
	mustApply(t, db, &store.Batch{Orders: []store.Row[retain.Order]{{Ref: 1, V: retain.Order{ExternalID: "o9", CustomerRef: "c1",
		Currency: "BDT", Total: 100, HasTotal: true, PlacedAt: day}}}})
	c := mustCustomer(t, db, "c1")
	if c.Name != "Rahim Uddin" || c.Email != "rahim@example.com" || c.OwnerRef != "rep-1" || c.Attributes["city"] != "Dhaka" {
		t.Fatalf("customer lost stored values: %+v", c)
	}
	// A new name replaces the old one.
	mustApply(t, db, &store.Batch{Customers: []store.Row[retain.Customer]{{V: retain.Customer{ExternalID: "c1", Name: "Rahim U."}}}})
	if c := mustCustomer(t, db, "c1"); c.Name != "Rahim U." || c.Phone != "+8801712345678" {
		t.Fatalf("update = %+v", c)
	}
}

func testUnknownOrderRejected(t *testing.T, db *store.DB) {
	b := SampleBatch()
	b.OrderLines = append(b.OrderLines, store.Row[store.LineRow]{Ref: 20, V: store.LineRow{OrderRef: "nope",
		OrderLine: retain.OrderLine{ExternalID: "x/1", Name: "Pen", Quantity: 1, UnitPrice: 10, Total: 10}}})
	b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{Ref: 21, V: retain.OrderEvent{ExternalID: "e9", OrderRef: "ghost",
		Type: retain.EventChargeback, OccurredAt: day}})
	b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{Ref: 22, V: retain.SurveyResponse{ExternalID: "s9",
		CustomerRef: "c1", Kind: "csat", Score: 2, TicketRef: "t-missing", RespondedAt: day}})
	rejects := mustApply(t, db, b)
	want := []store.Reject{{Ref: 20, Field: "order_id", Why: retain.Reason{Code: "unknown_order", Text: "unknown order nope"}},
		{Ref: 21, Field: "order_id", Why: retain.Reason{Code: "unknown_order", Text: "unknown order ghost"}},
		{Ref: 22, Field: "ticket_id", Why: retain.Reason{Code: "unknown_ticket", Text: "unknown ticket t-missing"}}}
	if len(rejects) != len(want) {
		t.Fatalf("rejects = %v, want %v", rejects, want)
	}
	for i := range want {
		if got := rejects[i]; got.Ref != want[i].Ref || got.Field != want[i].Field || got.Why.Code != want[i].Why.Code || got.Why.Text != want[i].Why.Text {
			t.Errorf("reject %d = %v, want %v", i, rejects[i], want[i])
		}
	}
	s := mustSummary(t, db)
	if s.OrderLines != 1 || s.OrderEvents != 2 || s.SurveyResponses != 1 {
		t.Errorf("rejected rows were stored: %+v", s)
	}
}

func testLaterRowWins(t *testing.T, db *store.DB) {
	b := &store.Batch{}
	for i, total := range []int64{100, 200, 300} {
		b.Orders = append(b.Orders, store.Row[retain.Order]{Ref: i + 1, V: retain.Order{ExternalID: "dup", CustomerRef: "c1",
			Currency: "USD", Total: total, HasTotal: true, PlacedAt: day}})
	}
	mustApply(t, db, b)
	s := mustSummary(t, db)
	if s.Orders != 1 || s.Revenue[0].Minor != 300 {
		t.Fatalf("orders = %d revenue = %+v, want one order of 300", s.Orders, s.Revenue)
	}
}

func testTotalsFromLines(t *testing.T, db *store.DB) {
	mustApply(t, db, &store.Batch{Orders: []store.Row[retain.Order]{{Ref: 1, V: retain.Order{ExternalID: "o1", CustomerRef: "c1",
		Currency: "USD", PlacedAt: day, Lines: []retain.OrderLine{
			{ExternalID: "o1/a", SKU: "a", Quantity: 2, UnitPrice: 150, Total: 300},
			{ExternalID: "o1/b", SKU: "b", Quantity: 1, UnitPrice: 45, Total: 45},
		}}}}})
	if s := mustSummary(t, db); s.Revenue[0].Minor != 345 || s.OrderLines != 2 || s.Products != 2 {
		t.Fatalf("summary = %+v", s)
	}
	// A later batch brings another line of the same order (and a new order):
	// the existing order's total is its lines in the table, not in the batch.
	mustApply(t, db, &store.Batch{Orders: []store.Row[retain.Order]{
		{Ref: 1, V: retain.Order{ExternalID: "o1", CustomerRef: "c1", Currency: "USD", PlacedAt: day, Lines: []retain.OrderLine{
			{ExternalID: "o1/c", SKU: "c", Quantity: 1, UnitPrice: 1000, Total: 1000}}}},
		{Ref: 2, V: retain.Order{ExternalID: "o2", CustomerRef: "c1", Currency: "USD", PlacedAt: day, Lines: []retain.OrderLine{
			{ExternalID: "o2/a", SKU: "a", Quantity: 1, UnitPrice: 5, Total: 5}}}},
	}})
	if o := mustOrder(t, db, "o1"); o.Total != 1345 || len(o.Lines) != 3 {
		t.Errorf("o1 total %d with %d lines, want 1345 from 3", o.Total, len(o.Lines))
	}
	if o := mustOrder(t, db, "o2"); o.Total != 5 {
		t.Errorf("o2 total %d, want 5", o.Total)
	}
}

func testAPIKeys(t *testing.T, db *store.DB) {
	ctx := context.Background()
	k, secret, err := db.CreateAPIKey(ctx, retain.System("test"), "shop", []retain.Scope{retain.ScopeEventsWrite})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.AuthenticateAPIKey(ctx, secret)
	if err != nil || got.ID != k.ID {
		t.Fatalf("authenticate = %+v, %v", got, err)
	}
	if _, err := db.AuthenticateAPIKey(ctx, secret+"x"); retain.ErrorCode(err) != retain.EUNAUTHORIZED {
		t.Fatalf("wrong key: err = %v", err)
	}
	if err := db.RevokeAPIKey(ctx, retain.System("test"), k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AuthenticateAPIKey(ctx, secret); retain.ErrorCode(err) != retain.EUNAUTHORIZED {
		t.Fatalf("revoked key still works: %v", err)
	}
	if err := db.RevokeAPIKey(ctx, retain.System("test"), k.ID); retain.ErrorCode(err) != retain.ENOTFOUND {
		t.Fatalf("second revoke: %v", err)
	}
}

func testUsers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "Admin@Example.com", Name: "Admin", Role: "admin", Team: "Dhaka"}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "admin@example.com" {
		t.Errorf("email = %q", u.Email)
	}
	if _, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "admin@example.com", Name: "Again", Role: "agent"}, "hash"); retain.ErrorCode(err) != retain.ECONFLICT {
		t.Fatalf("duplicate user: err = %v", err)
	}
	if _, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "x@example.com", Name: "X", Role: "boss"}, "hash"); retain.ErrorCode(err) != retain.EINVALID {
		t.Fatalf("bad role: err = %v", err)
	}
	// The last active admin who can sign in stays one: nobody could
	// administer Retain after (the CLI's user commands go through here).
	if err := db.SetUserActive(ctx, retain.System("test"), "admin@example.com", false); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("disabling the only admin: %v", err)
	}
	if err := db.SetUserRole(ctx, retain.System("test"), "admin@example.com", retain.RoleAgent); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("demoting the only admin: %v", err)
	}
	if _, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "second@example.com", Name: "Second", Role: "admin"}, "hash"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserActive(ctx, retain.System("test"), "admin@example.com", false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserRole(ctx, retain.System("test"), "second@example.com", retain.RoleManager); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("demoting the admin left: %v", err)
	}
	users, err := db.ListUsers(ctx)
	if err != nil || len(users) != 2 || users[0].Active || users[0].Team != "Dhaka" || !users[1].Active || users[1].Role != retain.RoleAdmin {
		t.Fatalf("users = %+v, %v", users, err)
	}
}

func testBackup(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustApply(t, db, SampleBatch())
	path := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(ctx, path)
	if db.Dialect() == store.Postgres {
		if retain.ErrorCode(err) != retain.EINVALID {
			t.Fatalf("postgres backup: err = %v, want an explanation", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if v, err := copyDB.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity = %q, %v", v, err)
	}
	if s := mustSummary(t, copyDB); s.Orders != 3 || s.Customers != 2 {
		t.Fatalf("backup summary = %+v", s)
	}
	if err := db.Backup(ctx, path); retain.ErrorCode(err) != retain.ECONFLICT {
		t.Fatalf("backup over an existing file: err = %v", err)
	}
}

func mustCustomer(t *testing.T, db *store.DB, ext string) retain.Customer {
	t.Helper()
	c, err := db.GetCustomer(context.Background(), ext)
	if err != nil {
		t.Fatalf("get customer %s: %v", ext, err)
	}
	return c
}

func mustOrder(t *testing.T, db *store.DB, ext string) store.StoredOrder {
	t.Helper()
	o, err := db.GetOrder(context.Background(), ext)
	if err != nil {
		t.Fatalf("get order %s: %v", ext, err)
	}
	return o
}
