package messaging_test

import (
	"context"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func TestGatewaySendsAndClassifies(t *testing.T) {
	log := filepath.Join(t.TempDir(), "gw.log")
	gw, err := messagingtest.New(log)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gw.Idempotent = true
	ch, err := messaging.NewGateway(gw.Config(), messaging.NewHTTPClient(5*time.Second, loopback))
	if err != nil {
		t.Fatal(err)
	}
	m := messaging.Outgoing{Key: "k1", To: "+8801711000000", Body: `আপনার অর্ডার "পৌঁছেছে"`}
	id1, err := ch.Send(context.Background(), m)
	if err != nil || id1 == "" {
		t.Fatalf("send: %q %v", id1, err)
	}
	id2, err := ch.Send(context.Background(), m) // a resend after a crash
	if err != nil || id2 != id1 {
		t.Fatalf("resend: %q %v, want %q", id2, err, id1)
	}
	ds, err := messagingtest.Deliveries(log)
	if err != nil || len(ds) != 1 || ds[0].Body != m.Body || ds[0].Key != "k1" {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	for code, want := range map[int]messaging.ErrorKind{429: messaging.Temporary, 503: messaging.Temporary, 500: messaging.Temporary,
		408: messaging.Temporary, 400: messaging.Permanent, 410: messaging.Permanent, 302: messaging.Permanent} {
		gw.Respond = func(int) int { return code }
		_, err := ch.Send(context.Background(), messaging.Outgoing{Key: "k2", To: "x", Body: "y"})
		kind, after := messaging.KindOf(err)
		if kind != want || (code == 429 && after != time.Second) {
			t.Errorf("HTTP %d: kind %v after %v (%v), want %v", code, kind, after, err, want)
		}
	}
}

// TestM11_NoPrivateAddresses: the default client refuses loopback, private,
// link-local and mapped addresses at dial time; the test gateway on
// 127.0.0.1 sees no request.
func TestM11_NoPrivateAddresses(t *testing.T) {
	gw, err := messagingtest.New(filepath.Join(t.TempDir(), "gw.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	hits := 0
	gw.Respond = func(int) int { hits++; return http.StatusOK }
	ch, err := messaging.NewGateway(gw.Config(), messaging.NewHTTPClient(5*time.Second, nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), messaging.Outgoing{Key: "k", To: "x", Body: "y"})
	if kind, _ := messaging.KindOf(err); err == nil || kind != messaging.Temporary || !strings.Contains(err.Error(), "refusing") || hits != 0 {
		t.Fatalf("send to loopback: %v (kind %v), %d requests reached the gateway", err, kind, hits)
	}
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1",
		"fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "0.0.0.0",
		// A zone identifier: netip prefixes never contain a zoned address,
		// so these passed the range checks.
		"::1%lo", "fe80::1%eth0", "2001:db8::1%eth0", "::ffff:127.0.0.1%lo"} {
		if messaging.AllowDial(netip.MustParseAddr(a), nil) {
			t.Errorf("%s allowed", a)
		}
	}
	if !messaging.AllowDial(netip.MustParseAddr("203.0.113.7"), nil) || !messaging.AllowDial(netip.MustParseAddr("10.0.0.5"), []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}) {
		t.Error("a public or explicitly allowed address refused")
	}
}

func TestGatewayConfigErrors(t *testing.T) {
	for _, c := range []messaging.GatewayConfig{{URL: "ftp://x"}, {URL: "https://x/{{.Nope"}, {URL: "https://x", Body: "{{"}} {
		if _, err := messaging.NewGateway(c, nil); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	wa := messaging.WhatsAppCloud("", "1234", "tok")
	if _, err := messaging.NewGateway(wa, nil); err != nil || !strings.Contains(wa.URL, "/1234/messages") {
		t.Errorf("WhatsApp config %+v: %v", wa, err)
	}
}
