package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// EmailSettings are an SMTP server's.
type EmailSettings struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"` // default 587 (465 with tls)
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	From     string `json:"from"`          // "Dhaka Tea House <hello@example.com>"
	TLS      string `json:"tls,omitempty"` // starttls (default), tls, or none (a LAN relay only)
}

// Email sends over SMTP (go-mail). SMTP has no idempotency key, so the
// channel is not idempotent: a crash mid-send may repeat a transactional
// email, never a marketing one (see the sender).
type Email struct {
	cfg     EmailSettings
	options []mail.Option
}

// NewEmail checks the settings.
func NewEmail(cfg EmailSettings, timeout time.Duration, allow []netip.Prefix) (*Email, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, fmt.Errorf("email: host and from are required")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("email: from %q: %v", cfg.From, err)
	}
	dialer := guardedDialer(allow)
	opts := []mail.Option{mail.WithTimeout(timeout), mail.WithDialContextFunc(dialer.DialContext)}
	switch cfg.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		if cfg.Port == 0 {
			cfg.Port = 587
		}
	case "tls":
		opts = append(opts, mail.WithSSL())
		if cfg.Port == 0 {
			cfg.Port = 465
		}
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		if cfg.Port == 0 {
			cfg.Port = 25
		}
	default:
		return nil, fmt.Errorf("email: tls %q is not starttls, tls or none", cfg.TLS)
	}
	opts = append(opts, mail.WithPort(cfg.Port))
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return &Email{cfg: cfg, options: opts}, nil
}

// Idempotent: SMTP has no idempotency key.
func (e *Email) Idempotent() bool { return false }

// Message builds the email: plain text, a Message-ID from the key, and for
// marketing the RFC 8058 one-click unsubscribe headers. go-mail encodes
// header values, so no CR or LF from a subject or name can add a header.
func (e *Email) Message(m Outgoing) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(e.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("email: to %q: %w", m.To, err)
	}
	subject := m.Subject
	if subject == "" {
		subject, _, _ = strings.Cut(m.Body, "\n")
		if len([]rune(subject)) > 70 {
			subject = string([]rune(subject)[:70]) + "…"
		}
	}
	msg.Subject(subject)
	domain := "retain.local"
	if _, d, ok := strings.Cut(e.cfg.From, "@"); ok {
		domain = strings.Trim(d, "> ")
	}
	msg.SetMessageIDWithValue(fmt.Sprintf("%s@%s", strings.NewReplacer(":", ".", "/", ".", " ", "", "@", ".", "<", "", ">", "").Replace(m.Key), domain))
	if id := strings.Trim(m.InReplyTo, "<> "); id != "" && !strings.ContainsAny(id, "\r\n<> ") {
		msg.SetGenHeader(mail.HeaderInReplyTo, "<"+id+">")
		msg.SetGenHeader(mail.HeaderReferences, "<"+id+">")
	}
	body := m.Body
	if m.Purpose == "marketing" && m.Unsubscribe != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
		body += "\n\n" + unsubscribeLine[m.Locale] + " " + m.Unsubscribe
	}
	msg.SetBodyString(mail.TypeTextPlain, body)
	return msg, nil
}

var unsubscribeLine = map[string]string{
	"en": "To stop these emails:", "bn": "এই ইমেইল বন্ধ করতে:", "ne": "यी इमेल रोक्न:", "": "To stop these emails:",
}

// Send delivers m.
func (e *Email) Send(ctx context.Context, m Outgoing) (string, error) {
	msg, err := e.Message(m)
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	client, err := mail.NewClient(e.cfg.Host, e.options...)
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return "", classifySMTP(err)
	}
	return msg.GetGenHeader(mail.HeaderMessageID)[0], nil
}

// classifySMTP: refused before the content was sent → temporary (4xx) or
// permanent (5xx); failed while or after sending it → ambiguous (the server
// may have accepted it: listmonk #1109); no connection → temporary.
func classifySMTP(err error) error {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return &SendError{Kind: Temporary, Err: err}
	}
	switch se.Reason {
	case mail.ErrSMTPDataClose, mail.ErrWriteContent, mail.ErrAmbiguous:
		return &SendError{Kind: Ambiguous, Err: err}
	}
	if se.IsTemp() {
		return &SendError{Kind: Temporary, Err: err}
	}
	return &SendError{Kind: Permanent, Err: err}
}
