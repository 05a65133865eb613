package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Member is anyone on the staff: a login user, someone invited who has
// not yet set a password, or a representative (a rider, a shop assistant)
// who is rated by customers and owns visits but never signs in.
type Member struct {
	ID          int64
	ExternalID  string
	Name        string
	Email       string
	Phone       string
	Role        retain.Role
	Team        string
	Locale      string
	CanLogin    bool // may sign in once they have a password
	HasPassword bool
	TwoFactor   bool
	Active      bool
	// LinkOpen: an invitation or reset link of theirs is still unused and
	// unexpired.
	LinkOpen  bool
	CreatedAt time.Time
}

// Signs reports whether the member can sign in today.
func (m Member) Signs() bool { return m.CanLogin && m.HasPassword && m.Active }

const memberColumns = `s.id, s.external_id, s.name, s.email, s.phone, s.role, COALESCE(t.name, ''), s.locale, s.can_login,
	s.password_hash <> '', s.totp_enabled_at IS NOT NULL, s.active,
	EXISTS (SELECT 1 FROM account_links l WHERE l.staff_id = s.id AND l.used_at IS NULL AND l.expires_at > $1), s.created_at
	FROM staff s LEFT JOIN teams t ON t.id = s.team_id`

func scanMember(sc interface{ Scan(...any) error }) (Member, error) {
	var m Member
	err := sc.Scan(&m.ID, &m.ExternalID, &m.Name, &m.Email, &m.Phone, &m.Role, &m.Team, &m.Locale, &m.CanLogin,
		&m.HasPassword, &m.TwoFactor, &m.Active, &m.LinkOpen, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// Members lists the whole staff, active first, by name.
func (db *DB) Members(ctx context.Context) ([]Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` ORDER BY s.active DESC, s.name, s.id`, db.Now())
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Member is one staff member by id.
func (db *DB) Member(ctx context.Context, id int64) (Member, error) {
	m, err := scanMember(db.read.QueryRowContext(ctx, `SELECT `+memberColumns+` WHERE s.id = $2`, db.Now(), id))
	if err != nil {
		return m, notFound(err, "no staff member %d", id)
	}
	return m, nil
}

// MemberChange is what a staff form sets. Email and phone are stored as
// given after NormalizeEmail; the caller checks the form's words.
type MemberChange struct {
	Name   string
	Email  string
	Phone  string
	Role   retain.Role
	Team   string // created when new; "" for none
	Active bool
}

// Errors the staff forms name in their reader's words.
var (
	// ErrLastAdmin: the change would leave no active admin who can sign
	// in, and nobody could manage staff or settings from the browser again.
	ErrLastAdmin = retain.Errorf(retain.ECONFLICT, "this is the last active admin")
	// ErrEmailTaken: another login already signs in with this email.
	ErrEmailTaken = retain.Errorf(retain.ECONFLICT, "another login has this email")
	// ErrNoLogin: representatives and people without an email cannot be
	// given a sign-in link.
	ErrNoLogin = retain.Errorf(retain.EINVALID, "a sign-in link needs an admin, manager or agent with an email")
)

// SaveMember creates a staff member (id 0) or changes one and returns the
// id. A change of role or a disable ends the member's sessions, so what
// they may do follows at once; removing the last active admin is refused.
func (db *DB) SaveMember(ctx context.Context, by retain.Actor, id int64, c MemberChange) (int64, error) {
	c.Name, c.Team, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Team), strings.TrimSpace(c.Phone)
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	st := retain.Staff{ExternalID: "x", Name: c.Name, Role: c.Role}
	if err := st.Validate().Err(); err != nil {
		return 0, err
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		teamID, err := tx.team(ctx, c.Team)
		if err != nil {
			return err
		}
		if id == 0 {
			ext, err := newStaffRef()
			if err != nil {
				return err
			}
			if err := tx.tx.QueryRowContext(ctx, `INSERT INTO staff (external_id, name, email, phone, role, team_id, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, ext, c.Name, c.Email, c.Phone, c.Role, teamID, c.Active, tx.now).Scan(&id); err != nil {
				return err
			}
			return tx.Audit(ctx, by, "staff.add", c.Name, string(c.Role))
		}
		var old MemberChange
		var canLogin bool
		err = tx.tx.QueryRowContext(ctx, `SELECT role, active, can_login, email FROM staff WHERE id = $1`, id).Scan(&old.Role, &old.Active, &canLogin, &old.Email)
		if err != nil {
			return notFound(err, "no staff member %d", id)
		}
		if canLogin && c.Role == retain.RoleRepresentative {
			return retain.FieldError("role", "a login user is an admin, manager or agent")
		}
		if canLogin && c.Email != old.Email {
			if c.Email == "" {
				return retain.FieldError("email", "is required for a login user")
			}
			if err := tx.emailFree(ctx, c.Email, id); err != nil {
				return err
			}
		}
		if old.Role == retain.RoleAdmin && old.Active && (c.Role != retain.RoleAdmin || !c.Active) {
			if err := tx.otherAdminExists(ctx, id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET name = $2, email = $3, phone = $4, role = $5, team_id = $6, active = $7, updated_at = $8 WHERE id = $1`,
			id, c.Name, c.Email, c.Phone, c.Role, teamID, c.Active, tx.now); err != nil {
			return err
		}
		if old.Role != c.Role || (old.Active && !c.Active) {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, id); err != nil {
				return err
			}
		}
		detail := ""
		if old.Role != c.Role {
			detail = string(old.Role) + " → " + string(c.Role)
		}
		if old.Active != c.Active {
			detail = strings.TrimSpace(detail + map[bool]string{true: " enabled", false: " disabled"}[c.Active])
		}
		return tx.Audit(ctx, by, "staff.edit", c.Name, detail)
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return 0, fmt.Errorf("store: save staff: %w", err)
	}
	return id, err
}

// emailFree refuses an email another login (not staff member id) signs in
// with: emails name logins.
func (tx *Tx) emailFree(ctx context.Context, email string, id int64) error {
	var taken bool
	if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE can_login AND email = $1 AND id <> $2)`, email, id).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return ErrEmailTaken
	}
	return nil
}

// otherAdminExists refuses a change that would leave no active admin who
// can sign in besides staff member id.
func (tx *Tx) otherAdminExists(ctx context.Context, id int64) error {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active AND can_login AND password_hash <> '' AND id <> $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// newStaffRef is the external id of a staff member made in the browser.
func newStaffRef() (string, error) {
	var raw [6]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return "staff-" + hex.EncodeToString(raw[:]), nil
}

// Link purposes: an invitation sets a first password; a reset replaces a
// forgotten or exposed one.
const (
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// How long a link works: a week to accept an invitation (people are
// invited before they start), a day for a reset.
const (
	InviteValidity = 7 * 24 * time.Hour
	ResetValidity  = 24 * time.Hour
)

// AccountLink is an unused, unexpired one-time link and whom it is for.
type AccountLink struct {
	StaffID   int64
	Name      string
	Email     string
	Locale    string
	Purpose   string
	ExpiresAt time.Time
}

// CreateAccountLink makes a one-time link token (256 random bits; only the
// hash is kept) for an admin, manager or agent with an email, and lets
// them sign in once they have used it. Earlier links of theirs stop
// working. A reset also clears the old password and ends their sessions:
// an admin resets a password because it is lost or known to someone else.
func (db *DB) CreateAccountLink(ctx context.Context, by retain.Actor, staffID int64, purpose string) (string, error) {
	validity := map[string]time.Duration{LinkInvite: InviteValidity, LinkReset: ResetValidity}[purpose]
	if validity == 0 {
		return "", retain.FieldError("purpose", "%q is not invite or reset", purpose)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	err := db.WithTx(ctx, func(tx *Tx) error {
		var m MemberChange
		if err := tx.tx.QueryRowContext(ctx, `SELECT name, email, role, active FROM staff WHERE id = $1`, staffID).Scan(&m.Name, &m.Email, &m.Role, &m.Active); err != nil {
			return notFound(err, "no staff member %d", staffID)
		}
		if m.Email == "" || m.Role == retain.RoleRepresentative || !m.Active {
			return ErrNoLogin
		}
		if err := tx.emailFree(ctx, m.Email, staffID); err != nil {
			return err
		}
		if purpose == LinkReset {
			if _, err := tx.exec(ctx, `UPDATE staff SET password_hash = '' WHERE id = $1`, staffID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, staffID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET can_login = TRUE, updated_at = $2 WHERE id = $1`, staffID, tx.now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM account_links WHERE staff_id = $1 AND used_at IS NULL`, staffID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO account_links (token_hash, staff_id, purpose, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashKey(token), staffID, purpose, by.String(), tx.now, tx.now.Add(validity)); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "user."+purpose, m.Email, "")
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return "", fmt.Errorf("store: account link: %w", err)
	}
	return token, err
}

// ErrLinkGone: the link is unknown, used or expired. One answer for all
// three, so the page tells a guesser nothing.
var ErrLinkGone = retain.Errorf(retain.ENOTFOUND, "this link has been used or has expired")

// AccountLinkFor is the person an unused, unexpired link is for.
func (db *DB) AccountLinkFor(ctx context.Context, token string) (AccountLink, error) {
	var l AccountLink
	var exp nullTime
	err := db.read.QueryRowContext(ctx, `SELECT s.id, s.name, s.email, s.locale, l.purpose, l.expires_at FROM account_links l JOIN staff s ON s.id = l.staff_id
		WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND s.active`, hashKey(token), db.Now()).
		Scan(&l.StaffID, &l.Name, &l.Email, &l.Locale, &l.Purpose, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrLinkGone
	}
	if err != nil {
		return l, fmt.Errorf("store: account link: %w", err)
	}
	l.ExpiresAt = exp.T
	return l, nil
}

// UseAccountLink sets the password of the link's person (passwordHash is
// an encoded argon2id hash), spends the link and ends their other
// sessions. Two tabs racing on one link: one wins, the other gets
// ErrLinkGone.
func (db *DB) UseAccountLink(ctx context.Context, token, passwordHash string) (Staff, error) {
	var st Staff
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE account_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
			AND staff_id IN (SELECT id FROM staff WHERE active)`, hashKey(token), tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLinkGone
		}
		var purpose string
		if err := tx.tx.QueryRowContext(ctx, `SELECT l.purpose, s.id, s.email, s.name, s.role, COALESCE(s.team_id, 0), s.locale FROM account_links l
			JOIN staff s ON s.id = l.staff_id WHERE l.token_hash = $1`, hashKey(token)).
			Scan(&purpose, &st.ID, &st.Email, &st.Name, &st.Role, &st.TeamID, &st.Locale); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET password_hash = $2, password_change_due = FALSE, can_login = TRUE, updated_at = $3 WHERE id = $1`,
			st.ID, passwordHash, tx.now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, st.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, st.Actor(), "user.password_set", st.Email, purpose)
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return Staff{}, fmt.Errorf("store: use account link: %w", err)
	}
	return st, err
}

// ErrWrongPassword: the current password given to change it is wrong.
var ErrWrongPassword = retain.FieldError("current_password", "is wrong")

// ChangePassword replaces a signed-in person's password after verify
// accepts the current one, and ends their other sessions (keepToken is
// the session doing it). It also settles a change that was due.
func (db *DB) ChangePassword(ctx context.Context, by retain.Actor, staffID int64, verify func(hash string) bool, newHash, keepToken string) error {
	err := db.WithTx(ctx, func(tx *Tx) error {
		var hash, email string
		if err := tx.tx.QueryRowContext(ctx, `SELECT password_hash, email FROM staff WHERE id = $1 AND can_login AND active`, staffID).Scan(&hash, &email); err != nil {
			return notFound(err, "no login %d", staffID)
		}
		if !verify(hash) {
			return ErrWrongPassword
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET password_hash = $2, password_change_due = FALSE, updated_at = $3 WHERE id = $1`, staffID, newHash, tx.now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2`, staffID, hashKey(keepToken)); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "user.password_change", email, "")
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return fmt.Errorf("store: change password: %w", err)
	}
	return err
}

// RequirePasswordChange makes a login change their password at their next
// sign-in before anything else (a password printed in a terminal, such as
// the demo admin's, has been seen by more than its owner).
func (db *DB) RequirePasswordChange(ctx context.Context, email string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE staff SET password_change_due = TRUE WHERE can_login AND email = $1`, strings.ToLower(strings.TrimSpace(email)))
		return err
	})
}

// HasLogin reports whether anyone was ever given a sign-in: a database
// without one is new, and serve opens the setup wizard on it. (A sole
// admin whose password is being reset still counts: the wizard is never
// a way into a business's data.)
func (db *DB) HasLogin(ctx context.Context) (bool, error) {
	var ok bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE can_login)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: has login: %w", err)
	}
	return ok, nil
}
