package core

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"reflect"
	"testing"
	"time"

	"github.com/retainhq/retain"
)

// FuzzEvents feeds the events API's decoder and checks (the same JSON
// decoding and checkEvents that POST /api/v1/events runs): never a panic;
// an accepted batch holds only text the databases can store; a refused one
// says which field of which event.
func FuzzEvents(f *testing.F) {
	f.Add([]byte(`{"events":[{"id":"e1","type":"customer.upsert","customer":{"external_id":"c1","name":"Sita","phone":"+9779812345678","locale":"ne"}},
		{"id":"e2","type":"order.placed","order":{"external_id":"o1","customer_id":"c1","placed_at":"2026-01-02T10:00:00+05:45","total":"1200.00","currency":"NPR",
		"lines":[{"sku":"tea","quantity":2,"unit_price":"600.00"}]}},{"id":"e3","type":"order.refused","order_id":"o1","reason":"not home"}]}`))
	f.Add([]byte(`{"events":[{"id":"e1","type":"survey.response","survey_response":{"customer_id":"c1","kind":"nps","score":11}},{"id":"e1","type":"x"}]}`))
	f.Add([]byte("{\"events\":[{\"id\":\"\\u0000\",\"type\":\"order.delivered\",\"order_id\":\"o\\ud800\"}]}"))
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			Events []Event `json:"events"`
		}
		if json.Unmarshal(data, &in) != nil || len(in.Events) > MaxEvents {
			return // the API answers 400/422 before checking
		}
		batch, err := checkEvents(in.Events, now)
		if err != nil {
			if len(err.Error()) == 0 {
				t.Fatal("a refusal that says nothing")
			}
			return
		}
		b, err := json.Marshal(batch)
		if err != nil {
			t.Fatalf("an accepted batch does not encode: %v", err)
		}
		if bytes.Contains(b, []byte(`\u0000`)) || bytes.Contains(b, []byte(`\ufffd`)) {
			t.Fatalf("accepted text the databases refuse: %.300s", b)
		}
	})
}

// FuzzPlaybook: parsing a definition never panics, and one that parses
// survives a round trip (what is stored reads back the same).
func FuzzPlaybook(f *testing.F) {
	files, _ := fs.Glob(builtinFS, "playbooks/*.json")
	for _, name := range files {
		b, err := builtinFS.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"key":"x","name":{"en":"X"},"trigger":{"alert":"detractor"},"steps":[{"wait":"2d"},{"send":{"channel":"sms","text":{"en":"Hi {{.FirstName}}","bn":"হাই","ne":"नमस्ते"}}}]}`))
	f.Add([]byte(`{"key":"","steps":[{"wait":"-1d"},{"send":{"text":{"en":"{{.Nope"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := retain.ParsePlaybook(data)
		if err != nil {
			return
		}
		norm, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("a parsed playbook does not encode: %v", err)
		}
		q, err := retain.ParsePlaybook(norm)
		if err != nil {
			t.Fatalf("a parsed playbook does not parse again: %v\n%s", err, norm)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the playbook:\n%+v\n%+v", p, q)
		}
	})
}
