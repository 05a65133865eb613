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
