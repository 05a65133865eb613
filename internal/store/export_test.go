package store

import "context"

// SetStagePathRows sets how deep the stage filter's fast path serves (0:
// never) and returns the function that restores it.
func SetStagePathRows(n int) (restore func()) {
	old := stagePathRows
	stagePathRows = n
	return func() { stagePathRows = old }
}

// ScoreRowsForTest counts a score table's rows and lists the runs they
// belong to, oldest first.
func (db *DB) ScoreRowsForTest(ctx context.Context, table string) (int, []int64, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		return 0, nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT run_id FROM `+table+` ORDER BY run_id`)
	if err != nil {
		return 0, nil, err
	}
	ids, err := scanIDs(rows)
	return n, ids, err
}

// MigrateToForTest applies the migrations up to version last.
func (db *DB) MigrateToForTest(ctx context.Context, last int) error {
	_, err := db.migrateTo(ctx, last)
	return err
}

// ExecForTest runs a statement on the write connection.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, q, args...)
	return err
}

// QueryIntForTest reads one integer.
func (db *DB) QueryIntForTest(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}
