package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/retainhq/retain"
)

// Dashboard is what the UI's first page shows.
type Dashboard struct {
	Customers     int
	Active        int     // bought in the last 365 days
	RepeatRate    float64 // of buyers, the share who bought on two days or more
	Revenue       map[string]int64
	RevenueAtRisk map[string]int64 // the CLV of the customers at risk, per currency, in minor units
	AtRisk        int              // customers in stage at_risk in the latest scoring run
	AlertsOpen    int
	AlertsDue     int
	TasksDue      int
	NPS           []NPSMonth
	CSAT          []CSATMonth
	CES           []CSATMonth // the same shape: the month's mean effort, 1 (easy) to 7
	Cohorts       []Cohort
	Health        [10]int // customers per health decile of the latest run
	Causes        []CauseMonth
	// Invitations sent and answered by the month they were sent; empty
	// for a business that only imports answers.
	Responses       []ResponseRate
	MainCurrency    string
	ScoredCustomers int
	Loyalty         LoyaltyFigures
}

// NPSMonth is a month of NPS answers.
type NPSMonth struct {
	Month                           time.Time
	Promoters, Passives, Detractors int
}

// Score is the month's NPS, −100…100.
func (m NPSMonth) Score() float64 {
	n := m.Promoters + m.Passives + m.Detractors
	if n == 0 {
		return 0
	}
	return 100 * float64(m.Promoters-m.Detractors) / float64(n)
}

// CSATMonth is a month of CSAT answers (1–5).
type CSATMonth struct {
	Month        time.Time
	Answers, Sum int
}

// Mean is the month's average CSAT, 0 when no answers.
func (m CSATMonth) Mean() float64 {
	if m.Answers == 0 {
		return 0
	}
	return float64(m.Sum) / float64(m.Answers)
}

// Cohort is the customers whose first order fell in a month, and how many
// of them ordered in each month since (Retained[0] = the cohort).
type Cohort struct {
	Month    time.Time
	Size     int
	Retained []int
}

// CauseMonth counts alerts by root cause in a month.
type CauseMonth struct {
	Month time.Time
	Cause string
	Count int
}

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

