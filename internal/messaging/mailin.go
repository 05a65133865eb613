package messaging

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	_ "github.com/emersion/go-message/charset" // mail in ISO-8859-1, Windows-1252 and the like reads as UTF-8
	"github.com/emersion/go-message/mail"
)

// Customers' e-mails as the support desk takes them, from an IMAP mailbox
// or a mail service's inbound webhook: who wrote, which conversation it
// answers (In-Reply-To, References), the new text without the quoted
// thread under it, and the attachments within limits.

// InboundMail is one parsed e-mail.
type InboundMail struct {
	MessageID   string   // without angle brackets; empty when the sender gave none
	Refs        []string // the ids it answers: In-Reply-To, then References newest first
	From, Name  string   // the sender's address and name
	Subject     string
	Text        string // what they wrote, quoted replies and signature trimmed
	Date        time.Time
	Attachments []Attachment
	// Automatic: an out-of-office reply, a bounce or a list mail, which the
	// desk does not take as the customer's words (and never answers: a
	// loop of two auto-responders otherwise).
	Automatic bool
}

// Attachment is a file that came with an e-mail. Data is empty when it
// was over the limits (Dropped).
type Attachment struct {
	Name, Type string
	Size       int
	Data       []byte
	Dropped    bool
}

// Limits of what the desk keeps of an e-mail.
const (
	MaxMailBytes        = 25 << 20 // a whole message; larger is refused
	MaxAttachmentBytes  = 5 << 20  // one file kept
	MaxAttachmentsBytes = 10 << 20 // all the files of one message kept
	MaxAttachments      = 10
)

// ErrMailTooLarge is a message over MaxMailBytes.
var ErrMailTooLarge = errors.New("the e-mail is larger than 25 MB")

// ParseMail reads an RFC 5322 message.
func ParseMail(r io.Reader) (InboundMail, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMailBytes+1))
	if err != nil {
		return InboundMail{}, err
	}
	if len(raw) > MaxMailBytes {
		return InboundMail{}, ErrMailTooLarge
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil && mr == nil {
		return InboundMail{}, fmt.Errorf("not an e-mail: %w", err)
	}
	h := mr.Header
	var m InboundMail
	from, err := h.AddressList("From")
	if err != nil || len(from) == 0 {
		return InboundMail{}, fmt.Errorf("the e-mail has no From address")
	}
	m.From, m.Name = from[0].Address, from[0].Name
	m.Subject, _ = h.Subject()
	m.MessageID, _ = h.MessageID()
	m.Date, _ = h.Date()
	if ids, err := h.MsgIDList("In-Reply-To"); err == nil {
		m.Refs = append(m.Refs, ids...)
	}
	if ids, err := h.MsgIDList("References"); err == nil {
		for i := len(ids) - 1; i >= 0; i-- {
			m.Refs = append(m.Refs, ids[i])
		}
	}
	auto := strings.ToLower(h.Get("Auto-Submitted"))
	prec := strings.ToLower(h.Get("Precedence"))
	sender := strings.ToLower(m.From)
	m.Automatic = (auto != "" && auto != "no") || h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" ||
		prec == "bulk" || prec == "junk" || prec == "list" || prec == "auto_reply" ||
		strings.HasPrefix(sender, "mailer-daemon@") || strings.HasPrefix(sender, "postmaster@")
	var plain, htmlText string
	kept := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if plain != "" || htmlText != "" {
				break // a broken part after the text: keep what was read
			}
			return InboundMail{}, fmt.Errorf("the e-mail's body does not read: %w", err)
		}
		switch ph := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := ph.ContentType()
			b, _ := io.ReadAll(io.LimitReader(p.Body, MaxMailBytes))
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(b)
			case ct == "text/html" && htmlText == "":
				htmlText = string(b)
			}
		case *mail.AttachmentHeader:
			name, _ := ph.Filename()
			ct, _, _ := ph.ContentType()
			b, _ := io.ReadAll(io.LimitReader(p.Body, MaxAttachmentBytes+1))
			a := Attachment{Name: safeFileName(name), Type: ct, Size: len(b)}
			if len(b) > MaxAttachmentBytes {
				n, _ := io.Copy(io.Discard, p.Body)
				a.Size += int(n)
			}
			if len(m.Attachments) >= MaxAttachments {
				continue
			}
			if a.Size <= MaxAttachmentBytes && kept+a.Size <= MaxAttachmentsBytes {
				a.Data, kept = b, kept+a.Size
			} else {
				a.Dropped = true
			}
			m.Attachments = append(m.Attachments, a)
		}
	}
	text := plain
	if strings.TrimSpace(text) == "" {
		text = htmlToText(htmlText)
	}
	m.Text = TrimQuoted(strings.ReplaceAll(text, "\r\n", "\n"))
	return m, nil
}

