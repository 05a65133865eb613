package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// CustomerFilter selects and orders customers for the UI's list.
type CustomerFilter struct {
	Query       string // name, email, phone or external id (prefix or substring)
	Segment     string
	Stage       string // lifecycle stage: the latest run's, else the declared one
	OwnerID     int64
	Scope       *OwnerScope // nil: everyone's
	AtRisk      bool        // in stage at_risk in the latest scoring run (docs/analytics.md)
	Unhappy     bool        // an open detractor, low CSAT, complaint, return, chargeback or refusal alert
	Promoters   bool        // latest NPS answer 9 or 10
	New         bool        // first order within 30 days
	HealthMin   float64
	HealthMax   float64 // 0: no upper bound
	PAliveMin   float64
	PAliveMax   float64
	Cohort      string // first-order month, YYYY-MM
	Cause       string // an open alert with this root cause
	CauseMonth  string // with Cause: a risk alert of that cause whose signal fell in this month (YYYY-MM, UTC), open or not
	Survey      string // nps or csat: answered that survey in SurveyMonth
	SurveyMonth string // YYYY-MM
	Sort        string // name, health, -health, clv, -clv, last_order, -last_order
	Page, Size  int    // from 1
}

// CustomerRow is a line of the list.
type CustomerRow struct {
	ID          int64
	ExternalID  string
	Name        string
	Email       string
	Phone       string
	Owner       string
	Segment     string
	Stage       string
	Health      float64
	PAlive      float64
	CLV         float64
	Currency    string
	Scored      bool
	LastOrderAt time.Time
	OpenAlerts  int
}

var unhappyReasons = `('detractor', 'low_csat', 'high_effort', 'complaint', 'return', 'chargeback', 'refused', 'late_delivery')`

// CountCap is where Customers stops counting matches.
const CountCap = 10000

// MaxPage is the last page the customer list shows: 50 million customers
// at the largest page size.
const MaxPage = 100_000

// phoneDigits is q's digits without a leading trunk 0 when q looks like a
// phone number (digits, spaces, +, -, parentheses), "" otherwise.
func phoneDigits(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-()", r):
		default:
			return ""
		}
	}
	return strings.TrimLeft(b.String(), "0")
}

