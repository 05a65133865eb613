package messaging_test

import (
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/messaging"
)

func TestRedactKeepsSecretsOut(t *testing.T) {
	for _, c := range []struct{ in, secret, keep string }{
		{`Post "https://sms.example.com/api/send?api_key=S3CRET&to=1": dial tcp 10.0.0.1:443: connection refused`, "S3CRET", "https://sms.example.com/api/send"},
		{`Get "http://user:hunter2@gw.example/x": EOF`, "hunter2", "gw.example/x"},
		{`gateway answered 500 for https://gw.example/send?token=abc#frag`, "abc", "https://gw.example/send"},
	} {
		got := messaging.Redact(c.in)
		if strings.Contains(got, c.secret) || !strings.Contains(got, c.keep) {
			t.Errorf("Redact(%q) = %q", c.in, got)
		}
	}
	if got := messaging.Redact("no URL here: timeout"); got != "no URL here: timeout" {
		t.Errorf("text without a URL changed: %q", got)
	}
}
