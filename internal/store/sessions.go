package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Staff is a signed-in staff member as the UI needs them.
type Staff struct {
	ID     int64
	Email  string
	Name   string
	Role   retain.Role
	TeamID int64
	Locale string
	Digits string // "latin" when they chose Latin digits, else ""
	// TimeZone is the IANA zone they chose to see times in; "" for the
	// business's.
	TimeZone string
	// Calendar is the calendar they read dates in: "" Gregorian, "bangla".
	Calendar string
	// TwoFactor: they sign in with a TOTP code too. MustEnrol: the
	// business requires it of admins and this admin has not set it up, so
	// every page but settings sends them there.
	TwoFactor bool
	MustEnrol bool
	// PasswordChangeDue: their password was printed or handed over (the
	// demo's); every page but the password form waits until they change it.
	PasswordChangeDue bool
}

// Login checks an email and password hash verifier and returns the staff
// member; verify is given the stored hash (the store never sees a password).
func (db *DB) Login(ctx context.Context, email string, verify func(hash string) bool) (Staff, error) {
	var s Staff
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT id, email, name, role, COALESCE(team_id, 0), locale, password_hash, totp_enabled_at IS NOT NULL FROM staff
		WHERE email = $1 AND can_login AND active`, strings.ToLower(strings.TrimSpace(email))).
		Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.TeamID, &s.Locale, &hash, &s.TwoFactor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("store: login: %w", err)
	}
	// Verify even for an unknown email, so timing does not tell which exist.
	ok := verify(hash) && err == nil
	if !ok {
		return Staff{}, retain.Errorf(retain.EUNAUTHORIZED, "wrong email or password")
	}
	return s, nil
}

// CreateSession starts a session for a staff member and returns its token
// (256 random bits; only the hash is stored), valid until absolute. A
// session with secondFactorDue opens only the code form (PendingSession)
// until CompleteSecondFactor replaces it.
func (db *DB) CreateSession(ctx context.Context, staffID int64, absolute time.Duration, secondFactorDue bool) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	err := db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at, expires_at, second_factor_due) VALUES ($1, $2, $3, $3, $4, $5)`,
			hashKey(token), staffID, tx.now, tx.now.Add(absolute), secondFactorDue)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	return token, nil
}

// Session returns the staff member of a live session and marks it seen:
// one idle longer than idle, past its absolute end, or of a disabled user
// is ended and reported as not found.
func (db *DB) Session(ctx context.Context, token string, idle time.Duration) (Staff, error) {
	var s Staff
	var seen, expires nullTime
	h := hashKey(token)
	var required string
	err := db.read.QueryRowContext(ctx, `SELECT st.id, st.email, st.name, st.role, COALESCE(st.team_id, 0), st.locale, se.last_seen_at, se.expires_at,
		COALESCE((SELECT value FROM settings WHERE key = 'user.' || st.id || '.digits'), ''), st.totp_enabled_at IS NOT NULL,
		COALESCE((SELECT value FROM settings WHERE key = 'user.' || st.id || '.time_zone'), ''),
		COALESCE((SELECT value FROM settings WHERE key = 'user.' || st.id || '.calendar'), ''),
		COALESCE((SELECT value FROM settings WHERE key = $2), ''), st.password_change_due
		FROM sessions se JOIN staff st ON st.id = se.staff_id WHERE se.token_hash = $1 AND st.active AND st.can_login AND NOT se.second_factor_due`,
		h, RequireTwoFactorKey).
		Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.TeamID, &s.Locale, &seen, &expires, &s.Digits, &s.TwoFactor, &s.TimeZone, &s.Calendar, &required, &s.PasswordChangeDue)
	if err != nil {
		return Staff{}, notFound(err, "no session")
	}
	now := db.Now()
	if now.After(expires.T) || now.Sub(seen.T) > idle {
		db.EndSession(ctx, token)
		return Staff{}, retain.Errorf(retain.ENOTFOUND, "the session has ended")
	}
	s.MustEnrol = required == "admins" && s.Role == retain.RoleAdmin && !s.TwoFactor
	if now.Sub(seen.T) > time.Minute { // write at most once a minute per session
		err = db.WithTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, h, tx.now)
			return err
		})
	}
	return s, err
}

// EndSession logs a session out.
func (db *DB) EndSession(ctx context.Context, token string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashKey(token))
		return err
	})
}

// CalendarKey is the setting that holds the calendar a staff member reads
// dates in.
func CalendarKey(staffID int64) string { return fmt.Sprintf("user.%d.calendar", staffID) }

// TimeZoneKey is the setting that holds a staff member's time zone.
func TimeZoneKey(staffID int64) string { return fmt.Sprintf("user.%d.time_zone", staffID) }

// DigitsKey is the setting that holds a staff member's choice of digits.
func DigitsKey(staffID int64) string { return fmt.Sprintf("user.%d.digits", staffID) }

// SetStaffLocale stores a staff member's language.
func (db *DB) SetStaffLocale(ctx context.Context, staffID int64, locale string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE staff SET locale = $2, updated_at = $3 WHERE id = $1`, staffID, locale, tx.now)
		return err
	})
}

// TeamMembers lists the ids of a team's active staff.
func (db *DB) TeamMembers(ctx context.Context, teamID int64) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM staff WHERE team_id = $1 AND active`, teamID)
	if err != nil {
		return nil, fmt.Errorf("store: team: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("store: team: %w", err)
	}
	return append([]int64{}, ids...), nil // never nil: an empty team matches no one
}

// Actor is the signed-in staff member as the one who acts.
func (s Staff) Actor() retain.Actor { return retain.StaffActor(s.ID, s.Email, s.Role, s.TeamID) }
