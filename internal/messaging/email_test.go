package messaging_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
)

// TestEmailUnsubscribeHeadersAndNoInjection (M8, S6): a marketing email
// carries both one-click unsubscribe headers; a subject with CR LF adds no
// header; SMTP refusals are classified.
func TestEmailUnsubscribeHeadersAndNoInjection(t *testing.T) {
	be := messagingtest.StartSMTP(t)
	host, port := be.Host, be.Port
	ch, err := messaging.NewEmail(messaging.EmailSettings{Host: host, Port: port, From: "Dhaka Tea House <hello@tea.example>", TLS: "none"},
		5*time.Second, loopback)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), messaging.Outgoing{Key: "enrollment:7:2", To: "karim@example.com", Purpose: "marketing", Locale: "bn",
		Subject: "Offer\r\nBcc: everyone@example.com", Body: "নতুন চা এসেছে", Unsubscribe: "https://retain.example/unsubscribe/tok"})
	if err != nil {
		t.Fatal(err)
	}
	raw := be.Messages()[0]
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "<https://retain.example/unsubscribe/tok>" || msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers: %q %q", msg.Header.Get("List-Unsubscribe"), msg.Header.Get("List-Unsubscribe-Post"))
	}
	if msg.Header.Get("Bcc") != "" || strings.Contains(raw, "\r\nBcc:") {
		t.Errorf("a subject injected a header:\n%s", raw)
	}
	if !strings.Contains(msg.Header.Get("Message-Id"), "enrollment.7.2@tea.example") {
		t.Errorf("Message-ID %q", msg.Header.Get("Message-Id"))
	}
	for code, want := range map[int]messaging.ErrorKind{550: messaging.Permanent, 451: messaging.Temporary} {
		be.Refuse = code
		_, err := ch.Send(context.Background(), messaging.Outgoing{Key: "k", To: "x@example.com", Body: "hi"})
		if kind, _ := messaging.KindOf(err); kind != want {
			t.Errorf("RCPT %d: kind %v (%v), want %v", code, kind, err, want)
		}
	}
	// Without the loopback allowance the guard refuses the connection.
	guarded, _ := messaging.NewEmail(messaging.EmailSettings{Host: host, Port: port, From: "a@b.example", TLS: "none"}, 5*time.Second, nil)
	if _, err := guarded.Send(context.Background(), messaging.Outgoing{Key: "k", To: "x@example.com", Body: "hi"}); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("SSRF guard: %v", err)
	}
}
