package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// The readers' fuzz targets: whatever the bytes, reading never panics,
// never loops, every refused row names its line, and a row that is
// accepted holds only text the databases can store (no NUL, valid UTF-8).
// Seeds: the examples below, the CDNOW sample and testdata/fuzz.

func fuzzRead(t *testing.T, data []byte, opts Options) {
	opts.setDefaults()
	src, _, err := newSource(bytes.NewReader(data), &opts)
	if err != nil {
		return // a header it cannot use: the whole import is refused with this error
	}
	p := newParser(&opts)
	// check encodes the batch the way a flush hands it on: encoding/json
	// writes a NUL as \u0000 and an invalid byte as \ufffd (a real U+FFFD
	// stays as its own bytes).
	check := func() {
		b, err := json.Marshal(p.batch)
		if err != nil {
			t.Fatalf("an accepted batch does not encode: %v", err)
		}
		if bytes.Contains(b, []byte(`\u0000`)) || bytes.Contains(b, []byte(`\ufffd`)) {
			t.Fatalf("accepted text the databases refuse: %.300s", b)
		}
	}
	for n := 0; ; n++ {
		if n > len(data)+1 {
			t.Fatalf("more records (%d) than bytes (%d): the reader loops", n, len(data))
		}
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			check()
			return
		}
		if err != nil {
			return // an unreadable file: Run reports it with its line
		}
		if rec.err == nil {
			rec.err = p.add(rec)
		}
		if rec.err != nil && rec.line <= 0 {
			t.Fatalf("a rejected row without its line: %v", rec.err)
		}
		if p.rows >= 200 { // as a real import would flush
			check()
			p = p.next()
		}
	}
}

func seedFile(f *testing.F, path string, max int) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	if len(b) > max {
		b = b[:max]
	}
	f.Add(b)
}

func FuzzCSVOrders(f *testing.F) {
	f.Add([]byte("order_id,customer_id,placed_at,total,currency\no1,c1,2024-01-02,12.50,BDT\no2,c1,2024-02-03T10:00:00+06:00,\"1,200.00\",BDT\n"))
	f.Add([]byte("order_id,customer_id,placed_at,total\r\no1,c1,2024-01-02,=1+1\r\n\"o2\nx\",c1,bad,\x00\r\n"))
	f.Add([]byte("\xef\xbb\xbforder_id;customer_id;placed_at;total\no1;c1;02/01/2024;৳১২০০\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, Options{Kind: "orders", Format: "csv", Currency: "BDT"})
	})
}

func FuzzCSVCustomers(f *testing.F) {
	f.Add([]byte("external_id,name,email,phone,locale\nc1,Ayesha Khan,a@x.bd,01711000000,bn\nc2,सीता,,+9779812345678,ne\n"))
	f.Add([]byte("external_id,name,email\nc1,\"quoted \"\"name\"\"\",not-an-email\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, Options{Kind: "customers", Format: "csv", PhoneCountry: "BD"})
	})
}

func FuzzJSONLines(f *testing.F) {
	f.Add([]byte(`{"order_id":"o1","customer_id":"c1","placed_at":"2024-01-02T00:00:00Z","total":"12.50","currency":"NPR","lines":[{"sku":"tea","quantity":"2","price":"6.25"}]}` + "\n" + `{"order_id":"o2"}` + "\n"))
	f.Add([]byte("{\"order_id\":\"o\\u0000\"}\n{not json}\n[1,2]\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, Options{Kind: "orders", Format: "jsonl"}) })
}

func FuzzCDNOW(f *testing.F) {
	seedFile(f, "../../testdata/cdnow/CDNOW_sample.txt", 4096)
	f.Add([]byte("00001 19970101 1 11.77\n00001 19970101 2 -3\nx 1997 a b\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, Options{Kind: "orders", Format: "cdnow"}) })
}

func FuzzShopify(f *testing.F) {
	header := "Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Phone\n"
	f.Add([]byte(header + "#1001,a@x.bd,paid,2024-01-02 10:00:00 +0600,BDT,1200.00,1250.00,0.00,2024-01-02 09:59:00 +0600,2,Tea,600.00,TEA-1,01711000000\n" +
		"#1001,,,,,,,,,1,Cup,50.00,CUP-1,\n"))
	f.Add([]byte(strings.ReplaceAll(header, ",", ";") + "#1;;;;;;;;;;;;;\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, Options{Kind: "orders", Format: "shopify"}) })
}
