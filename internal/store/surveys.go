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
	Month          time.Time // first day, in the zone asked for
	Kind           string
	Sent, Answered int
}
