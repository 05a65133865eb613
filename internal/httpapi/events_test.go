package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/httpapi"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

type fixture struct {
	db  *store.DB
	srv *httptest.Server
	key string
	api *httpapi.API
}

func newFixture(t testing.TB, open storetest.Opener) *fixture {
	t.Helper()
	db := open(t)
	_, key, err := db.CreateAPIKey(context.Background(), retain.System("test"), "test", []retain.Scope{retain.ScopeAdmin})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api := httpapi.New(mux, db, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.NewMetrics())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{db: db, srv: srv, key: key, api: api}
}

// call sends a JSON body (nil for none) with an API key and reads the
// JSON answer.
func (f *fixture) call(t testing.TB, key, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, raw := f.send(t, key, method, path, body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return code, out
}

// callList is call for an answer that is a JSON list.
func (f *fixture) callList(t testing.TB, key, method, path string, body any) (int, []any) {
	t.Helper()
	code, raw := f.send(t, key, method, path, body)
	var out []any
	json.Unmarshal(raw, &out)
	return code, out
}

// send sends a JSON body (nil for none) with an API key and reads the answer.
func (f *fixture) send(t testing.TB, key, method, path string, body any) (int, []byte) {
	t.Helper()
	var b io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		b = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, b)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func (f *fixture) post(t *testing.T, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

const goodBatch = `{"events":[
 {"id":"e1","type":"customer.upsert","customer":{"external_id":"c1","name":"Sita Shrestha","phone":"+9779812345678","locale":"ne","time_zone":"Asia/Kathmandu",
   "consents":[{"channel":"sms","purpose":"marketing","granted":true}]}},
 {"id":"e2","type":"order.placed","order":{"external_id":"o1","customer_id":"c1","currency":"NPR","placed_at":"2026-05-01T10:00:00+05:45",
   "lines":[{"sku":"tea","product_name":"Ilam tea","quantity":2,"unit_price":"418.00"}]}},
 {"id":"e3","type":"order.delivered","order_id":"o1","occurred_at":"2026-05-03T12:00:00Z"},
 {"id":"e4","type":"order.refunded","order_id":"o1","reason":"damaged","amount":"418","currency":"NPR"},
 {"id":"e5","type":"ticket.upsert","ticket":{"external_id":"t1","customer_id":"c1","channel":"whatsapp","body":"चिया भिजेको थियो","opened_at":"2026-05-04T08:00:00Z"}},
 {"id":"e6","type":"survey.response","survey_response":{"customer_id":"c1","kind":"nps","score":4,"comment":"ढिलो","staff":"st-suman","order_id":"o1"}}
]}`

func forEachDB(t *testing.T, fn func(*testing.T, *fixture)) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, open))
		})
	}
}

func TestEventsAppliedOnceAndAcknowledged(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		code, out := f.post(t, f.key, goodBatch)
		if code != 200 || out["applied"] != 6.0 || out["duplicates"] != 0.0 {
			t.Fatalf("first post: %d %v", code, out)
		}
		s1, _ := f.db.Summary(context.Background())
		if s1.Customers != 1 || s1.Orders != 1 || s1.OrderEvents != 3 || s1.Tickets != 1 || s1.SurveyResponses != 1 || s1.Events != 6 {
			t.Fatalf("summary = %+v", s1)
		}
		o, err := f.db.GetOrder(context.Background(), "o1")
		if err != nil || o.Total != 83600 || o.Currency != "NPR" {
			t.Fatalf("order = %+v, %v", o, err)
		}
		code, out = f.post(t, f.key, goodBatch)
		if code != 200 || out["applied"] != 0.0 || out["duplicates"] != 6.0 {
			t.Fatalf("retry: %d %v", code, out)
		}
		s2, _ := f.db.Summary(context.Background())
		if s2.OrderEvents != s1.OrderEvents || s2.Events != s1.Events || s2.SurveyResponses != 1 {
			t.Fatalf("retry had an effect: %+v → %+v", s1, s2)
		}
	})
}

func TestEventsNeedAKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		if code, _ := f.post(t, "", goodBatch); code != 401 {
			t.Errorf("no key: %d", code)
		}
		if code, _ := f.post(t, f.key+"x", goodBatch); code != 401 {
			t.Errorf("wrong key: %d", code)
		}
		if s, _ := f.db.Summary(context.Background()); s.Events != 0 {
			t.Errorf("unauthenticated events stored: %+v", s)
		}
	})
}