// Dashboard computes the dashboard as of now over the last 12 months.
func (db *DB) Dashboard(ctx context.Context, now time.Time) (*Dashboard, error) {
	d := &Dashboard{Revenue: map[string]int64{}, RevenueAtRisk: map[string]int64{}}
	yearAgo := now.AddDate(-1, 0, 0).UTC()
	start := monthOf(now).AddDate(0, -11, 0)
	scalar := func(q string, dst any, args ...any) error {
		if err := db.read.QueryRowContext(ctx, q, args...).Scan(dst); err != nil {
			return fmt.Errorf("store: dashboard: %w", err)
		}
		return nil
	}
	var buyers, repeaters int
	for _, s := range []struct {
		q    string
		dst  any
		args []any
	}{
		{`SELECT COUNT(*) FROM customers`, &d.Customers, nil},
		{`SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status <> 'cancelled' AND placed_at >= $1`, &d.Active, []any{yearAgo}},
		{`SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status <> 'cancelled'`, &buyers, nil},
		{`SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE status <> 'cancelled' GROUP BY customer_id HAVING COUNT(*) > 1) r`, &repeaters, nil},
		{`SELECT COUNT(*) FROM alerts WHERE status = 'open'`, &d.AlertsOpen, nil},
		{`SELECT COUNT(*) FROM alerts WHERE status = 'open' AND due_at <= $1`, &d.AlertsDue, []any{now.UTC()}},
		{`SELECT COUNT(*) FROM tasks WHERE status = 'open' AND due_at <= $1`, &d.TasksDue, []any{now.Add(24 * time.Hour).UTC()}},
	} {
		if err := scalar(s.q, s.dst, s.args...); err != nil {
			return nil, err
		}
	}
	if buyers > 0 {
		d.RepeatRate = float64(repeaters) / float64(buyers)
	}
	if err := db.sums(ctx, `SELECT currency, SUM(total_minor) FROM orders WHERE status <> 'cancelled' AND placed_at >= $1 GROUP BY currency`, d.Revenue, yearAgo); err != nil {
		return nil, err
	}
	// At risk is one definition (docs/analytics.md): the latest run's
	// stage. Each customer is one row there, so their value counts once, in
	// their currency.
	if err := db.atRisk(ctx, d); err != nil {
		return nil, err
	}
	for c, v := range d.Revenue {
		if d.MainCurrency == "" || v > d.Revenue[d.MainCurrency] {
			d.MainCurrency = c
		}
	}
	// NPS, CSAT and CES by month, in one pass over the year's answers.
	nps, means := map[time.Time]*NPSMonth{}, map[string]map[time.Time]*CSATMonth{"csat": {}, "ces": {}}
	var kind string
	var at nullTime
	var score int
	err := db.eachRow(ctx, `SELECT kind, responded_at, score FROM survey_responses WHERE kind IN ('nps', 'csat', 'ces') AND responded_at >= $1`,
		[]any{start}, []any{&kind, &at, &score}, func() {
			m := monthOf(at.T)
			if byMonth, ok := means[kind]; ok {
				if byMonth[m] == nil {
					byMonth[m] = &CSATMonth{Month: m}
				}
				byMonth[m].Answers++
				byMonth[m].Sum += score
				return
			}
			if nps[m] == nil {
				nps[m] = &NPSMonth{Month: m}
			}
			switch {
			case score >= 9:
				nps[m].Promoters++
			case score >= 7:
				nps[m].Passives++
			default:
				nps[m].Detractors++
			}
		})
	if err != nil {
		return nil, err
	}
	for m := start; !m.After(monthOf(now)); m = m.AddDate(0, 1, 0) {
		n, c, e := NPSMonth{Month: m}, CSATMonth{Month: m}, CSATMonth{Month: m}
		if v := nps[m]; v != nil {
			n = *v
		}
		if v := means["csat"][m]; v != nil {
			c = *v
		}
		if v := means["ces"][m]; v != nil {
			e = *v
		}
		d.NPS, d.CSAT, d.CES = append(d.NPS, n), append(d.CSAT, c), append(d.CES, e)
	}
	if d.Responses, err = db.responseRates(ctx, start, now); err != nil {
		return nil, err
	}
	if err := db.cohorts(ctx, d, start, now); err != nil {
		return nil, err
	}
	// Health deciles of the latest run, from its narrow copy.
	var h float64
	err = db.eachRow(ctx, `SELECT health FROM customer_list_scores WHERE run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done')`,
		nil, []any{&h}, func() {
			d.Health[min(9, max(0, int(h/10)))]++
			d.ScoredCustomers++
		})
	if err != nil {
		return nil, err
	}
	// Dissatisfaction by root cause and by the month its signal happened:
	// customers, each counted once per cause and month, as the list the
	// cell opens (CustomerFilter.Cause with CauseMonth) counts them.
	type monthCause struct {
		month time.Time
		cause string
	}
	causes := map[monthCause]int{}
	seen := map[monthCause]map[int64]bool{}
	var cause string
	var customer int64
	err = db.eachRow(ctx, `SELECT customer_id, signal_at, root_cause FROM alerts WHERE type = 'risk' AND root_cause <> '' AND signal_at >= $1`,
		[]any{start.AddDate(0, 6, 0)}, []any{&customer, &at, &cause}, func() {
			k := monthCause{monthOf(at.T), cause}
			if seen[k] == nil {
				seen[k] = map[int64]bool{}
			}
			if !seen[k][customer] {
				seen[k][customer] = true
				causes[k]++
			}
		})
	if err != nil {
		return nil, err
	}
	for k, n := range causes {
		d.Causes = append(d.Causes, CauseMonth{Month: k.month, Cause: k.cause, Count: n})
	}
	if d.Loyalty, err = db.LoyaltyFigures(ctx, now); err != nil {
		return nil, err
	}
	return d, nil
}

// eachRow runs q and calls fn after scanning each row into dest.
func (db *DB) eachRow(ctx context.Context, q string, args, dest []any, fn func()) error {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: dashboard: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: dashboard: %w", err)
		}
		fn()
	}
	return rows.Err()
}

