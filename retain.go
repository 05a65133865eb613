// Package retain holds Retain's domain: the types every layer shares (customers,
// orders, tickets, survey responses, staff), their validation rules and the one
// error vocabulary. It is plain Go: it never imports database/sql, net/http or
// anything under internal/ (deps_test.go guards this), so every rule here can be
// used by the store, the importer, the API and the analytics alike.
package retain

// Version is the build's version, set with -ldflags "-X github.com/retainhq/retain.Version=…".
var Version = "dev"
