package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// User is a staff member who can log in.
type User struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Role      retain.Role `json:"role"`
	Team      string      `json:"team,omitempty"`
	Active    bool        `json:"active"`
	CreatedAt time.Time   `json:"created_at"`
}

// AddUser creates a login user (or gives login to an existing staff member
// with the same email). passwordHash is an encoded argon2id hash.
func (db *DB) AddUser(ctx context.Context, by retain.Actor, u User, passwordHash string) (User, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	st := retain.Staff{ExternalID: "user:" + u.Email, Name: u.Name, Email: u.Email, Role: u.Role, Team: u.Team, CanLogin: true}
	if err := st.Validate().Err(); err != nil {
		return u, err
	}
	if st.Role == "representative" {
		return u, retain.FieldError("role", "a login user is an admin, manager or agent")
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		if err := tx.emailFree(ctx, u.Email, 0); errors.Is(err, ErrEmailTaken) {
			return retain.Errorf(retain.ECONFLICT, "a user with email %s already exists", u.Email)
		} else if err != nil {
			return err
		}
		teamID, err := tx.team(ctx, u.Team)
		if err != nil {
			return err
		}
		err = tx.tx.QueryRowContext(ctx, `INSERT INTO staff (external_id, name, email, role, team_id, can_login, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7)
			ON CONFLICT (external_id) DO UPDATE SET name = excluded.name, role = excluded.role, team_id = excluded.team_id,
			    can_login = TRUE, password_hash = excluded.password_hash, updated_at = excluded.updated_at
			RETURNING id, created_at`,
			st.ExternalID, u.Name, u.Email, u.Role, teamID, passwordHash, tx.now).Scan(&u.ID, &u.CreatedAt)
		if err != nil {
			return err
		}
		u.Active, u.CreatedAt = true, u.CreatedAt.UTC()
		return tx.Audit(ctx, by, "user.add", u.Email, string(u.Role))
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return u, fmt.Errorf("store: add user: %w", err)
	}
	return u, err
}

// ListUsers lists login users.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.email, s.name, s.role, COALESCE(t.name, ''), s.active, s.created_at
		FROM staff s LEFT JOIN teams t ON t.id = s.team_id WHERE s.can_login ORDER BY s.email`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Team, &u.Active, &u.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		u.CreatedAt = u.CreatedAt.UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserActive enables or disables a login user by email.
func (db *DB) SetUserActive(ctx context.Context, by retain.Actor, email string, active bool) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return db.WithTx(ctx, func(tx *Tx) error {
		var (
			id       int64
			role     retain.Role
			isActive bool
		)
		err := tx.tx.QueryRowContext(ctx, `SELECT id, role, active FROM staff WHERE can_login AND email = $1`, email).Scan(&id, &role, &isActive)
		if err != nil {
			return notFound(err, "no user with email %s", email)
		}
		if role == retain.RoleAdmin && isActive && !active {
			if err := tx.otherAdminExists(ctx, id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET active = $1, updated_at = $2 WHERE id = $3`, active, tx.now, id); err != nil {
			return fmt.Errorf("store: set user active: %w", err)
		}
		if !active { // ended for good: enabling the user again must not bring them back
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, id); err != nil {
				return fmt.Errorf("store: end sessions: %w", err)
			}
		}
		return tx.Audit(ctx, by, map[bool]string{true: "user.enable", false: "user.disable"}[active], email, "")
	})
}

// SetUserRole changes a login user's role: a permission change, audited
// with the old and the new role. Their sessions end, so the new role
// applies from their next sign-in on.
func (db *DB) SetUserRole(ctx context.Context, by retain.Actor, email string, role retain.Role) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if role != retain.RoleAdmin && role != retain.RoleManager && role != retain.RoleAgent {
		return retain.FieldError("role", "%q is not admin, manager or agent", role)
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		var (
			id     int64
			old    retain.Role
			active bool
		)
		err := tx.tx.QueryRowContext(ctx, `SELECT id, role, active FROM staff WHERE can_login AND email = $1`, email).Scan(&id, &old, &active)
		if err != nil {
			return notFound(err, "no user with email %s", email)
		}
		if old == role {
			return nil
		}
		if old == retain.RoleAdmin && active {
			if err := tx.otherAdminExists(ctx, id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET role = $2, updated_at = $3 WHERE id = $1`, id, role, tx.now); err != nil {
			return fmt.Errorf("store: set role: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, id); err != nil {
			return fmt.Errorf("store: set role: %w", err)
		}
		return tx.Audit(ctx, by, "user.role", email, string(old)+" → "+string(role))
	})
}

// team is the id of the team with a name, made when new; nil (no team) for
// "".
func (tx *Tx) team(ctx context.Context, name string) (any, error) {
	if name == "" {
		return nil, nil
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`, name, tx.now).Scan(&id)
	return id, err
}