// Customers lists one page of customers and how many match (CountCap+1
// meaning "more than CountCap").
func (db *DB) Customers(ctx context.Context, f CustomerFilter) ([]CustomerRow, int, error) {
	// A page past any real list (an offset that would overflow) is an
	// empty page, and the search text is what can be searched for: no NUL
	// (PostgreSQL refuses it in text) and valid UTF-8.
	f.Page = min(max(f.Page, 1), MaxPage)
	f.Query = strings.ToValidUTF8(strings.ReplaceAll(f.Query, "\x00", ""), "")
	where, args := []string{"1 = 1"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(retain.LatinDigits(f.Query)); q != "" {
		p := arg("%" + strings.ToLower(q) + "%")
		conds := []string{"LOWER(c.name) LIKE " + p, "LOWER(c.email) LIKE " + p, "c.phone LIKE " + p, "LOWER(c.external_id) LIKE " + p,
			// An order number as the customer reads it off their receipt, with
			// or without its "#", in any case: the order ids' unique index
			// finds it, whatever the size of the list.
			"{cid} IN (SELECT o.customer_id FROM orders o WHERE o.external_id IN (" + arg(q) + ", " + arg(strings.TrimPrefix(q, "#")) + ", " +
				arg(strings.ToUpper(strings.TrimPrefix(q, "#"))) + "))"}
		// A phone number as people write it (01711-000000, ০১৭১১ ০০০০০০):
		// its digits without the trunk 0 appear in the stored +8801711000000.
		if d := phoneDigits(q); len(d) >= 6 {
			conds = append(conds, "c.phone LIKE "+arg("%"+d+"%"))
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
	}
	if f.Segment != "" {
		where = append(where, "s.segment = "+arg(f.Segment))
	}
	if f.OwnerID != 0 {
		where = append(where, "c.owner_id = "+arg(f.OwnerID))
	}
	if f.Scope != nil {
		where = append(where, f.Scope.where("c.owner_id"))
	}
	if f.AtRisk {
		where = append(where, "s.stage = "+arg(retain.StageAtRisk))
	}
	if f.Unhappy {
		where = append(where, "EXISTS (SELECT 1 FROM alerts a WHERE a.customer_id = {cid} AND a.reason IN "+unhappyReasons+" AND a.status <> 'resolved')")
	}
	if m, err := time.Parse("2006-01", f.CauseMonth); f.Cause != "" && f.CauseMonth != "" && err == nil {
		where = append(where, "EXISTS (SELECT 1 FROM alerts a WHERE a.customer_id = {cid} AND a.type = 'risk' AND a.root_cause = "+arg(f.Cause)+
			" AND a.signal_at >= "+arg(m)+" AND a.signal_at < "+arg(m.AddDate(0, 1, 0))+")")
	} else if f.Cause != "" {
		where = append(where, "EXISTS (SELECT 1 FROM alerts a WHERE a.customer_id = {cid} AND a.root_cause = "+arg(f.Cause)+" AND a.status <> 'resolved')")
	}
	if f.Promoters {
		where = append(where, `(SELECT r.score FROM survey_responses r WHERE r.customer_id = {cid} AND r.kind = 'nps' ORDER BY r.responded_at DESC LIMIT 1) >= 9`)
	}
	if f.New {
		where = append(where, "(SELECT MIN(o.placed_at) FROM orders o WHERE o.customer_id = {cid} AND o.status <> 'cancelled') >= "+arg(db.Now().AddDate(0, 0, -30).UTC()))
	}
	if f.HealthMin > 0 {
		where = append(where, "s.health >= "+arg(f.HealthMin))
	}
	if f.HealthMax > 0 {
		where = append(where, "s.health < "+arg(f.HealthMax))
	}
	if f.PAliveMin > 0 {
		where = append(where, "s.p_alive >= "+arg(f.PAliveMin))
	}
	if f.PAliveMax > 0 {
		where = append(where, "s.p_alive < "+arg(f.PAliveMax))
	}
	if t, err := time.Parse("2006-01", f.SurveyMonth); err == nil && (f.Survey == "nps" || f.Survey == "csat") {
		where = append(where, "EXISTS (SELECT 1 FROM survey_responses r WHERE r.customer_id = {cid} AND r.kind = "+arg(f.Survey)+
			" AND r.responded_at >= "+arg(t)+" AND r.responded_at < "+arg(t.AddDate(0, 1, 0))+")")
	}
	if f.Cohort != "" {
		if t, err := time.Parse("2006-01", f.Cohort); err == nil {
			// First order in the month: none before it, one in it.
			where = append(where, "NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = {cid} AND o.status <> 'cancelled' AND o.placed_at < "+arg(t)+")"+
				" AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = {cid} AND o.status <> 'cancelled' AND o.placed_at < "+arg(t.AddDate(0, 1, 0))+")")
		}
	}
	order := map[string]string{"name": "c.name, {cid}", "health": "s.health, {cid}", "-health": "s.health DESC, {cid}", "clv": "s.clv, {cid}",
		"-clv": "s.clv DESC, {cid}", "last_order": "last_order, {cid}", "-last_order": "last_order DESC, {cid}"}[f.Sort]
	if order == "" {
		order = "{cid} DESC" // the default, "newest first": the customers added last
	}
	if f.Size <= 0 || f.Size > 500 {
		f.Size = 50
	}
	// When a score filter is set and nothing needs the customer row to
	// choose the page, pick the page from the narrow score table first and
	// read the 50 customers after: far fewer row lookups.
	// (An owner scope names the customer row's owner: not fast.)
	byScore := f.Segment != "" || f.AtRisk || f.HealthMin > 0 || f.HealthMax > 0 || f.PAliveMin > 0 || f.PAliveMax > 0
	fast := f.Query == "" && f.OwnerID == 0 && (f.Scope == nil || f.Scope.All) && f.Sort != "name" && f.Sort != "last_order" && f.Sort != "-last_order"
	switch {
	case fast && f.Stage != "" && f.Page*f.Size <= stagePathRows:
		return db.customersByStage(ctx, where, args, order, f, byScore)
	case fast && byScore && f.Stage == "":
		return db.customersByScore(ctx, where, args, order, f)
	case f.Stage != "":
		where = append(where, effectiveStage+" = "+arg(f.Stage))
	}
	// Conditions name the customer as {cid}: c.id here, s.customer_id on
	// the fast path.
	for i := range where {
		where[i] = strings.ReplaceAll(where[i], "{cid}", "c.id")
	}
	// An unscored customer sorts as health and CLV 0 on every database
	// (PostgreSQL puts NULLs first in a descending sort, SQLite last).
	order = strings.NewReplacer("{cid}", "c.id", "s.health", "COALESCE(s.health, 0)", "s.clv", "COALESCE(s.clv, 0)").Replace(order)
	from := `FROM customers c
		LEFT JOIN customer_list_scores s ON s.customer_id = c.id AND s.run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done')
		LEFT JOIN staff st ON st.id = c.owner_id
		WHERE ` + strings.Join(where, " AND ")
	// The count stops at CountCap: counting every match of a broad filter
	// over a million customers costs more than the page itself.
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 `+from+` LIMIT `+fmt.Sprint(CountCap+1)+`) n`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: customers: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+rowColumns+` `+from+` ORDER BY `+order+` LIMIT `+arg(f.Size)+` OFFSET `+arg((f.Page-1)*f.Size), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	out, err := scanCustomerRows(rows)
	return out, total, err
}

// effectiveStage is a customer's lifecycle stage over c and s: the latest
// scoring run's, or the declared one for a customer it did not score (a
// prospect, or one added since).
const effectiveStage = `COALESCE(NULLIF(s.stage, ''), c.stage)`

// rowColumns are the list's columns over c (customers), s (scores) and st (owner).
const rowColumns = `c.id, c.external_id, c.name, c.email, c.phone, COALESCE(st.name, ''), COALESCE(s.segment, ''), ` + effectiveStage + `,
	COALESCE(s.health, 0), COALESCE(s.p_alive, 0), COALESCE(s.clv, 0), COALESCE(s.currency, ''), s.customer_id IS NOT NULL,
	(SELECT MAX(o.placed_at) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled') AS last_order,
	(SELECT COUNT(*) FROM alerts a WHERE a.customer_id = c.id AND a.status <> 'resolved')`

// customersByScore is Customers' fast path: the conditions refer to the
// customer as s.customer_id and are met from the narrow score table alone.
func (db *DB) customersByScore(ctx context.Context, where []string, args []any, order string, f CustomerFilter) ([]CustomerRow, int, error) {
	cond := strings.ReplaceAll(strings.Join(where, " AND "), "{cid}", "s.customer_id")
	order = strings.ReplaceAll(order, "{cid}", "s.customer_id")
	const latest = `(SELECT MAX(id) FROM scoring_runs WHERE status = 'done')`
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM customer_list_scores s WHERE s.run_id = `+latest+` AND `+cond+
		` LIMIT `+fmt.Sprint(CountCap+1)+`) n`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: customers: %w", err)
	}
	n := len(args)
	args = append(args, f.Size, (f.Page-1)*f.Size)
	// The page's score rows come whole out of the subquery (named s, as
	// rowColumns expects), so the customers are looked up by id for those
	// 50 alone: joining the score table again let SQLite walk all of the
	// run's million rows to find them (715 ms at 1M customers).
	rows, err := db.read.QueryContext(ctx, `SELECT `+rowColumns+` FROM
		(SELECT s.* FROM customer_list_scores s WHERE s.run_id = `+latest+` AND `+cond+` ORDER BY `+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2)+`) s
		JOIN customers c ON c.id = s.customer_id LEFT JOIN staff st ON st.id = c.owner_id
		ORDER BY `+order, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	out, err := scanCustomerRows(rows)
	return out, total, err
}

// stagePathRows bounds the pages the stage filter's fast path serves: it
// reads that many rows from each of its two parts and merges them. (A
// variable for the test that checks the path against the joined one.)
var stagePathRows = 5000

// customersByStage is the stage filter's fast path. A customer's stage is
// the latest run's or, for one it did not score, the declared one, so the
// list is two lists: the run's customers in the stage (the score table's
// stage index, however many customers there are) and the customers it did
// not score whose declared stage it is (the customers' stage index: those
// added since the run, and prospects, whom no run scores). Each gives its
// first page×size rows in the page's order, merged here. Score conditions
// (byScore) leave the second list out: an unscored customer meets none.
func (db *DB) customersByStage(ctx context.Context, where []string, args []any, order string, f CustomerFilter, byScore bool) ([]CustomerRow, int, error) {
	top := f
	top.Page, top.Size = 1, f.Page*f.Size
	n := len(args)
	scored, total, err := db.customersByScore(ctx, append(slices.Clone(where), fmt.Sprintf("s.stage = $%d", n+1)), append(slices.Clone(args), f.Stage), order, top)
	if err != nil {
		return nil, 0, err
	}
	var declared []CustomerRow
	if !byScore {
		cond := strings.ReplaceAll(strings.Join(where, " AND "), "{cid}", "c.id")
		from := `FROM customers c
			LEFT JOIN customer_list_scores s ON s.customer_id = c.id AND s.run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'done')
			LEFT JOIN staff st ON st.id = c.owner_id
			WHERE c.stage = ` + fmt.Sprintf("$%d", n+1) + ` AND (s.customer_id IS NULL OR s.stage = '') AND ` + cond
		args := append(slices.Clone(args), f.Stage)
		var more int
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 `+from+` LIMIT `+fmt.Sprint(CountCap+1)+`) n`, args...).Scan(&more); err != nil {
			return nil, 0, fmt.Errorf("store: customers: %w", err)
		}
		total = min(total+more, CountCap+1)
		// Unscored rows sort as health and CLV 0, ties by id: first, by id,
		// in an ascending sort; last, by id, in a descending one.
		dir := "ASC"
		if f.Sort == "" {
			dir = "DESC"
		}
		rows, err := db.read.QueryContext(ctx, `SELECT `+rowColumns+` `+from+` ORDER BY c.id `+dir+fmt.Sprintf(` LIMIT %d`, top.Size), args...)
		if err != nil {
			return nil, 0, fmt.Errorf("store: customers: %w", err)
		}
		defer rows.Close()
		if declared, err = scanCustomerRows(rows); err != nil {
			return nil, 0, err
		}
	}
	all := append(scored, declared...)
	slices.SortStableFunc(all, listOrder(f.Sort))
	from, to := min((f.Page-1)*f.Size, len(all)), min(f.Page*f.Size, len(all))
	return all[from:to], total, nil
}

// listOrder compares two rows as the list's ORDER BY for sort does (health
// and CLV of an unscored row are 0; ties by id).
func listOrder(sort string) func(a, b CustomerRow) int {
	return func(a, b CustomerRow) int {
		switch sort {
		case "health":
			return cmp.Or(cmp.Compare(a.Health, b.Health), cmp.Compare(a.ID, b.ID))
		case "-health":
			return cmp.Or(cmp.Compare(b.Health, a.Health), cmp.Compare(a.ID, b.ID))
		case "clv":
			return cmp.Or(cmp.Compare(a.CLV, b.CLV), cmp.Compare(a.ID, b.ID))
		case "-clv":
			return cmp.Or(cmp.Compare(b.CLV, a.CLV), cmp.Compare(a.ID, b.ID))
		}
		return cmp.Compare(b.ID, a.ID) // newest first
	}
}

func scanCustomerRows(rows *sql.Rows) ([]CustomerRow, error) {
	var out []CustomerRow
	for rows.Next() {
		var r CustomerRow
		var last nullTime
		if err := rows.Scan(&r.ID, &r.ExternalID, &r.Name, &r.Email, &r.Phone, &r.Owner, &r.Segment, &r.Stage, &r.Health, &r.PAlive, &r.CLV, &r.Currency,
			&r.Scored, &last, &r.OpenAlerts); err != nil {
			return nil, fmt.Errorf("store: customers: %w", err)
		}
		r.LastOrderAt = last.T
		out = append(out, r)
	}
	return out, rows.Err()
}