// safeFileName keeps a file's name but no path in it.
func safeFileName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	if name = strings.TrimSpace(name); name == "" || name == "." || name == ".." {
		return "attachment"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

var (
	htmlDrop  = regexp.MustCompile(`(?is)<(style|script|head)[^>]*>.*?</(style|script|head)>`)
	htmlBreak = regexp.MustCompile(`(?i)<(br|/p|/div|/li|/tr|/h[1-6])[^>]*>`)
	htmlQuote = regexp.MustCompile(`(?is)<blockquote[^>]*>.*?</blockquote>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// htmlToText is an HTML body's words: quoted blocks, styles and scripts
// out, tags gone, entities decoded.
func htmlToText(s string) string {
	s = htmlDrop.ReplaceAllString(s, "")
	s = htmlQuote.ReplaceAllString(s, "")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = html.UnescapeString(htmlTag.ReplaceAllString(s, ""))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// The lines where a reply's quoted thread or a signature begins: Gmail's
// and Apple Mail's "On … wrote:" (also in Bengali and Nepali), Outlook's
// header block and rule, a signature's "-- ".
var quoteStarts = []*regexp.Regexp{
	regexp.MustCompile(`^(On|Le|Am|El) .{4,}(wrote|a écrit|schrieb|escribió):\s*$`),
	regexp.MustCompile(`লিখেছেন:\s*$`),
	regexp.MustCompile(`(लेख्नुभयो|लिखा|लेखे):\s*$`),
	regexp.MustCompile(`^-{2,}\s*Original Message\s*-{2,}`),
	regexp.MustCompile(`^_{10,}\s*$`),
	regexp.MustCompile(`^From: .+`),
	regexp.MustCompile(`^-- $`),
	regexp.MustCompile(`^Sent from my `),
}

// TrimQuoted is a reply's new text: everything above the first line that
// starts the quoted thread or a signature, and no trailing "> " lines. A
// message that is all quote (a forward) is kept whole.
func TrimQuoted(text string) string {
	lines := strings.Split(text, "\n")
	end := len(lines)
cut:
	for i, l := range lines {
		t := strings.TrimRight(l, " \t")
		if l == "-- " {
			t = l
		}
		for _, re := range quoteStarts {
			if re.MatchString(t) {
				end = i
				break cut
			}
		}
		// "On Mon, 1 Dec 2026 at 10:00, Rina <rina@shop.example>" wraps
		// onto the next line before "wrote:".
		if i+1 < len(lines) && strings.HasPrefix(t, "On ") && strings.HasSuffix(strings.TrimSpace(lines[i+1]), "wrote:") {
			end = i
			break
		}
	}
	kept := lines[:end]
	for len(kept) > 0 {
		last := strings.TrimSpace(kept[len(kept)-1])
		if last == "" || strings.HasPrefix(last, ">") {
			kept = kept[:len(kept)-1]
			continue
		}
		break
	}
	out := strings.TrimSpace(strings.Join(kept, "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}
