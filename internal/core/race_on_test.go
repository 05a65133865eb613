//go:build race

package core_test

// raceEnabled: the race detector is on, which makes the concurrency
// tests' work several times slower; they run a smaller load under it.
const raceEnabled = true
