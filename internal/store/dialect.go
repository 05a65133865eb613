package store

import "strings"

// The statements that differ between SQLite and PostgreSQL, side by side.
const (
	qCountTables        = "count-tables"
	qHasMigrationsTable = "has-migrations-table"
	qEpochPlacedAt      = "epoch-placed-at"
)

var dialectSQL = map[Dialect]map[string]string{
	SQLite: {
		qCountTables:        `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
		qHasMigrationsTable: `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
		// Whole seconds: the driver's parsing of timestamp text was a fifth
		// of a 10M-order scoring read.
		qEpochPlacedAt: `unixepoch(o.placed_at)`,
	},
	Postgres: {
		qCountTables:        `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`,
		qHasMigrationsTable: `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`,
		qEpochPlacedAt:      `CAST(FLOOR(EXTRACT(EPOCH FROM o.placed_at)) AS BIGINT)`,
	},
}

// q returns the named dialect-specific statement.
func (db *DB) q(name string) string { return dialectSQL[db.dialect][name] }

// render fills the {now} placeholder: PostgreSQL needs the parameter's type
// spelled out where it cannot infer it (an INSERT … SELECT list); SQLite must
// not get a CAST, which would turn the timestamp text into a number.
func (db *DB) render(q string) (string, bool) {
	if !strings.Contains(q, "{now}") {
		return q, false
	}
	if db.dialect == Postgres {
		return strings.ReplaceAll(q, "{now}", "CAST($1 AS TIMESTAMPTZ)"), true
	}
	return strings.ReplaceAll(q, "{now}", "$1"), true
}
