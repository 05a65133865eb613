package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// RequireTwoFactorKey is the setting that, set to "admins", makes every
// admin sign in with a second factor (they are sent to set it up first).
const RequireTwoFactorKey = "security.require_2fa"

// SecondFactorWindow is how long a password-checked session waits for its
// code before it is dropped.
const SecondFactorWindow = 5 * time.Minute

// PendingSession returns the staff member of a session whose password was
// right and whose code is still due, with their TOTP secret.
func (db *DB) PendingSession(ctx context.Context, token string) (Staff, string, error) {
	var s Staff
	var secret string
	var created nullTime
	err := db.read.QueryRowContext(ctx, `SELECT st.id, st.email, st.name, st.role, COALESCE(st.team_id, 0), st.locale, st.totp_secret, se.created_at
		FROM sessions se JOIN staff st ON st.id = se.staff_id
		WHERE se.token_hash = $1 AND se.second_factor_due AND st.active AND st.can_login AND st.totp_enabled_at IS NOT NULL`, hashKey(token)).
		Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.TeamID, &s.Locale, &secret, &created)
	if err != nil {
		return Staff{}, "", notFound(err, "no session waiting for a code")
	}
	if db.Now().Sub(created.T) > SecondFactorWindow {
		db.EndSession(ctx, token)
		return Staff{}, "", retain.Errorf(retain.ENOTFOUND, "the code was not given in time; sign in again")
	}
	s.TwoFactor = true
	return s, secret, nil
}

// UseTOTPStep records that the code of time step was accepted for a staff
// member; false when that step (or a later one) was used already, so a
// code works once.
func (db *DB) UseTOTPStep(ctx context.Context, staffID, step int64) (bool, error) {
	var ok bool
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE staff SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, staffID, step)
		if err != nil {
			return fmt.Errorf("store: totp step: %w", err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// UseRecoveryCode spends one of a staff member's recovery codes (given as
// auth.NormalizeRecoveryCode writes it); false when it is not theirs or
// was spent.
func (db *DB) UseRecoveryCode(ctx context.Context, staffID int64, code string) (bool, error) {
	var ok bool
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL`,
			staffID, hashKey(code), tx.now)
		if err != nil {
			return fmt.Errorf("store: recovery code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			ok = true
			return tx.Audit(ctx, retain.System("signin"), AuditRecoveryUsed, fmt.Sprintf("staff:%d", staffID), "")
		}
		return nil
	})
	return ok, err
}

// CompleteSecondFactor ends the half-open session and starts a full one
// with a new token (so the token seen before the code is worth nothing).
func (db *DB) CompleteSecondFactor(ctx context.Context, token string, staffID int64, absolute time.Duration) (string, error) {
	if err := db.EndSession(ctx, token); err != nil {
		return "", fmt.Errorf("store: second factor: %w", err)
	}
	return db.CreateSession(ctx, staffID, absolute, false)
}

// BeginTwoFactor stores a new, not yet confirmed secret for a staff member;
// one already confirmed stays in force until the new one is.
func (db *DB) BeginTwoFactor(ctx context.Context, staffID int64, secret string) error {
	return db.SetSetting(ctx, pendingTOTPKey(staffID), secret)
}

func pendingTOTPKey(staffID int64) string { return fmt.Sprintf("user.%d.totp_pending", staffID) }

// PendingTwoFactor returns the secret BeginTwoFactor stored.
func (db *DB) PendingTwoFactor(ctx context.Context, staffID int64) (string, error) {
	v, ok, err := db.Setting(ctx, pendingTOTPKey(staffID))
	if err == nil && !ok {
		err = retain.Errorf(retain.ENOTFOUND, "start setting up two-factor sign-in first")
	}
	return v, err
}

// EnableTwoFactor makes the pending secret the staff member's, with fresh
// recovery codes (hashed; the old ones stop working), from step on.
func (db *DB) EnableTwoFactor(ctx context.Context, by retain.Actor, staffID int64, step int64, recoveryCodes []string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		var secret string
		if err := tx.tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, pendingTOTPKey(staffID)).Scan(&secret); err != nil {
			return notFound(err, "start setting up two-factor sign-in first")
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = $4, updated_at = $3 WHERE id = $1`,
			staffID, secret, tx.now, step); err != nil {
			return fmt.Errorf("store: enable 2fa: %w", err)
		}
		for _, q := range []string{`DELETE FROM recovery_codes WHERE staff_id = $1`, `DELETE FROM settings WHERE key = $2`} {
			if _, err := tx.exec(ctx, q, staffID, pendingTOTPKey(staffID)); err != nil {
				return fmt.Errorf("store: enable 2fa: %w", err)
			}
		}
		for _, c := range recoveryCodes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)`, staffID, hashKey(c)); err != nil {
				return fmt.Errorf("store: enable 2fa: %w", err)
			}
		}
		return tx.Audit(ctx, by, AuditTwoFactorOn, fmt.Sprintf("staff:%d", staffID), "")
	})
}

// ResetTwoFactor removes a login user's second factor (they lost their
// phone and their codes); they set it up again at their next sign-in if
// it is required.
func (db *DB) ResetTwoFactor(ctx context.Context, by retain.Actor, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE staff SET totp_secret = '', totp_enabled_at = NULL, updated_at = $2 WHERE can_login AND email = $1`, email, tx.now)
		if err != nil {
			return fmt.Errorf("store: reset 2fa: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no user with email %s", email)
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE staff_id IN (SELECT id FROM staff WHERE can_login AND email = $1)`, email); err != nil {
			return fmt.Errorf("store: reset 2fa: %w", err)
		}
		return tx.Audit(ctx, by, AuditTwoFactorOff, email, "")
	})
}
