package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// HistoryRow is one order line of the order history the scoring reads, in
// customer order: an order without lines comes once with an empty category.
type HistoryRow struct {
	CustomerID int64
	OrderID    int64
	PlacedAt   time.Time
	Total      int64 // minor units
	Currency   string
	Category   string
}

// CustomerRef names a customer for scoring.
type CustomerRef struct {
	ID         int64
	ExternalID string
	TimeZone   string
}

// ScoringCustomers lists every customer, by id.
func (db *DB) ScoringCustomers(ctx context.Context) ([]CustomerRef, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, external_id, time_zone FROM customers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: scoring customers: %w", err)
	}
	defer rows.Close()
	var out []CustomerRef
	for rows.Next() {
		var c CustomerRef
		if err := rows.Scan(&c.ID, &c.ExternalID, &c.TimeZone); err != nil {
			return nil, fmt.Errorf("store: scoring customers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// History streams the order history (cancelled orders excluded) to fn in
// (customer, time) order, without holding it in memory.
func (db *DB) History(ctx context.Context, fn func(HistoryRow) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT o.customer_id, o.id, `+db.q(qEpochPlacedAt)+`, o.total_minor, o.currency, COALESCE(p.category, '')
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id LEFT JOIN products p ON p.id = l.product_id
		WHERE o.status <> 'cancelled'
		ORDER BY o.customer_id, o.placed_at, o.id`)
	if err != nil {
		return fmt.Errorf("store: history: %w", err)
	}
	defer rows.Close()
	var r HistoryRow
	var placed int64
	for rows.Next() {
		if err := rows.Scan(&r.CustomerID, &r.OrderID, &placed, &r.Total, &r.Currency, &r.Category); err != nil {
			return fmt.Errorf("store: history: %w", err)
		}
		r.PlacedAt = time.Unix(placed, 0).UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Signals are a customer's satisfaction and service facts for the health score.
type Signals struct {
	SurveyKind  string
	SurveyScore int
	SurveyAt    time.Time
	OpenTickets int
	Complaints  int
	Returns     int
	Refusals    int
	Chargebacks int
	Churned     bool // declared churned (an import or a playbook): the stage scoring keeps
}

// CustomerSignals returns, by customer id, the latest survey answer and the
// counts of tickets and unhappy order events since since.
func (db *DB) CustomerSignals(ctx context.Context, since time.Time) (map[int64]*Signals, error) {
	out := map[int64]*Signals{}
	get := func(id int64) *Signals {
		s := out[id]
		if s == nil {
			s = &Signals{}
			out[id] = s
		}
		return s
	}
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id, kind, score, responded_at FROM survey_responses ORDER BY customer_id, responded_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: signals: %w", err)
	}
	for rows.Next() {
		var id int64
		var s Signals
		if err := rows.Scan(&id, &s.SurveyKind, &s.SurveyScore, &s.SurveyAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: signals: %w", err)
		}
		g := get(id)
		g.SurveyKind, g.SurveyScore, g.SurveyAt = s.SurveyKind, s.SurveyScore, s.SurveyAt.UTC()
	}
	rows.Close()
	counts := []struct {
		sql string
		set func(*Signals, int)
	}{
		{`SELECT customer_id, COUNT(*) FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold') GROUP BY customer_id`, func(s *Signals, n int) { s.OpenTickets = n }},
		{`SELECT customer_id, COUNT(*) FROM tickets WHERE opened_at >= $1 GROUP BY customer_id`, func(s *Signals, n int) { s.Complaints = n }},
		{`SELECT o.customer_id, COUNT(DISTINCT o.id) FROM order_events e JOIN orders o ON o.id = e.order_id
		  WHERE e.type IN ('returned', 'refunded') AND e.occurred_at >= $1 GROUP BY o.customer_id`, func(s *Signals, n int) { s.Returns = n }},
		{`SELECT o.customer_id, COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id
		  WHERE e.type = 'refused' AND e.occurred_at >= $1 GROUP BY o.customer_id`, func(s *Signals, n int) { s.Refusals = n }},
		{`SELECT o.customer_id, COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id
		  WHERE e.type = 'chargeback' AND e.occurred_at >= $1 GROUP BY o.customer_id`, func(s *Signals, n int) { s.Chargebacks = n }},
		{`SELECT id, 1 FROM customers WHERE stage = '` + retain.StageChurned + `'`, func(s *Signals, _ int) { s.Churned = true }},
	}
	for _, c := range counts {
		var args []any
		if strings.Contains(c.sql, "$1") {
			args = append(args, since)
		}
		rows, err := db.read.QueryContext(ctx, c.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("store: signals: %w", err)
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: signals: %w", err)
			}
			c.set(get(id), n)
		}
		rows.Close()
	}
	return out, nil
}

// ScoringRun is one run of retain score.
type ScoringRun struct {
	ID             int64           `json:"id"`
	StartedAt      time.Time       `json:"started_at"`
	FinishedAt     *time.Time      `json:"finished_at,omitempty"`
	Status         string          `json:"status"`
	Model          string          `json:"model"`
	ModelVersion   string          `json:"model_version"`
	TimeUnit       string          `json:"time_unit"`
	CalibrationEnd time.Time       `json:"calibration_end"`
	HorizonDays    int             `json:"horizon_days"`
	DiscountRate   float64         `json:"discount_rate"`
	Params         json.RawMessage `json:"params"`
	LogLikelihood  float64         `json:"log_likelihood"`
	Fit            json.RawMessage `json:"fit"`
	Summary        json.RawMessage `json:"summary"`
	Customers      int             `json:"customers"`
}

var scoreTable = stageTable{name: "customer_scores", cols: cols("run_id BIGINT, customer_id BIGINT, frequency BIGINT, recency DOUBLE PRECISION, age DOUBLE PRECISION, monetary DOUBLE PRECISION, currency TEXT, p_alive DOUBLE PRECISION, expected_purchases DOUBLE PRECISION, expected_spend DOUBLE PRECISION, clv DOUBLE PRECISION, next_order_at TIMESTAMPTZ, p_next_order DOUBLE PRECISION, rfm_r BIGINT, rfm_f BIGINT, rfm_m BIGINT, segment TEXT, health DOUBLE PRECISION, flags JSONB, factors JSONB, stage TEXT")}

var listTable = stageTable{name: "customer_list_scores", cols: cols("run_id BIGINT, customer_id BIGINT, segment TEXT, health DOUBLE PRECISION, p_alive DOUBLE PRECISION, clv DOUBLE PRECISION, currency TEXT, stage TEXT")}

const scoreChunk = 16 * stageChunk

// SaveScoringRun writes a finished run and its customers' scores in one
// transaction (COPY on PostgreSQL), then, in a transaction of its own,
// drops the customer rows of all but the newest keep runs; run summaries
// stay.
func (db *DB) SaveScoringRun(ctx context.Context, run *ScoringRun, scores []retain.Score, keep int) error {
	if err := db.saveScoringRun(ctx, run, scores); err != nil {
		return err
	}
	return db.pruneScores(ctx, keep)
}

// pruneScores drops the customer rows of the runs older than the newest
// keep: a range of the primary key's first column, below the oldest run
// kept, instead of a NOT IN that read every row of every run to find the
// old ones. A failure leaves the rows for the next run to drop.
func (db *DB) pruneScores(ctx context.Context, keep int) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		var oldest sql.NullInt64
		if err := tx.tx.QueryRowContext(ctx, `SELECT MIN(id) FROM (SELECT id FROM scoring_runs WHERE status = 'done' ORDER BY id DESC LIMIT $1) kept`,
			keep).Scan(&oldest); err != nil || !oldest.Valid {
			return err
		}
		for _, table := range []string{"customer_scores", "customer_list_scores"} {
			if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE run_id < $1`, oldest.Int64); err != nil {
				return fmt.Errorf("store: prune scores: %w", err)
			}
		}
		return nil
	})
}

func (db *DB) saveScoringRun(ctx context.Context, run *ScoringRun, scores []retain.Score) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(ctx, `INSERT INTO scoring_runs (started_at, finished_at, status, model, model_version, time_unit,
			calibration_end, horizon_days, discount_rate, params, log_likelihood, fit, summary, customers)
			VALUES ($1, $2, 'done', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			run.StartedAt, tx.now, run.Model, run.ModelVersion, run.TimeUnit, run.CalibrationEnd, run.HorizonDays, run.DiscountRate,
			string(run.Params), run.LogLikelihood, string(run.Fit), string(run.Summary), len(scores)).Scan(&run.ID)
		if err != nil {
			return fmt.Errorf("store: save scoring run: %w", err)
		}
		// In slices of scoreChunk rows: the driver's arguments for a million
		// customers at once would double the memory a run needs.
		rows := make([][]any, 0, min(len(scores), scoreChunk))
		for start := 0; start < len(scores); start += scoreChunk {
			rows = rows[:0]
			for _, s := range scores[start:min(start+scoreChunk, len(scores))] {
				rows = append(rows, []any{run.ID, s.CustomerID, int64(s.Frequency), s.Recency, s.Age, s.Monetary, s.Currency, s.PAlive, s.ExpectedPurchases,
					s.ExpectedSpend, s.CLV, timeArg(s.NextOrderAt), s.PNextOrder, int64(s.R), int64(s.F), int64(s.M), s.Segment, s.Health,
					jsonText(s.Flags), jsonText(s.Factors), s.Stage})
			}
			if err := tx.loadStage(ctx, scoreTable, rows); err != nil {
				return err
			}
		}
		// The narrow copy the customer list reads.
		for start := 0; start < len(scores); start += scoreChunk {
			rows = rows[:0]
			for _, s := range scores[start:min(start+scoreChunk, len(scores))] {
				rows = append(rows, []any{run.ID, s.CustomerID, s.Segment, s.Health, s.PAlive, s.CLV, s.Currency, s.Stage})
			}
			if err := tx.loadStage(ctx, listTable, rows); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScoringRuns lists runs, newest first.
func (db *DB) ScoringRuns(ctx context.Context, limit int) ([]ScoringRun, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, started_at, finished_at, status, model, model_version, time_unit, calibration_end,
		horizon_days, discount_rate, CAST(params AS TEXT), COALESCE(log_likelihood, 0), CAST(fit AS TEXT), CAST(summary AS TEXT), customers
		FROM scoring_runs WHERE status = 'done' ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: scoring runs: %w", err)
	}
	defer rows.Close()
	var out []ScoringRun
	for rows.Next() {
		var r ScoringRun
		var fin nullTime
		var params, fit, summary string
		if err := rows.Scan(&r.ID, &r.StartedAt, &fin, &r.Status, &r.Model, &r.ModelVersion, &r.TimeUnit, &r.CalibrationEnd, &r.HorizonDays,
			&r.DiscountRate, &params, &r.LogLikelihood, &fit, &summary, &r.Customers); err != nil {
			return nil, fmt.Errorf("store: scoring runs: %w", err)
		}
		r.StartedAt, r.CalibrationEnd = r.StartedAt.UTC(), r.CalibrationEnd.UTC()
		if !fin.T.IsZero() {
			r.FinishedAt = &fin.T
		}
		r.Params, r.Fit, r.Summary = json.RawMessage(params), json.RawMessage(fit), json.RawMessage(summary)
		out = append(out, r)
	}
	return out, rows.Err()
}

const scoreColumns = `s.customer_id, c.external_id, s.frequency, s.recency, s.age, s.monetary, s.currency, s.p_alive, s.expected_purchases,
	s.expected_spend, s.clv, s.next_order_at, s.p_next_order, s.rfm_r, s.rfm_f, s.rfm_m, s.segment, s.health, CAST(s.flags AS TEXT), CAST(s.factors AS TEXT), s.stage`

func scanScore(sc interface{ Scan(...any) error }) (retain.Score, error) {
	var s retain.Score
	var next nullTime
	var flags, factors string
	err := sc.Scan(&s.CustomerID, &s.ExternalID, &s.Frequency, &s.Recency, &s.Age, &s.Monetary, &s.Currency, &s.PAlive, &s.ExpectedPurchases,
		&s.ExpectedSpend, &s.CLV, &next, &s.PNextOrder, &s.R, &s.F, &s.M, &s.Segment, &s.Health, &flags, &factors, &s.Stage)
	if err != nil {
		return s, err
	}
	// The one place the stored JSON becomes typed flags and factors.
	s.NextOrderAt = next.T
	if err := json.Unmarshal([]byte(flags), &s.Flags); err != nil {
		return s, fmt.Errorf("store: score flags of customer %d: %w", s.CustomerID, err)
	}
	if err := json.Unmarshal([]byte(factors), &s.Factors); err != nil {
		return s, fmt.Errorf("store: score factors of customer %d: %w", s.CustomerID, err)
	}
	return s, nil
}

// LatestScore returns a customer's scores from the newest run, or ENOTFOUND.
func (db *DB) LatestScore(ctx context.Context, externalID string) (retain.Score, ScoringRun, error) {
	runs, err := db.ScoringRuns(ctx, 1)
	if err != nil {
		return retain.Score{}, ScoringRun{}, err
	}
	if len(runs) == 0 {
		return retain.Score{}, ScoringRun{}, retain.Errorf(retain.ENOTFOUND, "no scores yet: run retain score")
	}
	row := db.read.QueryRowContext(ctx, `SELECT `+scoreColumns+` FROM customer_scores s JOIN customers c ON c.id = s.customer_id
		WHERE s.run_id = $1 AND c.external_id = $2`, runs[0].ID, externalID)
	s, err := scanScore(row)
	if err != nil {
		return s, runs[0], notFound(err, "no scores for customer %q in the latest run", externalID)
	}
	return s, runs[0], nil
}

// EachScore streams the scores of run runID in customer order.
func (db *DB) EachScore(ctx context.Context, runID int64, fn func(retain.Score) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+scoreColumns+` FROM customer_scores s JOIN customers c ON c.id = s.customer_id
		WHERE s.run_id = $1 ORDER BY s.customer_id`, runID)
	if err != nil {
		return fmt.Errorf("store: scores: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanScore(rows)
		if err != nil {
			return fmt.Errorf("store: scores: %w", err)
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// jsonText is v as JSON text for a JSON column; nil is an empty list, so
// readers never meet null.
func jsonText[T any](v []T) string {
	if v == nil {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil { // flags and factors are plain data: this cannot fail
		panic(err)
	}
	return string(b)
}
