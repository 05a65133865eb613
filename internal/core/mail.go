package core

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// Customers' e-mails into the support desk, from the business's mailbox
// by IMAP (the mail job) or from a mail service's inbound webhook. An
// e-mail that answers one in a ticket (In-Reply-To, References: the
// customer's earlier e-mail or a reply Retain sent) continues that
// ticket; any other continues the customer's e-mail conversation or opens
// one. Out-of-office replies and bounces are left out.

// mailBatch is the rows that file an e-mail, and its attachments.
func mailBatch(ctx context.Context, db *store.DB, m messaging.InboundMail, fallbackID string, at time.Time) (*store.Batch, []store.NewAttachment, string, error) {
	email, err := retain.NormalizeEmail(m.From)
	if err != nil {
		return nil, nil, "", retain.FieldError("from", "%v", err)
	}
	id := "mail:" + m.MessageID
	if m.MessageID == "" {
		id = "mail:" + fallbackID // no Message-ID: the mailbox's own name for it
	}
	thread, _, err := db.TicketByMailRefs(ctx, m.Refs)
	if err != nil {
		return nil, nil, "", err
	}
	text := m.Text
	if text == "" && len(m.Attachments) > 0 {
		text = "(" + strconv.Itoa(len(m.Attachments)) + " 📎)" // files and no words: the thread still shows the message
	}
	if !m.Date.IsZero() && m.Date.Before(at) && at.Sub(m.Date) < 30*24*time.Hour {
		at = m.Date.UTC().Truncate(time.Microsecond) // when they wrote, if it is believable
	}
	b, ticket, err := inboundBatch(ctx, db, Inbound{ID: id, Channel: "email", Email: email, Name: m.Name, Subject: m.Subject, Text: text, At: at}, thread)
	if err != nil {
		return nil, nil, "", err
	}
	var files []store.NewAttachment
	for _, a := range m.Attachments {
		files = append(files, store.NewAttachment{Name: a.Name, Type: a.Type, Size: a.Size, Data: a.Data})
	}
	return b, files, ticket, nil
}

// fileMail files one parsed e-mail inside tx.
func fileMail(ctx context.Context, db *store.DB, tx *store.Tx, m messaging.InboundMail, fallbackID string) (string, error) {
	b, files, ticket, err := mailBatch(ctx, db, m, fallbackID, tx.Now())
	if err != nil {
		return "", err
	}
	if err := ingestIn(ctx, tx, b); err != nil {
		return "", err
	}
	return ticket, tx.AddAttachments(ctx, b.TicketMessages[0].V.ExternalID, files)
}

// TakeMail files a raw e-mail (a mail service's inbound webhook): the
// ticket's external id, or "" for an automatic reply left out.
func TakeMail(ctx context.Context, db *store.DB, raw []byte, fallbackID string) (string, error) {
	m, err := messaging.ParseMail(bytes.NewReader(raw))
	if err != nil {
		return "", retain.FieldError("raw", "%v", err)
	}
	if m.Automatic {
		return "", nil
	}
	var ticket string
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		ticket, err = fileMail(ctx, db, tx, m, fallbackID)
		return err
	})
	return ticket, err
}

// MailStats is what a poll of the mailbox did.
type MailStats struct {
	Taken, Skipped int
	// Passed says why messages were passed over (the first ten): the job
	// reports them, so an unreadable e-mail is not dropped without a word.
	Passed []string
}

// PollMail reads the new messages of the business's mailbox (the IMAP
// settings) and files each with the mailbox's cursor in one transaction:
// killed at any point, a message is filed once — before the kill, or
// after, never both. A message that does not read (or an auto-reply) is
// passed over, with the reason in the stats.
func PollMail(ctx context.Context, db *store.DB) (MailStats, error) {
	var st MailStats
	ms, err := MessagingSettings(ctx, db)
	if err != nil || ms.IMAP == nil {
		return st, err
	}
	mailbox := ms.IMAP.Username + "@" + ms.IMAP.Host + "/" + ms.IMAP.MailboxName()
	validity, last, err := db.MailCursor(ctx, mailbox)
	if err != nil {
		return st, err
	}
	timeout, _ := ms.Timeouts()
	validity2, mails, err := messaging.FetchMail(ctx, *ms.IMAP, messaging.MailCursor{UIDValidity: validity, LastUID: last}, 200, 3*timeout, ms.Allowed())
	if err != nil {
		return st, err
	}
	for _, f := range mails {
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			m, perr := messaging.ParseMail(bytes.NewReader(f.Raw))
			if perr == nil && !m.Automatic {
				if _, err := fileMail(ctx, db, tx, m, fmt.Sprintf("imap:%s:%d:%d", mailbox, validity2, f.UID)); err != nil {
					if retain.ErrorCode(err) != retain.EINVALID {
						return err
					}
					perr = err // an address that does not read: passed over like a broken message
				}
			}
			if perr != nil || m.Automatic {
				st.Skipped++
				why := "an automatic reply"
				if perr != nil {
					why = perr.Error()
				}
				if len(st.Passed) < 10 {
					st.Passed = append(st.Passed, fmt.Sprintf("UID %d: %s", f.UID, why))
				}
			} else {
				st.Taken++
			}
			return tx.AdvanceMailCursor(ctx, mailbox, validity2, f.UID)
		})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}
