// Package analytics holds Retain's customer-base models as pure functions
// over plain slices: the RFM summary, BG/NBD, MBG/NBD and Pareto/NBD for
// purchase counts and survival, Gamma-Gamma for spend, CLV, the expected
// next-order date, the purchase-rhythm monitor and the health score. It does
// no I/O and imports only the root package and gonum (deps_test.go).
//
// The formulas are the published ones (docs/analytics.md names the papers),
// checked against the CDNOW results in testdata/cdnow. Section and pitfall
// numbers in comments (§4.2, P5…) are those of the team's analytics notes,
// which are not part of this repository.
// Times are in the caller's unit (days or weeks); every fitted model records
// its unit, and horizons are converted into it by the caller.
package analytics
