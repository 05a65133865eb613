package store

import (
	"context"
	"fmt"
	"time"
)

// A StaffAnswer is a survey answer that names the staff member it is
// about ("who helped you?"), with their team: as the invitation recorded
// it when it asked about them, else as it is now.
type StaffAnswer struct {
	StaffID     int64
	Name, Team  string
	Kind        string // nps, csat, ces
	Score       int
	RespondedAt time.Time
}

// StaffAnswers are the answers naming a staff member given in [from, to).
func (db *DB) StaffAnswers(ctx context.Context, from, to time.Time) ([]StaffAnswer, error) {
	// The team is the one the invitation snapshotted when the answer is
	// about the person it was sent about (a rider who moves keeps what
	// they earned in the old team); otherwise the person's team now.
	rows, err := db.read.QueryContext(ctx, `SELECT r.staff_id, st.name, COALESCE(t.name, ''), r.kind, r.score, r.responded_at
		FROM survey_responses r JOIN staff st ON st.id = r.staff_id
		LEFT JOIN survey_invitations i ON i.response_ext = r.external_id
		LEFT JOIN teams t ON t.id = COALESCE(CASE WHEN i.staff_id = r.staff_id THEN i.team_id END, st.team_id)
		WHERE r.responded_at >= $1 AND r.responded_at < $2 ORDER BY r.responded_at`, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: staff answers: %w", err)
	}
	defer rows.Close()
	var out []StaffAnswer
	for rows.Next() {
		var a StaffAnswer
		var at nullTime
		if err := rows.Scan(&a.StaffID, &a.Name, &a.Team, &a.Kind, &a.Score, &at); err != nil {
			return nil, fmt.Errorf("store: staff answers: %w", err)
		}
		a.RespondedAt = at.T
		out = append(out, a)
	}
	return out, rows.Err()
}
