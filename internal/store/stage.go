package store

import (
	"context"
	"fmt"
	"strings"
)

// Staging: a batch is first loaded into temporary tables (COPY on PostgreSQL,
// multi-row INSERT on SQLite; see loadStage), then merged into the real
// tables with set-based SQL that is the same on both databases. The merge
// resolves external ids to row ids with joins, so a batch of 10,000 rows
// costs a handful of statements rather than 10,000 round trips.

type stageCol struct{ name, typ string }

type stageTable struct {
	name string
	cols []stageCol
}

func (s stageTable) colNames() []string {
	out := make([]string, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.name
	}
	return out
}

func (s stageTable) ddl() string {
	parts := make([]string, len(s.cols))
	for i, c := range s.cols {
		parts[i] = c.name + " " + c.typ
	}
	return "CREATE TEMP TABLE IF NOT EXISTS " + s.name + " (" + strings.Join(parts, ", ") + ")"
}

func cols(spec string) []stageCol {
	var out []stageCol
	for _, f := range strings.Split(spec, ",") {
		name, typ, _ := strings.Cut(strings.TrimSpace(f), " ")
		out = append(out, stageCol{name, typ})
	}
	return out
}

// Column types are written once for both engines: SQLite accepts any type
// name, and only stores what it is given.
var (
	stStaff   = stageTable{"stage_staff", cols("ref BIGINT, external_id TEXT, name TEXT, email TEXT, role TEXT, team TEXT, can_login BOOLEAN, locale TEXT")}
	stCust    = stageTable{"stage_customers", cols("ref BIGINT, external_id TEXT, name TEXT, email TEXT, phone TEXT, locale TEXT, time_zone TEXT, stage TEXT, owner_ext TEXT, attributes JSONB, first_seen_at TIMESTAMPTZ")}
	stCons    = stageTable{"stage_consents", cols("customer_ext TEXT, channel TEXT, purpose TEXT, granted BOOLEAN, source TEXT, at TIMESTAMPTZ")}
	stProd    = stageTable{"stage_products", cols("external_id TEXT, name TEXT, category TEXT")}
	stOrder   = stageTable{"stage_orders", cols("ref BIGINT, external_id TEXT, customer_ext TEXT, status TEXT, channel TEXT, currency TEXT, total_minor BIGINT, lines_total BOOLEAN, placed_at TIMESTAMPTZ, expected_delivery_at TIMESTAMPTZ")}
	stLine    = stageTable{"stage_lines", cols("ref BIGINT, external_id TEXT, order_ext TEXT, product_ext TEXT, name TEXT, quantity BIGINT, unit_price_minor BIGINT, total_minor BIGINT")}
	stOEv     = stageTable{"stage_order_events", cols("ref BIGINT, external_id TEXT, order_ext TEXT, type TEXT, reason TEXT, amount_minor BIGINT, occurred_at TIMESTAMPTZ, staff_ext TEXT, tracking_url TEXT, rider_phone TEXT")}
	stTick    = stageTable{"stage_tickets", cols("ref BIGINT, external_id TEXT, customer_ext TEXT, channel TEXT, subject TEXT, body TEXT, status TEXT, priority TEXT, assignee_ext TEXT, root_cause TEXT, opened_at TIMESTAMPTZ, first_response_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, tags TEXT, team TEXT, order_ext TEXT")}
	stTickMsg = stageTable{"stage_ticket_messages", cols("ref BIGINT, external_id TEXT, ticket_ext TEXT, author TEXT, staff_ext TEXT, channel TEXT, body TEXT, sent_at TIMESTAMPTZ, deliver BOOLEAN")}
	stSurv    = stageTable{"stage_surveys", cols("ref BIGINT, external_id TEXT, customer_ext TEXT, kind TEXT, score BIGINT, comment TEXT, staff_ext TEXT, order_ext TEXT, ticket_ext TEXT, responded_at TIMESTAMPTZ")}
	stSubs    = stageTable{"stage_subscriptions", cols("ref BIGINT, external_id TEXT, customer_ext TEXT, plan TEXT, status TEXT, currency TEXT, value_minor BIGINT, interval TEXT, started_at TIMESTAMPTZ, renews_at TIMESTAMPTZ")}
	stInter   = stageTable{"stage_interactions", cols("ref BIGINT, external_id TEXT, customer_ext TEXT, staff_ext TEXT, kind TEXT, direction TEXT, summary TEXT, occurred_at TIMESTAMPTZ")}

	// Filled by the merge itself (change log, timers), not by the stager.
	stChanged = stageTable{"stage_changed", cols("kind TEXT, subject_id BIGINT")}
	stTimers  = stageTable{"stage_timers", cols("kind TEXT, key TEXT, subject_ext TEXT, due_at TIMESTAMPTZ")}

	stageTables = []stageTable{stStaff, stCust, stCons, stProd, stOrder, stLine, stOEv, stTick, stTickMsg, stSurv, stSubs, stInter, stChanged, stTimers}
)

