package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/retainhq/retain"
)

// CreateCalendarFeed makes a secret token (256 bits) for a staff member's
// task calendar and returns it; only its hash is stored. Several feeds may
// exist; RevokeCalendarFeeds ends them all.
func (db *DB) CreateCalendarFeed(ctx context.Context, staffEmail string) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO calendar_feeds (token_hash, staff_id, created_at)
			SELECT $1, id, $3 FROM staff WHERE email = $2 AND email <> ''`, hashKey(token), staffEmail, tx.now)
		if err != nil {
			return fmt.Errorf("store: calendar feed: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no staff member with email %q", staffEmail)
		}
		return nil
	})
	return token, err
}

// RevokeCalendarFeeds ends every calendar feed of a staff member.
func (db *DB) RevokeCalendarFeeds(ctx context.Context, staffEmail string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE email = $1 AND email <> ''`, staffEmail).Scan(&n); err != nil {
			return fmt.Errorf("store: calendar feed: %w", err)
		}
		if n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no staff member with email %q", staffEmail)
		}
		_, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE staff_id IN (SELECT id FROM staff WHERE email = $1)`, staffEmail)
		return err
	})
}

// CalendarOwner returns the staff id and name a feed token belongs to.
func (db *DB) CalendarOwner(ctx context.Context, token string) (int64, string, error) {
	var id int64
	var name string
	err := db.read.QueryRowContext(ctx, `SELECT s.id, s.name FROM calendar_feeds f JOIN staff s ON s.id = f.staff_id
		WHERE f.token_hash = $1 AND s.active`, hashKey(token)).Scan(&id, &name)
	if err != nil {
		return 0, "", notFound(err, "no such calendar")
	}
	return id, name, nil
}
