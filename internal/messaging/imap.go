package messaging

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/retainhq/retain"
)

// IMAPSettings are the mailbox customers write to (help@shop…). The desk
// polls it and takes each new message once; it only reads (BODY.PEEK), so
// the mailbox stays as it was for anyone else reading it.
type IMAPSettings struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"` // default 993 (143 with starttls or none)
	Username string `json:"username"`
	Password string `json:"password"`
	Mailbox  string `json:"mailbox,omitempty"` // default INBOX
	TLS      string `json:"tls,omitempty"`     // tls (default), starttls, or none (a LAN server only)
}

func (s *IMAPSettings) check() error {
	p := retain.Problems{}
	if s.Host == "" {
		p.Add("imap.host", "is required")
	}
	if s.Username == "" {
		p.Add("imap.username", "is required")
	}
	switch s.TLS {
	case "", "tls", "starttls", "none":
	default:
		p.Add("imap.tls", "%q is not one of %v", s.TLS, []string{"tls", "starttls", "none"})
	}
	if s.Port < 0 || s.Port > 65535 {
		p.Add("imap.port", "%q is not one of %v", strconv.Itoa(s.Port), []string{"1–65535"})
	}
	return p.Err()
}

// MailboxName is the mailbox read, INBOX by default.
func (s *IMAPSettings) MailboxName() string {
	if s.Mailbox == "" {
		return "INBOX"
	}
	return s.Mailbox
}

// MailCursor is how far a mailbox has been read.
type MailCursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// FetchedMail is one message read from the mailbox.
type FetchedMail struct {
	UID uint32
	Raw []byte
}

// FetchMail connects, reads the messages after cursor (up to limit, by
// UID) and returns them with the mailbox's UIDVALIDITY. When the mailbox
// was recreated (another UIDVALIDITY), its UIDs mean other messages: it
// is read again from the start, and the desk's message ids keep what was
// taken before from being taken twice.
func FetchMail(ctx context.Context, s IMAPSettings, cursor MailCursor, limit int, timeout time.Duration, allow []netip.Prefix) (uint32, []FetchedMail, error) {
	if err := s.check(); err != nil {
		return 0, nil, err
	}
	c, err := dialIMAP(ctx, s, timeout, allow)
	if err != nil {
		return 0, nil, err
	}
	defer c.Close()
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		return 0, nil, fmt.Errorf("imap: sign-in as %s refused: %w", s.Username, err)
	}
	sel, err := c.Select(s.MailboxName(), &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, nil, fmt.Errorf("imap: mailbox %s: %w", s.MailboxName(), err)
	}
	after := cursor.LastUID
	if sel.UIDValidity != cursor.UIDValidity {
		after = 0
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= after+1) {
		return sel.UIDValidity, nil, c.Logout().Wait()
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(after+1), 0) // after+1:* — "*" is the last message, even when its UID is not above after
	body := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{body}})
	var out []FetchedMail
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var f FetchedMail
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				f.UID = uint32(it.UID)
			case imapclient.FetchItemDataBodySection:
				b, err := io.ReadAll(io.LimitReader(it.Literal, MaxMailBytes+1))
				if err != nil {
					cmd.Close()
					return 0, nil, fmt.Errorf("imap: read message: %w", err)
				}
				f.Raw = b
			}
		}
		if f.UID > after && (limit <= 0 || len(out) < limit) {
			out = append(out, f)
		}
	}
	if err := cmd.Close(); err != nil {
		return 0, nil, fmt.Errorf("imap: fetch: %w", err)
	}
	return sel.UIDValidity, out, c.Logout().Wait()
}

func dialIMAP(ctx context.Context, s IMAPSettings, timeout time.Duration, allow []netip.Prefix) (*imapclient.Client, error) {
	port := s.Port
	if port == 0 {
		port = 993
		if s.TLS == "starttls" || s.TLS == "none" {
			port = 143
		}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	dialer := guardedDialer(allow)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := dialer.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("imap: connect to %s: %w", addr, err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	opts := &imapclient.Options{}
	switch s.TLS {
	case "", "tls":
		tc := tls.Client(conn, &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap: TLS with %s: %w", addr, err)
		}
		return imapclient.New(tc, opts), nil
	case "starttls":
		opts.TLSConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap: STARTTLS with %s: %w", addr, err)
		}
		return c, nil
	}
	return imapclient.New(conn, opts), nil
}
