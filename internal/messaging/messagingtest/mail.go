package messagingtest

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// SMTP is an in-process SMTP server that keeps what it accepts and can
// refuse recipients with a given code.
type SMTP struct {
	mu       sync.Mutex
	messages []string
	// Refuse is the SMTP code RCPT answers with; 0 accepts.
	Refuse int
	Host   string
	Port   int
}

// Messages are the messages accepted so far, oldest first.
func (s *SMTP) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

func (s *SMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s}, nil }

type smtpSession struct{ s *SMTP }

func (*smtpSession) Reset()                               {}
func (*smtpSession) Logout() error                        { return nil }
func (*smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *smtpSession) Rcpt(string, *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.Refuse != 0 {
		return &smtp.SMTPError{Code: x.s.Refuse, Message: "refused"}
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

// StartSMTP starts the server on a loopback port, stopped when the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	be := &SMTP{Host: "127.0.0.1"}
	srv := smtp.NewServer(be)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	be.Port = ln.Addr().(*net.TCPAddr).Port
	return be
}

// IMAP is an in-process IMAP server with one user and an INBOX.
type IMAP struct {
	Host     string
	Port     int
	User     string
	Password string
	user     *imapmemserver.User
}

// StartIMAP starts the server on a loopback port without TLS (the
// settings' tls "none"), stopped when the test ends.
func StartIMAP(t testing.TB) *IMAP {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("help@shop.example", "imap-secret")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       discard{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &IMAP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: "help@shop.example", Password: "imap-secret", user: u}
}

// Deliver puts a message in the INBOX, as a customer's e-mail arriving.
func (s *IMAP) Deliver(t testing.TB, raw string) {
	t.Helper()
	if _, err := s.user.Append("INBOX", literal{bytes.NewReader([]byte(raw)), int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

type discard struct{}

func (discard) Printf(string, ...any) {}
