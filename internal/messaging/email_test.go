package messaging_test

import (
	"context"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/retainhq/retain/internal/messaging"
)

// smtpServer is an in-process SMTP server that keeps what it accepts and
// can refuse recipients with a given code.
type smtpServer struct {
	mu       sync.Mutex
	messages []string
	refuse   int // SMTP code for RCPT, 0: accept
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s}, nil }

type smtpSession struct{ s *smtpServer }

func (*smtpSession) Reset()                               {}
func (*smtpSession) Logout() error                        { return nil }
func (*smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *smtpSession) Rcpt(string, *smtp.RcptOptions) error {
	if x.s.refuse != 0 {
		return &smtp.SMTPError{Code: x.s.refuse, Message: "refused"}
	}
	return nil
}
func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.messages = append(x.s.messages, string(b))
	x.s.mu.Unlock()
	return err
}

func startSMTP(t *testing.T) (*smtpServer, string, int) {
	t.Helper()
	be := &smtpServer{}
	srv := smtp.NewServer(be)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return be, "127.0.0.1", addr.Port
}

// TestEmailUnsubscribeHeadersAndNoInjection (M8, S6): a marketing email
// carries both one-click unsubscribe headers; a subject with CR LF adds no
// header; SMTP refusals are classified.
func TestEmailUnsubscribeHeadersAndNoInjection(t *testing.T) {
	be, host, port := startSMTP(t)
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
	be.mu.Lock()
	raw := be.messages[0]
	be.mu.Unlock()
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
		be.refuse = code
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
