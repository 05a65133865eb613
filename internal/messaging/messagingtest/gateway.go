// Package messagingtest is a fake messaging gateway for tests: an HTTP
// server on loopback that accepts messages, appends each delivery to a log
// file and fsyncs it before answering (the ground truth for "sent", as
// docs/reliability.md, Messaging, asks), and can honour idempotency keys or not.
package messagingtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"

	"github.com/retainhq/retain/internal/messaging"
)

// Delivery is one message the gateway accepted.
type Delivery struct {
	Key  string `json:"key"`
	To   string `json:"to"`
	Body string `json:"body"`
}

// Gateway is the fake. Requests are JSON {"to", "body"} with the key in the
// Idempotency-Key header; the answer is {"id": …}.
type Gateway struct {
	*httptest.Server
	// Idempotent: a key seen before is answered with its first id and not
	// delivered again.
	Idempotent bool
	// Respond, when set, picks the status of the n-th request (from 1);
	// anything but 200 delivers nothing.
	Respond func(n int) int

	mu       sync.Mutex
	log      *os.File
	seen     map[string]string
	requests int
}

// New starts a gateway logging to path.
func New(path string) (*Gateway, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	g := &Gateway{log: f, seen: map[string]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g, nil
}

// Close stops the server and closes the log.
func (g *Gateway) Close() {
	g.Server.Close()
	g.log.Close()
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	var d Delivery
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&d); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d.Key = r.Header.Get("Idempotency-Key")
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.Respond != nil {
		if code := g.Respond(g.requests); code != http.StatusOK {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "scripted failure", code)
			return
		}
	}
	if id, ok := g.seen[d.Key]; ok && g.Idempotent && d.Key != "" {
		fmt.Fprintf(w, `{"id":%q}`, id)
		return
	}
	id := fmt.Sprintf("gw-%d", g.requests)
	g.seen[d.Key] = id
	line, _ := json.Marshal(d)
	if _, err := g.log.Write(append(line, '\n')); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := g.log.Sync(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, `{"id":%q}`, id)
}

// Deliveries reads the log back.
func Deliveries(path string) ([]Delivery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Delivery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d Delivery
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

// Config describes the gateway for messaging.NewGateway. A client for it
// must allow loopback (messaging.NewHTTPClient with 127.0.0.0/8).
func (g *Gateway) Config() messaging.GatewayConfig {
	return messaging.GatewayConfig{
		URL:               g.URL + "/send",
		Headers:           map[string]string{"Content-Type": "application/json"},
		Body:              `{"to":{{json .To}},"body":{{json .Body}}}`,
		IdempotencyHeader: "Idempotency-Key",
		ProviderIDField:   "id",
	}
}
