package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// E-mail for the support desk: how far each IMAP mailbox has been read,
// which conversation an e-mail answers, and the files that came with one.

// MailCursor reads a mailbox's cursor (zero for one never read).
func (db *DB) MailCursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	var v, u int64
	err = db.read.QueryRowContext(ctx, `SELECT uid_validity, last_uid FROM mail_cursors WHERE mailbox = $1`, mailbox).Scan(&v, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: mail cursor: %w", err)
	}
	return uint32(v), uint32(u), nil
}

// AdvanceMailCursor records that the mailbox has been taken up to uid, in
// the transaction that filed the message.
func (tx *Tx) AdvanceMailCursor(ctx context.Context, mailbox string, uidValidity, uid uint32) error {
	_, err := tx.exec(ctx, `INSERT INTO mail_cursors (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		mailbox, int64(uidValidity), int64(uid), tx.now)
	if err != nil {
		return fmt.Errorf("store: mail cursor: %w", err)
	}
	return nil
}

// TicketByMailRefs is the ticket an e-mail answers: the one holding a
// message it names (In-Reply-To, References), the customer's own earlier
// e-mail or a reply Retain sent. Closed tickets do not count.
func (db *DB) TicketByMailRefs(ctx context.Context, refs []string) (string, bool, error) {
	for _, ref := range refs {
		ref = strings.Trim(ref, "<> ")
		if ref == "" {
			continue
		}
		var ext string
		err := db.read.QueryRowContext(ctx, `SELECT t.external_id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
			WHERE m.external_id = $1 AND t.status <> 'closed'
			UNION ALL
			SELECT t.external_id FROM messages o JOIN ticket_messages m ON m.message_id = o.id JOIN tickets t ON t.id = m.ticket_id
			WHERE o.provider_id IN ($2, $3) AND t.status <> 'closed'
			LIMIT 1`, "in:mail:"+ref, ref, "<"+ref+">").Scan(&ext)
		if err == nil {
			return ext, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("store: mail thread: %w", err)
		}
	}
	return "", false, nil
}

// LatestMailID is the Message-ID of the customer's latest e-mail in a
// ticket, which a reply answers; "" when they never wrote by e-mail.
func (tx *Tx) LatestMailID(ctx context.Context, ticketID int64) (string, error) {
	var ext string
	err := tx.tx.QueryRowContext(ctx, `SELECT external_id FROM ticket_messages WHERE ticket_id = $1 AND author = 'customer'
		AND external_id LIKE 'in:mail:%' ORDER BY sent_at DESC, id DESC LIMIT 1`, ticketID).Scan(&ext)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: latest mail: %w", err)
	}
	return strings.TrimPrefix(ext, "in:mail:"), nil
}

// NewAttachment is a file to keep with a message; Data nil when it was
// over the limits.
type NewAttachment struct {
	Name, Type string
	Size       int
	Data       []byte
}

// AddAttachments keeps a message's files, once: a message filed again (a
// redelivery) adds none.
func (tx *Tx) AddAttachments(ctx context.Context, messageExt string, files []NewAttachment) error {
	if len(files) == 0 {
		return nil
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ticket_attachments WHERE message_ext = $1`, messageExt).Scan(&n); err != nil || n > 0 {
		return err
	}
	for _, f := range files {
		var data any
		if f.Data != nil {
			data = f.Data
		}
		if _, err := tx.exec(ctx, `INSERT INTO ticket_attachments (message_ext, name, content_type, size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			messageExt, f.Name, f.Type, f.Size, data, tx.now); err != nil {
			return fmt.Errorf("store: attachment: %w", err)
		}
	}
	return nil
}

// AttachmentInfo is an attachment as the thread lists it.
type AttachmentInfo struct {
	ID         int64
	MessageExt string
	Name, Type string
	Size       int
	Kept       bool
}

// Attachments lists a ticket's files by message.
func (db *DB) Attachments(ctx context.Context, ticketID int64) (map[string][]AttachmentInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.message_ext, a.name, a.content_type, a.size, a.data IS NOT NULL
		FROM ticket_attachments a JOIN ticket_messages m ON m.external_id = a.message_ext WHERE m.ticket_id = $1 ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	defer rows.Close()
	out := map[string][]AttachmentInfo{}
	for rows.Next() {
		var a AttachmentInfo
		if err := rows.Scan(&a.ID, &a.MessageExt, &a.Name, &a.Type, &a.Size, &a.Kept); err != nil {
			return nil, fmt.Errorf("store: attachments: %w", err)
		}
		out[a.MessageExt] = append(out[a.MessageExt], a)
	}
	return out, rows.Err()
}

// Attachment reads one kept file.
func (db *DB) Attachment(ctx context.Context, id int64) (AttachmentInfo, []byte, error) {
	var a AttachmentInfo
	var data []byte
	err := db.read.QueryRowContext(ctx, `SELECT id, message_ext, name, content_type, size, data FROM ticket_attachments WHERE id = $1 AND data IS NOT NULL`,
		id).Scan(&a.ID, &a.MessageExt, &a.Name, &a.Type, &a.Size, &data)
	if err != nil {
		return a, nil, notFound(err, "no attachment %d", id)
	}
	a.Kept = true
	return a, data, nil
}
