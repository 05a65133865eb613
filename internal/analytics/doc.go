// Package analytics holds Retain's customer-base models as pure functions
// over plain slices: the RFM summary, BG/NBD, MBG/NBD and Pareto/NBD for
// purchase counts and survival, Gamma-Gamma for spend, CLV, the expected
// next-order date, the purchase-rhythm monitor and the health score. It does
// no I/O and imports only the root package and gonum (deps_test.go).
//
// The formulas, reference results and numerical traps are those of
// ../shared/docs/ANALYTICS.md; section numbers (§4.2, P5…) refer to it.
// Times are in the caller's unit (days or weeks); every fitted model records
// its unit, and horizons are converted into it by the caller.
package analytics
