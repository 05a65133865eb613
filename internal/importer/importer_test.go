package importer_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/importer"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// importFile writes content to a file and imports it.
func importFile(t *testing.T, db *store.DB, name, content string, opts importer.Options) (importer.Result, map[int]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := importer.File(context.Background(), db, path, "", opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res, readRejects(t, res.RejectsPath)
}

// readRejects returns line → reason from a rejects file.
func readRejects(t *testing.T, path string) map[int]string {
	t.Helper()
	out := map[int]string{}
	if path == "" {
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		var n int
		for _, c := range r[0] {
			n = n*10 + int(c-'0')
		}
		out[n] = r[1]
	}
	return out
}

func summary(t *testing.T, db *store.DB) *store.Summary {
	t.Helper()
	s, err := db.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const malformedOrders = "order_id,customer_id,placed_at,currency,total,sku,product_name,quantity,unit_price\n" +
	"o1,c1,2026-01-05,BDT,1250.50,tea,Tea,2,500\n" + // 2 good
	"o2,c2,2026-13-45,BDT,100,,,,\n" + // 3 bad date
	"o3,c1,2026-01-07,BDT,,pen,Pen,-2,10\n" + // 4 negative quantity
	"o4,c3,2026-01-08,XYZ,10,,,,\n" + // 5 unknown currency
	",c4,2026-01-09,BDT,10,,,,\n" + // 6 missing order id
	"o6,,2026-01-09,BDT,10,,,,\n" + // 7 missing customer id
	"o7,c5,2026-01-10,BDT,\"10,,,,\n" + // 8 broken quoting (never closed)
	"o8,c5,2026-01-11,BDT,20,,,,\n" + // 9 good: the line after the broken quote still imports
	"o9,c\xff\xfe,2026-01-12,BDT,10,,,,\n" + // 10 invalid UTF-8
	"o10,c6,2026-01-12,BDT,\"1,000.00\",,,,\n" + // 11 good, quoted with grouping comma
	"o11,c6,2026-01-13,BDT,10.999,,,,\n" + // 12 too many decimals
	"o12,c6,2026-01-14,BDT,10,x,X\n" + // 13 too few fields
	"\n" + // 14 blank: skipped, not a row
	"o13,c7,2026-01-15T10:00:00+06:00,BDT,5,,,,\n" // 15 good

func TestMalformedCSV(t *testing.T) {
	db := storetest.SQLite(t)
	res, rejects := importFile(t, db, "orders.csv", malformedOrders, importer.Options{Kind: "orders"})
	wantLines := []int{3, 4, 5, 6, 7, 8, 10, 12, 13}
	var got []int
	for line := range rejects {
		got = append(got, line)
	}
	if len(got) != len(wantLines) {
		t.Fatalf("rejected lines = %v, want %v (%v)", got, wantLines, rejects)
	}
	for _, l := range wantLines {
		if rejects[l] == "" {
			t.Errorf("line %d not rejected; rejects: %v", l, rejects)
		}
	}
	for line, want := range map[int]string{3: "placed_at", 4: "quantity", 5: "currency", 6: "order_id: is required",
		7: "customer_id: is required", 8: "never closed", 10: "UTF-8", 12: "decimal places", 13: "fields"} {
		if !strings.Contains(rejects[line], want) {
			t.Errorf("line %d reason %q does not mention %q", line, rejects[line], want)
		}
	}
	if res.Read != 13 || res.Rejected != 9 || res.Imported != 4 {
		t.Errorf("result = %+v, want 13 read, 9 rejected, 4 imported", res)
	}
	s := summary(t, db)
	if s.Orders != 4 || s.Customers != 4 || s.OrderLines != 1 {
		t.Errorf("stored %d orders, %d customers, %d lines; want 4, 4, 1", s.Orders, s.Customers, s.OrderLines)
	}
	if s.Revenue[0].Minor != 125050+2000+100000+500 {
		t.Errorf("revenue = %d", s.Revenue[0].Minor)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	db := storetest.SQLite(t)
	importFile(t, db, "orders.csv", malformedOrders, importer.Options{Kind: "orders"})
	before := summary(t, db)
	res, _ := importFile(t, db, "orders.csv", malformedOrders, importer.Options{Kind: "orders"})
	after := summary(t, db)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("second import changed the database (-before +after):\n%s", diff)
	}
	if res.Rejected != 9 {
		t.Errorf("second import rejected %d rows, want the same 9", res.Rejected)
	}
}

func TestUnknownColumnsRefused(t *testing.T) {
	db := storetest.SQLite(t)
	path := filepath.Join(t.TempDir(), "o.csv")
	os.WriteFile(path, []byte("order_id,customer_id,placed_at,total,colour\no1,c1,2026-01-01,5,red\n"), 0o600)
	_, err := importer.File(context.Background(), db, path, "", importer.Options{Kind: "orders"})
	if err == nil || !strings.Contains(err.Error(), "colour") || !strings.Contains(err.Error(), "--map") {
		t.Fatalf("err = %v, want one naming the column and --map", err)
	}
	// With --map and --ignore the same file imports.
	res, err := importer.File(context.Background(), db, path, "", importer.Options{Kind: "orders", Ignore: []string{"colour"}})
	if err != nil || res.Imported != 1 {
		t.Fatalf("with --ignore: %+v, %v", res, err)
	}
	// A column is ignored by the name the file gives it, too.
	os.WriteFile(path, []byte("order_id,customer_id,placed_at,total,Gift Wrap\no2,c1,2026-01-02,5,yes\n"), 0o600)
	res, err = importer.File(context.Background(), db, path, "", importer.Options{Kind: "orders", Ignore: []string{"Gift Wrap"}})
	if err != nil || res.Imported != 1 {
		t.Fatalf("--ignore 'Gift Wrap': %+v, %v", res, err)
	}
}

// TestSuggestAndPeek: the upload page's preview reads a header as the
// import will (aliases, a byte order mark, quoted fields across lines).
func TestSuggestAndPeek(t *testing.T) {
	header, rows, err := importer.Peek(strings.NewReader("\ufeffOrder No,Customer,Date,Note\nA-1,K9,2026-02-01,\"two\nlines\"\n"), 5)
	if err != nil || len(header) != 4 || header[0] != "Order No" || len(rows) != 1 || rows[0][3] != "two\nlines" {
		t.Fatalf("peek: %q %q %v", header, rows, err)
	}
	got := importer.Suggest("orders", header)
	if want := []string{"order_id", "customer_id", "placed_at", ""}; !slices.Equal(got, want) {
		t.Errorf("suggest: %q, want %q", got, want)
	}
}

func TestMapAndAliases(t *testing.T) {
	db := storetest.SQLite(t)
	csvText := "Order No,Customer,Date,Amount,Currency\nA-1,K9,2026-02-01 10:00,99.50,npr\n"
	res, rejects := importFile(t, db, "o.csv", csvText, importer.Options{Kind: "orders", Map: map[string]string{"Order No": "order_id"}})
	if res.Imported != 1 || len(rejects) != 0 {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	o, err := db.GetOrder(context.Background(), "A-1")
	if err != nil {
		t.Fatal(err)
	}
	if o.CustomerRef != "K9" || o.Currency != "NPR" || o.Total != 9950 || !o.PlacedAt.Equal(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("order = %+v", o.Order)
	}
}

func TestCustomersCSV(t *testing.T) {
	db := storetest.SQLite(t)
	text := "id,name,email,phone,language,timezone,consent_sms,city\n" +
		"c1,আয়েশা রহমান,Ayesha@Example.COM,01712-345678,bn,Asia/Dhaka,yes,Dhaka\n" +
		"c2,Bikash,not-an-email,98XX,ne,Mars/Base,maybe,Pokhara\n"
	res, rejects := importFile(t, db, "c.csv", text, importer.Options{Kind: "customers", PhoneCountry: "BD"})
	if res.Imported != 1 || len(rejects) != 1 {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	for _, field := range []string{"email", "phone", "time_zone", "consent_sms"} {
		if !strings.Contains(rejects[3], field) {
			t.Errorf("reject %q does not name %s", rejects[3], field)
		}
	}
	c, err := db.GetCustomer(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "আয়েশা রহমান" || c.Email != "Ayesha@example.com" || c.Phone != "+8801712345678" || c.Locale != "bn" ||
		c.Attributes["city"] != "Dhaka" || len(c.Consents) != 1 || !c.Consents[0].Granted {
		t.Errorf("customer = %+v", c)
	}
}

func TestJSONLines(t *testing.T) {
	db := storetest.SQLite(t)
	text := `{"order_id":"j1","customer_id":"c1","placed_at":"2026-03-01T08:00:00Z","currency":"BDT","lines":[{"sku":"tea","quantity":2,"unit_price":"450"},{"sku":"rice","quantity":1,"unit_price":420.5}]}
{"order_id":"j2","customer_id":"c1","placed_at":"2026-03-02","currency":"BDT","total":"x"}
not json
{"order_id":"j3","customer_id":"c2","placed_at":"2026-03-03","currency":"BDT","total":10,"weird":{"a":1}}
`
	res, rejects := importFile(t, db, "o.jsonl", text, importer.Options{Kind: "orders"})
	if res.Imported != 1 || res.Rejected != 3 {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	if !strings.Contains(rejects[2], "total") || !strings.Contains(rejects[3], "JSON") || !strings.Contains(rejects[4], "weird") {
		t.Errorf("rejects = %v", rejects)
	}
	o, err := db.GetOrder(context.Background(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	if o.Total != 90000+42050 || len(o.Lines) != 2 {
		t.Errorf("order total %d with %d lines, want 132050 from 2 lines", o.Total, len(o.Lines))
	}
}

func TestOrderEventsAndSurveys(t *testing.T) {
	db := storetest.SQLite(t)
	importFile(t, db, "o.csv", "order_id,customer_id,placed_at,total\no1,c1,2026-01-01,100\n", importer.Options{Kind: "orders", Currency: "BDT"})
	res, rejects := importFile(t, db, "e.csv", "order_id,type,reason,amount,occurred_at\n"+
		"o1,Delivered,,,2026-01-03\n"+
		"o1,refunded,damaged,100,2026-01-05\n"+
		"o404,returned,x,,2026-01-05\n"+
		"o1,teleported,,,2026-01-05\n", importer.Options{Kind: "order-events", Currency: "BDT"})
	if res.Imported != 2 || rejects[4] != "order_id: unknown order o404" || !strings.Contains(rejects[5], "type") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	res, rejects = importFile(t, db, "s.csv", "customer_id,kind,score,comment,staff,responded_at\n"+
		"c1,nps,3,দাম বেশি,Rubel,2026-01-06\n"+
		"c1,csat,9,,,2026-01-06\n", importer.Options{Kind: "survey-responses"})
	if res.Imported != 1 || !strings.Contains(rejects[3], "score") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	if s := summary(t, db); s.SurveyResponses != 1 || s.Staff != 1 || s.OrderEventsByType["refunded"] != 1 {
		t.Errorf("summary = %+v", s)
	}
}

func TestTickets(t *testing.T) {
	db := storetest.SQLite(t)
	res, rejects := importFile(t, db, "t.csv", "ticket_id,customer_id,channel,subject,body,status,priority,assignee,opened_at,resolved_at\n"+
		"t1,c1,WhatsApp,Late,पार्सल ढिलो भयो,open,high,farhana,2026-01-01 09:00,\n"+
		"t2,c1,pigeon,x,,open,normal,,2026-01-01,\n"+
		"t3,c2,email,x,,resolved,normal,,2026-01-05,2026-01-01\n", importer.Options{Kind: "tickets"})
	if res.Imported != 1 || !strings.Contains(rejects[3], "channel") || !strings.Contains(rejects[4], "resolved_at") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	} // Tags, a team and the order it is about; an unknown order refuses
	// the row with its line, and an empty tags cell keeps the tags.
	if _, err := db.SaveTeam(context.Background(), retain.System("test"), 0, "Dhaka"); err != nil {
		t.Fatal(err)
	}
	res, rejects = importFile(t, db, "t2.csv", "ticket_id,customer_id,opened_at,tags,team,order_id\n"+
		"t1,c1,2026-01-01 09:00,\"Late, courier\",Dhaka,\n"+
		"t4,c1,2026-01-02,,,no-such-order\n", importer.Options{Kind: "tickets"})
	if res.Imported != 1 || !strings.Contains(rejects[3], "no-such-order") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	importFile(t, db, "t3.csv", "ticket_id,customer_id,opened_at,tags\nt1,c1,2026-01-01 09:00,\n", importer.Options{Kind: "tickets"})
	if tk, err := db.TicketByRef(context.Background(), "t1"); err != nil || strings.Join(tk.Tags, ",") != "late,courier" || tk.Team != "Dhaka" {
		t.Errorf("t1: tags %q team %q (%v)", tk.Tags, tk.Team, err)
	}
}

func TestShopify(t *testing.T) {
	db := storetest.SQLite(t)
	text := "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,Vendor\n" +
		"#1001,rina@example.com,paid,2026-01-02 10:00:00 +0600,fulfilled,2026-01-03 11:00:00 +0600,BDT,1350.00,1350.00,2026-01-02 09:58:00 +0600,2,Tea 500g,450.00,TEA-500,Rina Akter,+8801711111111,Teas\n" +
		"#1001,,,,,,,,,,1,Biscuits,450.00,BIS-1,,,Snacks\n" +
		"#1002,,pending,,,,BDT,100,100,2026-01-04 09:00:00 +0600,1,Pen,100,PEN,,,\n" +
		"#1003,,,,,,,,,,1,Orphan line,10,ORPH,,,\n"
	res, rejects := importFile(t, db, "orders_export.csv", text, importer.Options{Kind: "orders", Format: "shopify"})
	if res.Imported != 2 || len(rejects) != 2 || !strings.Contains(rejects[4], "email") || !strings.Contains(rejects[5], "first row") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	o, err := db.GetOrder(context.Background(), "#1001")
	if err != nil {
		t.Fatal(err)
	}
	if o.CustomerRef != "rina@example.com" || o.Total != 135000 || len(o.Lines) != 2 || o.Status != "fulfilled" ||
		!o.PlacedAt.Equal(time.Date(2026, 1, 2, 3, 58, 0, 0, time.UTC)) {
		t.Errorf("order = %+v", o)
	}
	if s := summary(t, db); s.OrderEventsByType["paid"] != 1 || s.OrderEventsByType["shipped"] != 1 {
		t.Errorf("events = %v", s.OrderEventsByType)
	}
}

func TestOrdersSplitAcrossBatchesKeepTogether(t *testing.T) {
	db := storetest.SQLite(t)
	var b strings.Builder
	b.WriteString("order_id,customer_id,placed_at,currency,sku,quantity,unit_price\n")
	for o := 0; o < 50; o++ {
		for l := 0; l < 3; l++ {
			b.WriteString("o" + itoa(o) + ",c1,2026-01-01,USD,s" + itoa(l) + ",1,1.00\n")
		}
	}
	res, rejects := importFile(t, db, "o.csv", b.String(), importer.Options{Kind: "orders", BatchSize: 7})
	if res.Imported != 150 || len(rejects) != 0 {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	if s := summary(t, db); s.Orders != 50 || s.OrderLines != 150 || s.Revenue[0].Minor != 15000 {
		t.Errorf("summary = %+v", s)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestNonTextRowsRejectedAlone: a row with a NUL byte or invalid UTF-8 used
// to fail its whole batch on PostgreSQL (which refuses NUL in text). Now that
// row is rejected, naming the field, and the others are imported, on both
// databases.
func TestNonTextRowsRejectedAlone(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			text := "id,name,email\n" + "c1,Ayesha,a@example.com\n" + "c2,Bik\x00ash,b@example.com\n" + "c3,R\xffam,r@example.com\n" + "c4,Sita,s@example.com\n"
			res, rejects := importFile(t, db, "c.csv", text, importer.Options{Kind: "customers"})
			if res.Imported != 2 || len(rejects) != 2 || !strings.Contains(rejects[3], "name") || !strings.Contains(rejects[3], "NUL") ||
				!strings.Contains(rejects[4], "UTF-8") {
				t.Fatalf("res = %+v rejects = %v", res, rejects)
			}
		})
	}
}

// TestRejectsFileIsFormulaSafe: a rejected row that a spreadsheet would run
// as a formula is written to the rejects file defused.
func TestRejectsFileIsFormulaSafe(t *testing.T) {
	db := storetest.SQLite(t)
	path := filepath.Join(t.TempDir(), "c.csv")
	if err := os.WriteFile(path, []byte("id,email\n=HYPERLINK(\"http://x.example\"),not-an-email\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := importer.File(context.Background(), db, path, "", importer.Options{Kind: "customers"})
	if err != nil || res.Rejected != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	b, err := os.ReadFile(res.RejectsPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("rejects %q: %v", b, err)
	}
	for _, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("rejects cell %q would run as a formula", cell)
		}
	}
}

// TestBatchesBoundedByBytes: wide rows make smaller batches, so an import's
// memory follows the batch's bytes, not its row count (2,000 rows of 10,000
// columns used to be one 3 GB batch).
func TestBatchesBoundedByBytes(t *testing.T) {
	db := storetest.SQLite(t)
	var sb strings.Builder
	sb.WriteString("id,name,notes\n")
	for i := range 200 {
		fmt.Fprintf(&sb, "c%d,Customer %d,%s\n", i, i, strings.Repeat("x", 2000))
	}
	path := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	batches := 0
	res, err := importer.File(context.Background(), db, path, "", importer.Options{Kind: "customers", BatchBytes: 20_000,
		Progress: func(int64, int64) { batches++ }})
	if err != nil || res.Imported != 200 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if batches < 20 { // 200 rows of 2 KB in batches of at most about 20 KB
		t.Errorf("%d batches, want at least 20", batches)
	}
}

// TestOneMessagePerBadField: a bad value is reported once, in a shop
// owner's words (YYYY-MM-DD, not Go's layout), even when the order's own
// checks would find it again through its line.
func TestOneMessagePerBadField(t *testing.T) {
	db := storetest.SQLite(t)
	csvText := "order_id,customer_id,placed_at,line_id,sku,quantity,unit_price\n" +
		"A1,c1,2026-01-01,L1,s1,two,100\n" +
		"A2,c1,01/03/2026,L2,s1,1,100\n"
	_, rejects := importFile(t, db, "o.csv", csvText, importer.Options{Kind: "orders", Currency: "BDT"})
	if got := rejects[2]; got != `quantity: "two" is not a whole number` {
		t.Errorf("line 2: %q", got)
	}
	if got := rejects[3]; !strings.Contains(got, "YYYY-MM-DD") || strings.Contains(got, "2006") || strings.Count(got, ";") > 0 {
		t.Errorf("line 3: %q", got)
	}
}

// TestRefusalsKeepTheirCodes: a refused row's reasons reach the caller as
// codes with the values they quote (the browser says them in its reader's
// language), field by field, from the parser, the model's checks and the
// store alike; the rejects file keeps the English.
func TestRefusalsKeepTheirCodes(t *testing.T) {
	db := storetest.SQLite(t)
	importFile(t, db, "o.csv", "order_id,customer_id,placed_at,total\no1,c1,2026-01-01,100\n", importer.Options{Kind: "orders", Currency: "BDT"})
	res, rejects := importFile(t, db, "e.csv", "order_id,type,reason,amount,occurred_at\n"+
		"o1,delivered,,,03/15/2026\n"+ // line 2: a date in no layout
		"o404,returned,x,,2026-01-05\n"+ // line 3: the store knows no such order
		"o1,teleported,,-5,2026-01-05\n"+ // line 4: two fields at once
		"o1,\"delivered,,,2026-01-05\n"+ // line 5: a quote never closed
		"o1,delivered,,\n", // line 6: too few fields
		importer.Options{Kind: "order-events", Currency: "BDT", Keep: 3})
	if res.Rejected != 5 || len(res.Refused) != 3 {
		t.Fatalf("rejected %d, kept %d; want 5 and 3", res.Rejected, len(res.Refused))
	}
	type want struct {
		line          int
		field, code   string
		firstArgShown string
	}
	for i, w := range []want{{2, "occurred_at", "not_date", "03/15/2026"}, {3, "order_id", "unknown_order", "o404"}, {4, "type", "not_one_of", "teleported"}} {
		got := res.Refused[i]
		r, ok := got.Problems[w.field]
		if got.Line != w.line || !ok || r.Code != w.code || len(r.Args) == 0 || r.Args[0] != w.firstArgShown {
			t.Errorf("refusal %d = line %d %+v, want line %d %s: %s (%s)", i, got.Line, got.Problems, w.line, w.field, w.code, w.firstArgShown)
		}
	}
	if r := res.Refused[2].Problems["amount"]; r.Code != "negative" {
		t.Errorf("line 4 amount: %+v, want the code negative", r)
	}
	if !strings.Contains(rejects[2], "occurred_at: \"03/15/2026\" is not a date or time") || !strings.Contains(rejects[5], "never closed") {
		t.Errorf("rejects file reasons: %v", rejects)
	}
	all, _ := importFile(t, db, "e2.csv", "order_id,type,reason,amount,occurred_at\no1,\"delivered,,,2026-01-05\no1,delivered,,\n",
		importer.Options{Kind: "order-events", Currency: "BDT", Keep: 10})
	codes := []string{}
	for _, f := range all.Refused {
		codes = append(codes, f.Problems[""].Code)
	}
	if !slices.Equal(codes, []string{"quote_unclosed", "field_count"}) {
		t.Errorf("row-level refusals %v, want quote_unclosed and field_count", codes)
	}
}

// TestBadCustomerEmailRefusesTheRow: an order row whose only fault is its
// customer's email is refused, not stored without the email.
func TestBadCustomerEmailRefusesTheRow(t *testing.T) {
	db := storetest.SQLite(t)
	res, rejects := importFile(t, db, "o.csv", "order_id,customer_id,customer_email,placed_at,total\no1,c1,not-an-address,2026-01-01,100\no2,c2,b@shop.example,2026-01-01,100\n",
		importer.Options{Kind: "orders", Currency: "BDT"})
	if res.Imported != 1 || !strings.Contains(rejects[2], "customer_email") {
		t.Errorf("imported %d, rejects %v; want o1 refused for its email", res.Imported, rejects)
	}
}

// TestImportRecordsProgress: while an import runs — the CLI's, not only the
// browser's — its row says how far it has got after each batch, so the
// Import page can show it.
func TestImportRecordsProgress(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("order_id,customer_id,placed_at,total,currency\n")
	for i := range 10 {
		fmt.Fprintf(&b, "p%d,pc%d,2026-01-01,5,BDT\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "orders.csv")
	os.WriteFile(path, []byte(b.String()), 0o600)
	var seen []store.ImportRun
	opts := importer.Options{Kind: "orders", BatchSize: 3, Progress: func(rows, bytes int64) {
		runs, err := db.Imports(ctx, 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("imports: %v %v", runs, err)
		}
		seen = append(seen, runs[0])
	}}
	if _, err := importer.File(ctx, db, path, "", opts); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 || seen[0].Status != "running" || seen[0].RowsRead == 0 || seen[0].BytesTotal != int64(b.Len()) ||
		seen[1].RowsRead <= seen[0].RowsRead {
		t.Errorf("progress as recorded: %+v", seen)
	}
}

// TestSubscriptions: a contracts export with its own column names (Contract,
// Price, Period, Renewal Date) imports; a status Retain does not know and a
// renewal before the start refuse their row with its line and fields; the
// same file again changes nothing.
func TestSubscriptions(t *testing.T) {
	db := storetest.SQLite(t)
	file := "Contract,Customer,Plan,Status,Price,Period,Start Date,Renewal Date\n" +
		"K-1,c1,Monthly supply,active,12500,month,2026-01-05,2027-01-05\n" +
		"K-2,c2,Annual service,,1500.50,year,2026-03-01,2027-03-01\n" +
		"K-3,c3,Bad,paused,100,month,2026-03-01,2026-02-01\n"
	res, rejects := importFile(t, db, "k.csv", file, importer.Options{Kind: "subscriptions", Currency: "BDT"})
	if res.Imported != 2 || !strings.Contains(rejects[4], "status") || !strings.Contains(rejects[4], "renews_at") {
		t.Fatalf("res = %+v rejects = %v", res, rejects)
	}
	if s := summary(t, db); s.Subscriptions != 2 {
		t.Errorf("summary = %+v", s)
	}
	importFile(t, db, "k.csv", file, importer.Options{Kind: "subscriptions", Currency: "BDT"})
	if s := summary(t, db); s.Subscriptions != 2 {
		t.Errorf("after importing again: %+v", s)
	}
}
