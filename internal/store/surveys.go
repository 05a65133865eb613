package store

import (
	"context"
	"fmt"
	"time"

	"github.com/retainhq/retain"
)

// SurveyRow is a survey's current version and state, with how its
// invitations fared.
type SurveyRow struct {
	Key        string
	Version    int
	Enabled    bool
	Definition []byte // JSON
	// Invitations sent, and those answered (a score or any answer).
	Sent, Answered int
}

// Rate is answered ÷ sent (0 when none was sent).
func (r SurveyRow) Rate() float64 { return ratio(r.Answered, r.Sent) }

// SaveSurvey stores a definition as the survey's next version, unless it
// equals the current one.
func (db *DB) SaveSurvey(ctx context.Context, by retain.Actor, key string, definition []byte, enabled bool) (version int, created bool, err error) {
	version, created, err = surveyDefs.save(ctx, db, key, definition, enabled)
	if err == nil && created && by.Kind != retain.ActorSystem {
		err = db.WithTx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, by, AuditSurveySaved, "survey:"+key, fmt.Sprint(version))
		})
	}
	return version, created, err
}

// SetSurveyEnabled turns a survey on or off: an off survey sends no
// invitations (open ones still take their answers).
func (db *DB) SetSurveyEnabled(ctx context.Context, by retain.Actor, key string, enabled bool) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if err := surveyDefs.setEnabled(ctx, tx, key, enabled); err != nil {
			return err
		}
		return tx.Audit(ctx, by, AuditSurveyState, "survey:"+key, fmt.Sprint(enabled))
	})
}

// SurveyHead is a survey's current version, definition and state.
func (db *DB) SurveyHead(ctx context.Context, key string) (SurveyRow, error) {
	s := SurveyRow{Key: key}
	var err error
	s.Version, s.Enabled, s.Definition, err = surveyDefs.current(ctx, db, key)
	return s, err
}

// SurveyVersion returns one version's definition.
func (db *DB) SurveyVersion(ctx context.Context, key string, version int) ([]byte, error) {
	return surveyDefs.version(ctx, db, key, version)
}

// Surveys lists every survey with its invitation counts.
func (db *DB) Surveys(ctx context.Context) ([]SurveyRow, error) {
	var out []SurveyRow
	index := map[string]int{}
	var row SurveyRow
	var def string
	err := db.eachRow(ctx, `SELECT s.key, s.version, s.enabled, v.definition FROM surveys s
		JOIN survey_versions v ON v.key = s.key AND v.version = s.version ORDER BY s.key`, nil,
		[]any{&row.Key, &row.Version, &row.Enabled, &def}, func() {
			row.Definition = []byte(def)
			index[row.Key] = len(out)
			out = append(out, row)
		})
	if err != nil {
		return nil, err
	}
	var key, status string
	var n int
	err = db.eachRow(ctx, `SELECT survey_key, status, COUNT(*) FROM survey_invitations GROUP BY survey_key, status`, nil,
		[]any{&key, &status, &n}, func() {
			if i, ok := index[key]; ok {
				out[i].Sent += n
				if status != InvitationOpen {
					out[i].Answered += n
				}
			}
		})
	if err != nil {
		return nil, fmt.Errorf("store: surveys: %w", err)
	}
	return out, nil
}

// ResponseRate is one month of invitations: how many were sent and how
// many of those were answered.
type ResponseRate struct {
	Month          time.Time // first day (UTC, as the dashboard's months)
	Sent, Answered int
}

// Rate is answered ÷ sent (0 when none was sent).
func (r ResponseRate) Rate() float64 { return ratio(r.Answered, r.Sent) }

// ratio is k ÷ n, 0 when n is 0 (a rate of nothing is shown as none).
func ratio(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// responseRates counts invitations by the month they were sent, one entry
// per month from start to now, or none when no invitation was ever sent
// in that time. Counted in the database: a busy shop sends thousands.
func (db *DB) responseRates(ctx context.Context, start, now time.Time) ([]ResponseRate, error) {
	byMonth := map[time.Time]*ResponseRate{}
	var at nullTime
	var sent, answered int
	month := `strftime('%Y-%m-01T00:00:00Z', created_at)`
	if db.dialect == Postgres {
		month = `date_trunc('month', created_at AT TIME ZONE 'UTC')`
	}
	err := db.eachRow(ctx, `SELECT `+month+`, COUNT(*), SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END)
		FROM survey_invitations WHERE created_at >= $1 GROUP BY 1`, []any{start.UTC()}, []any{&at, &sent, &answered}, func() {
		m := monthOf(at.T)
		byMonth[m] = &ResponseRate{Month: m, Sent: sent, Answered: answered}
	})
	if err != nil || len(byMonth) == 0 {
		return nil, err
	}
	var out []ResponseRate
	for m := start; !m.After(monthOf(now)); m = m.AddDate(0, 1, 0) {
		r := ResponseRate{Month: m}
		if v := byMonth[m]; v != nil {
			r = *v
		}
		out = append(out, r)
	}
	return out, nil
}