// prepareStage creates the staging tables on this connection if needed and
// empties them.
func (tx *Tx) prepareStage(ctx context.Context) error {
	for _, s := range stageTables {
		if _, err := tx.exec(ctx, s.ddl()); err != nil {
			return fmt.Errorf("store: create %s: %w", s.name, err)
		}
		if _, err := tx.exec(ctx, "DELETE FROM "+s.name); err != nil {
			return fmt.Errorf("store: clear %s: %w", s.name, err)
		}
	}
	return nil
}

// loadStage fills a staging table with rows.
func (tx *Tx) loadStage(ctx context.Context, s stageTable, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var err error
	if tx.db.dialect == Postgres {
		err = tx.copyFrom(ctx, s.name, s.colNames(), rows)
	} else {
		err = tx.insertRows(ctx, s, rows)
	}
	if err != nil {
		return fmt.Errorf("store: stage %s: %w", s.name, err)
	}
	return nil
}

// insertRows loads rows with multi-row INSERTs of stageChunk rows, one
// prepared statement reused for every full chunk: far cheaper per row than
// one INSERT each, and cheaper than one giant statement, which SQLite must
// parse anew. It writes anonymous ? placeholders: SQLite looks $N names up by
// a linear search, which made a 30,000-parameter statement quadratic.
func (tx *Tx) insertRows(ctx context.Context, s stageTable, rows [][]any) error {
	n := len(s.cols)
	full := min(stageChunk, len(rows))
	stmt, err := tx.tx.PrepareContext(ctx, insertSQL(s, full))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, full*n)
	for start := 0; start < len(rows); start += full {
		end := min(start+full, len(rows))
		args = args[:0]
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		if end-start == full {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.exec(ctx, insertSQL(s, end-start), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stageChunk is the rows per staging INSERT; 256 measured fastest among 64,
// 256, 1024 and "all at once" on the import benchmark.
const stageChunk = 256

func insertSQL(s stageTable, rows int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + s.name + " (" + strings.Join(s.colNames(), ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(s.cols)), ",") + ")"
	for i := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(row)
	}
	return sb.String()
}

// set is one "column = expression" of a merge UPDATE.
type set struct{ col, expr string }

// updateFrom builds "UPDATE table SET … FROM stage s WHERE key match AND
// something changed". Each expression reads the staged row as s and the
// current row as the table's name; a row whose every expression equals the
// stored value is not touched, so re-importing a file changes nothing.
func updateFrom(table, stage, match string, sets []set, extraSet string) string {
	var sb strings.Builder
	sb.WriteString("UPDATE " + table + " SET ")
	for i, s := range sets {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(s.col + " = " + s.expr)
	}
	if extraSet != "" {
		sb.WriteString(", " + extraSet)
	}
	sb.WriteString(" FROM " + stage + " s WHERE " + match + " AND (")
	for i, s := range sets {
		if i > 0 {
			sb.WriteString(" OR ")
		}
		sb.WriteString("(" + s.expr + ") IS DISTINCT FROM " + table + "." + s.col)
	}
	sb.WriteString(")")
	return sb.String()
}
