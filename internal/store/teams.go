package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/retainhq/retain"
)

// A Team groups staff (a branch, a shift, the riders); reports and "who
// helped you?" ratings roll up by it. Staff point at it by id, so a rename
// carries everyone along.
type Team struct {
	ID      int64
	Name    string
	Members int // active or not
}

// Errors the team forms name in their reader's words.
var (
	ErrTeamTaken = retain.Errorf(retain.ECONFLICT, "another team has this name")
	// ErrTeamInUse: a team with members is not deleted; move them first,
	// so nobody loses their team without an admin choosing it.
	ErrTeamInUse = retain.Errorf(retain.ECONFLICT, "the team has members")
)

// maxTeamName is the longest team name, as on the staff form.
const maxTeamName = 100

// TeamList lists the teams by name, with how many staff each has.
func (db *DB) TeamList(ctx context.Context) ([]Team, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.name, (SELECT COUNT(*) FROM staff s WHERE s.team_id = t.id) FROM teams t ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Members); err != nil {
			return nil, fmt.Errorf("store: teams: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveTeam creates a team (id 0) or renames one, and returns its id.
func (db *DB) SaveTeam(ctx context.Context, by retain.Actor, id int64, name string) (int64, error) {
	name = strings.TrimSpace(name)
	p := retain.Problems{}
	switch {
	case name == "":
		p.Add("name", "is required")
	case utf8.RuneCountInString(name) > maxTeamName:
		p.Add("name", "is longer than %d characters", maxTeamName)
	case retain.TextProblem(name) != "":
		p.Add("name", "%s", retain.TextProblem(name))
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		var taken bool
		if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE name = $1 AND id <> $2)`, name, id).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return ErrTeamTaken
		}
		if id == 0 {
			if err := tx.tx.QueryRowContext(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`, name, tx.now).Scan(&id); err != nil {
				return err
			}
			return tx.Audit(ctx, by, "team.add", name, "")
		}
		var old string
		if err := tx.tx.QueryRowContext(ctx, `SELECT name FROM teams WHERE id = $1`, id).Scan(&old); err != nil {
			return notFound(err, "no team %d", id)
		}
		if _, err := tx.exec(ctx, `UPDATE teams SET name = $1 WHERE id = $2`, name, id); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "team.rename", name, old+" → "+name)
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return 0, fmt.Errorf("store: save team: %w", err)
	}
	return id, err
}

// DeleteTeam deletes a team nobody is in.
func (db *DB) DeleteTeam(ctx context.Context, by retain.Actor, id int64) error {
	err := db.WithTx(ctx, func(tx *Tx) error {
		var name string
		var members int
		err := tx.tx.QueryRowContext(ctx, `SELECT name, (SELECT COUNT(*) FROM staff s WHERE s.team_id = t.id) FROM teams t WHERE id = $1`, id).Scan(&name, &members)
		if err != nil {
			return notFound(err, "no team %d", id)
		}
		if members > 0 {
			return ErrTeamInUse
		}
		if _, err := tx.exec(ctx, `DELETE FROM teams WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "team.delete", name, "")
	})
	if err != nil && retain.ErrorCode(err) == retain.EINTERNAL {
		return fmt.Errorf("store: delete team: %w", err)
	}
	return err
}
