// Package core holds Retain's business workflows: what happens between the
// store and the edges (CLI, API, scheduler). Scoring lives here: it reads the
// order history from the store, runs the pure models of internal/analytics
// and writes a scoring run back.
package core