// TestMalformedEvents: every bad input is a 4xx that names the bad field,
// and none of the batch takes effect.
func TestMalformedEvents(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"m%d","type":"order.paid","order_id":"o"}`, i)
	}
	cases := []struct {
		name, body, field string
		status            int
	}{
		{"not json", `{"events":[`, "", 400},
		{"no events", `{"events":[]}`, "body.events", 422},
		{"unknown type", `{"events":[{"id":"a","type":"order.teleported","order_id":"o"}]}`, "body.events[0].type", 422},
		{"missing id", `{"events":[{"type":"order.paid","order_id":"o"}]}`, "body.events[0]", 422},
		{"total not a string", `{"events":[{"id":"a","type":"order.placed","order":{"external_id":"o","customer_id":"c","currency":"BDT","placed_at":"2026-01-01T00:00:00Z","total":12}}]}`, "body.events[0].order.total", 422},
		{"bad currency", `{"events":[{"id":"a","type":"order.placed","order":{"external_id":"o","customer_id":"c","currency":"XYZ","placed_at":"2026-01-01T00:00:00Z","total":"12"}}]}`, "body.events[0].order.currency", 400},
		{"too many decimals", `{"events":[{"id":"a","type":"order.placed","order":{"external_id":"o","customer_id":"c","currency":"JPY","placed_at":"2026-01-01T00:00:00Z","total":"12.5"}}]}`, "body.events[0].order.total", 400},
		{"missing order object", `{"events":[{"id":"a","type":"order.placed"}]}`, "body.events[0].order", 400},
		{"unknown order", `{"events":[{"id":"a","type":"order.delivered","order_id":"nope"}]}`, "body.events[0]", 400},
		{"bad phone", `{"events":[{"id":"a","type":"customer.upsert","customer":{"external_id":"c","phone":"12"}}]}`, "body.events[0].customer.phone", 400},
		{"nps out of range", `{"events":[{"id":"a","type":"survey.response","survey_response":{"customer_id":"c","kind":"nps","score":11}}]}`, "body.events[0].survey_response.score", 400},
		{"repeated id in batch", `{"events":[{"id":"a","type":"order.paid","order_id":"o"},{"id":"a","type":"order.paid","order_id":"o"}]}`, "body.events[1].id", 400},
		{"amount without currency", `{"events":[{"id":"a","type":"order.refunded","order_id":"o","amount":"5"}]}`, "body.events[0].currency", 400},
		{"NUL in a name", `{"events":[{"id":"a","type":"customer.upsert","customer":{"external_id":"c","name":"Bik\u0000ash"}}]}`, "body.events[0].customer.name", 400},
		{"NUL in an attribute", `{"events":[{"id":"a","type":"customer.upsert","customer":{"external_id":"c","attributes":{"city":"Dha\u0000ka"}}}]}`, "body.events[0].customer.attributes.city", 400},
		{"line total past 64 bits", `{"events":[{"id":"a","type":"order.placed","order":{"external_id":"o","customer_id":"c","currency":"BDT","placed_at":"2026-01-01T00:00:00Z","lines":[{"sku":"s","quantity":4611686018427387904,"unit_price":"1.00"}]}}]}`, "body.events[0].order.lines[0].quantity", 400},
		{"too many events", `{"events":[` + strings.Join(many, ",") + `]}`, "body.events", 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := f.post(t, f.key, c.body)
			if code != c.status {
				t.Fatalf("status %d, want %d: %v", code, c.status, out)
			}
			if c.field != "" {
				found, coded := false, false
				errs, _ := out["errors"].([]any)
				for _, e := range errs {
					loc, _ := e.(map[string]any)["location"].(string)
					code, _ := e.(map[string]any)["code"].(string)
					found = found || strings.HasPrefix(loc, c.field)
					coded = coded || strings.HasPrefix(loc, c.field) && code != ""
				}
				if !found {
					t.Errorf("no error located at %s: %v", c.field, out)
				}
				// A 400 says why as a code too, for a client to put in its
				// own words (422s are the schema's, in the schema's words).
				if c.status == http.StatusBadRequest && !coded {
					t.Errorf("the error at %s has no reason code: %v", c.field, out)
				}
			}
		})
	}
	if s, _ := f.db.Summary(context.Background()); s.Events != 0 || s.Customers != 0 {
		t.Errorf("malformed batches had an effect: %+v", s)
	}
}

// TestConcurrentRetries: many clients retrying the same batch at once still
// produce exactly one effect per event id.
func TestConcurrentRetries(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		if code, out := f.post(t, f.key, goodBatch); code != 200 {
			t.Fatalf("setup: %d %v", code, out)
		}
		var events []string
		for i := 0; i < 40; i++ {
			events = append(events, fmt.Sprintf(`{"id":"r%d","type":"order.%s","order_id":"o1","reason":"retry %d"}`,
				i, []string{"shipped", "delayed", "delivered", "returned"}[i%4], i))
		}
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				// Each client sends every event, rotated, so batches overlap in different orders.
				var mine []string
				for i := range events {
					mine = append(mine, events[(i+3*c)%len(events)])
				}
				for attempt := 0; attempt < 3; attempt++ {
					if code, out := f.post(t, f.key, `{"events":[`+strings.Join(mine, ",")+`]}`); code != 200 {
						errs <- fmt.Sprintf("client %d: %d %v", c, code, out)
					}
				}
			}(c)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		s, _ := f.db.Summary(context.Background())
		if s.OrderEvents != 3+40 || s.Events != 6+40 {
			t.Fatalf("order events %d, events %d; want 43 and 46", s.OrderEvents, s.Events)
		}
	})
}

func TestProbesAndOpenAPI(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	get := func(path string) (int, string) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	f.post(t, f.key, goodBatch)
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, `retain_events_total{result="applied"} 6`) ||
		!strings.Contains(body, `retain_http_requests_total{code="200",route="post-events"} 1`) {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	code, body := get("/api/v1/openapi.json")
	var doc map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d %.200s", code, body)
	}
	paths, _ := doc["paths"].(map[string]any)
	if _, ok := paths["/api/v1/events"]; !ok {
		t.Errorf("openapi has no /api/v1/events: %v", paths)
	}
}

// TestBackpressure: while the database is busy, at most MaxInFlight API
// requests wait for it; the others are turned away at once-ish (after
// QueueWait) with 503 and Retry-After, and every request let in succeeds.
func TestBackpressure(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	release, held := make(chan struct{}), make(chan struct{})
	go f.db.WithTx(ctx, func(*store.Tx) error { close(held); <-release; return nil }) // the one writer, held
	<-held
	const clients = httpapi.MaxInFlight + 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes, retryAfter := map[int]int{}, 0
	for i := range clients {
		wg.Go(func() {
			body := fmt.Sprintf(`{"events":[{"id":"bp-%d","type":"customer.upsert","customer":{"external_id":"c%d"}}]}`, i, i)
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/events", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			if resp.Header.Get("Retry-After") != "" {
				retryAfter++
			}
			mu.Unlock()
		})
	}
	time.Sleep(2 * httpapi.QueueWait) // the ones past the limit are answered meanwhile
	mu.Lock()
	shed := codes[http.StatusServiceUnavailable]
	mu.Unlock()
	close(release)
	wg.Wait()
	if shed < clients-httpapi.MaxInFlight || retryAfter != shed || codes[http.StatusOK] != clients-shed {
		t.Errorf("answers %v (%d with Retry-After): want %d turned away with 503 while the database was busy, the rest applied",
			codes, retryAfter, clients-httpapi.MaxInFlight)
	}
}

// TestSubscriptionEvents: a subscription posted as an event is stored, on
// both databases; one renewing before it started and with no currency is
// refused naming each field, and nothing more is stored.
func TestSubscriptionEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		good := `{"events":[{"id":"s1","type":"customer.upsert","customer":{"external_id":"dist-1","name":"Karim Traders"}},
			{"id":"s2","type":"subscription.upsert","subscription":{"external_id":"K-1","customer_id":"dist-1","plan":"Monthly supply",
			"value":"12500.50","currency":"BDT","interval":"month","started_at":"2026-01-05T00:00:00Z","renews_at":"2027-01-05T00:00:00Z"}}]}`
		if code, out := f.post(t, f.key, good); code != 200 || out["applied"] != 2.0 {
			t.Fatalf("post: %d %v", code, out)
		}
		if s, err := f.db.Summary(context.Background()); err != nil || s.Subscriptions != 1 {
			t.Errorf("stored: %+v %v", s, err)
		}
		bad := `{"events":[{"id":"s3","type":"subscription.upsert","subscription":{"external_id":"K-2","customer_id":"dist-1","plan":"X",
			"value":"10","currency":"","status":"active","started_at":"2026-03-01T00:00:00Z","renews_at":"2026-02-01T00:00:00Z"}}]}`
		code, out := f.post(t, f.key, bad)
		text := fmt.Sprint(out)
		if code != 400 || !strings.Contains(text, "subscription.renews_at") || !strings.Contains(text, "subscription.currency") {
			t.Errorf("bad subscription: %d %v", code, out)
		}
		if s, err := f.db.Summary(context.Background()); err != nil || s.Subscriptions != 1 {
			t.Errorf("after the refused one: %+v %v", s, err)
		}
	})
}
