package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AnswerFilter selects survey answers for the answers page.
type AnswerFilter struct {
	Kind         string // nps, csat, ces; "" all
	Band         string // low (detractors, CSAT 1–2, CES 5–7), high (promoters, CSAT 4–5, CES 1–2); "" all
	From, To     time.Time
	StaffID      int64
	WithComments bool
	Scope        *OwnerScope // the customers' owners; nil: everyone's
	Page, Size   int
}

// Answer is a survey answer as the answers page lists it.
type Answer struct {
	ID                    int64
	CustomerID            int64
	CustomerRef, Customer string
	Kind                  string
	Score                 int
	Comment               string
	Staff                 string
	RespondedAt           time.Time
}

// bands are the score ranges of "low" and "high" answers, by kind.
var bands = map[string]string{
	"low":  `((r.kind = 'nps' AND r.score <= 6) OR (r.kind = 'csat' AND r.score <= 2) OR (r.kind = 'ces' AND r.score >= 5))`,
	"high": `((r.kind = 'nps' AND r.score >= 9) OR (r.kind = 'csat' AND r.score >= 4) OR (r.kind = 'ces' AND r.score <= 2))`,
}

// Answers lists a page of answers, newest first, and how many match (up
// to CountCap+1).
func (db *DB) Answers(ctx context.Context, f AnswerFilter) ([]Answer, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Kind != "" {
		where = append(where, "r.kind = "+arg(f.Kind))
	}
	if b, ok := bands[f.Band]; ok {
		where = append(where, b)
	}
	if !f.From.IsZero() {
		where = append(where, "r.responded_at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, "r.responded_at < "+arg(f.To.UTC()))
	}
	if f.StaffID != 0 {
		where = append(where, "r.staff_id = "+arg(f.StaffID))
	}
	if f.WithComments {
		where = append(where, "r.comment <> ''")
	}
	if f.Scope != nil {
		where = append(where, f.Scope.where("c.owner_id"))
	}
	f.Page, f.Size = min(max(f.Page, 1), MaxPage), min(max(f.Size, 1), 200)
	from := `FROM survey_responses r JOIN customers c ON c.id = r.customer_id LEFT JOIN staff st ON st.id = r.staff_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 `+from+` LIMIT `+fmt.Sprint(CountCap+1)+`) n`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: answers: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, c.id, c.external_id, c.name, r.kind, r.score, r.comment, COALESCE(st.name, ''), r.responded_at `+from+
		` ORDER BY r.responded_at DESC, r.id DESC LIMIT `+arg(f.Size)+` OFFSET `+arg((f.Page-1)*f.Size), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: answers: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		var a Answer
		var at nullTime
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.CustomerRef, &a.Customer, &a.Kind, &a.Score, &a.Comment, &a.Staff, &at); err != nil {
			return nil, 0, fmt.Errorf("store: answers: %w", err)
		}
		a.RespondedAt = at.T
		out = append(out, a)
	}
	return out, total, rows.Err()
}
