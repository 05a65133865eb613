package store

// SetStagePathRows sets how deep the stage filter's fast path serves (0:
// never) and returns the function that restores it.
func SetStagePathRows(n int) (restore func()) {
	old := stagePathRows
	stagePathRows = n
	return func() { stagePathRows = old }
}