func (db *DB) sums(ctx context.Context, q string, into map[string]int64, args ...any) error {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: dashboard: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var v int64
		if err := rows.Scan(&c, &v); err != nil {
			return err
		}
		into[c] = v
	}
	return rows.Err()
}

// atRisk fills the count and value of the customers at risk.
func (db *DB) atRisk(ctx context.Context, d *Dashboard) error {
	var cur string
	var n int
	var clv float64
	return db.eachRow(ctx, `SELECT currency, COUNT(*), SUM(clv) FROM customer_list_scores
		WHERE run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done') AND stage = $1 GROUP BY currency`,
		[]any{retain.StageAtRisk}, []any{&cur, &n, &clv}, func() {
			d.AtRisk += n
			d.RevenueAtRisk[cur] += int64(math.Round(clv * retain.MinorPerUnit(cur))) // CLV is in major units
		})
}

// cohorts fills monthly cohort retention for the last 12 months.
func (db *DB) cohorts(ctx context.Context, d *Dashboard, start, now time.Time) error {
	rows, err := db.read.QueryContext(ctx, `SELECT o.customer_id, o.placed_at, f.first FROM orders o
		JOIN (SELECT customer_id, MIN(placed_at) AS first FROM orders WHERE status <> 'cancelled' GROUP BY customer_id) f ON f.customer_id = o.customer_id
		WHERE o.status <> 'cancelled' AND f.first >= $1`, start)
	if err != nil {
		return fmt.Errorf("store: cohorts: %w", err)
	}
	defer rows.Close()
	type key struct {
		cohort time.Time
		k      int
	}
	seen := map[key]map[int64]bool{}
	for rows.Next() {
		var id int64
		var at, first nullTime
		if err := rows.Scan(&id, &at, &first); err != nil {
			return err
		}
		c := monthOf(first.T)
		m := monthOf(at.T)
		k := (m.Year()-c.Year())*12 + int(m.Month()-c.Month())
		kk := key{c, k}
		if seen[kk] == nil {
			seen[kk] = map[int64]bool{}
		}
		seen[kk][id] = true
	}
	for c := start; !c.After(monthOf(now)); c = c.AddDate(0, 1, 0) {
		co := Cohort{Month: c, Size: len(seen[key{c, 0}])}
		months := (monthOf(now).Year()-c.Year())*12 + int(monthOf(now).Month()-c.Month())
		for k := 0; k <= months; k++ {
			co.Retained = append(co.Retained, len(seen[key{c, k}]))
		}
		d.Cohorts = append(d.Cohorts, co)
	}
	return rows.Err()
}

const dashboardKey = "dashboard.cache"

// RefreshDashboard computes the dashboard's aggregates and stores them:
// serve does it every few minutes, so the page reads one row instead of
// scanning millions of orders.
func (db *DB) RefreshDashboard(ctx context.Context) error {
	now := db.Now()
	d, err := db.Dashboard(ctx, now)
	if err != nil {
		return err
	}
	return db.SaveDashboard(ctx, d, now)
}

// CachedDashboard is a dashboard computed earlier, with when.
type CachedDashboard struct {
	At time.Time
	*Dashboard
}

// SaveDashboard stores a computed dashboard for the UI to read.
func (db *DB) SaveDashboard(ctx context.Context, d *Dashboard, at time.Time) error {
	b, err := json.Marshal(CachedDashboard{At: at.UTC(), Dashboard: d})
	if err != nil {
		return err
	}
	return db.SetSetting(ctx, dashboardKey, string(b))
}

// LoadDashboard reads the stored dashboard; ok is false when there is none.
func (db *DB) LoadDashboard(ctx context.Context) (CachedDashboard, bool, error) {
	v, ok, err := db.Setting(ctx, dashboardKey)
	if err != nil || !ok {
		return CachedDashboard{}, false, err
	}
	var c CachedDashboard
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, false, nil // an older shape: recompute
	}
	return c, c.Dashboard != nil, nil
}
