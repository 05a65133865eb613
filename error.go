package retain

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. Each maps to exactly one HTTP status in internal/httpapi/error.go
// and to one exit status in internal/cli.
const (
	EINVALID      = "invalid"      // bad input; Fields says where
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials fine, action not allowed
	ENOTFOUND     = "not_found"    // no such object (or not visible to the caller)
	ECONFLICT     = "conflict"     // state conflict, e.g. an idempotency key still in flight
	ETOOLARGE     = "too_large"    // a body or batch over its limit
	EMISMATCH     = "mismatch"     // e.g. schema version or idempotency key reused with another body
	ERATELIMIT    = "rate_limited" // slow down
	EUNAVAILABLE  = "unavailable"  // backpressure or shutdown; retry later
	EINTERNAL     = "internal"     // a bug or an infrastructure failure
)

// Error is Retain's error. Message is safe to show to the caller; Fields maps
// a field path (for example "events[3].order.total") to what is wrong with it,
// as a code a UI says in its reader's language and as English text.
type Error struct {
	Code    string
	Message string
	Fields  Problems
	Err     error // underlying cause, never shown to API clients
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		for i, k := range e.Fields.Fields() {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			b.WriteString(k + ": " + e.Fields[k].Text)
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one field.
func FieldError(field, format string, args ...any) *Error {
	p := Problems{}
	p.Add(field, format, args...)
	return p.Err().(*Error)
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// HTTPStatus is the one mapping from error codes to HTTP statuses, used by
// the API and the web UI alike. (Numbers, not net/http's names: this
// package imports no infrastructure.)
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return 400
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case ETOOLARGE:
		return 413
	case EMISMATCH:
		return 422
	case ERATELIMIT:
		return 429
	case EUNAVAILABLE:
		return 503
	}
	return 500
}

// Problems collects field errors while a value is validated, so that a caller
// learns about every bad field at once, not one per attempt.
type Problems map[string]Reason

// Add records a problem with field unless one is already recorded. A
// format Retain knows (reasonCodes) gives the problem its code; "%v" or
// "%s" of an error that is a *Reason keeps that reason.
func (p Problems) Add(field, format string, args ...any) {
	if _, ok := p[field]; ok {
		return
	}
	if len(args) == 1 && (format == "%v" || format == "%s") {
		switch a := args[0].(type) {
		case error:
			p[field] = ReasonOf(a)
			return
		case Reason:
			p[field] = a
			return
		case string:
			p[field] = Reason{Code: reasonCodes[a], Text: a}
			return
		}
	}
	p[field] = *Because(reasonCodes[format], format, args...)
}

// Fields are the fields with a problem, in order, for saying the
// problems one after another the same way everywhere.
func (p Problems) Fields() []string {
	fields := make([]string, 0, len(p))
	for f := range p {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return fields
}

// Merge copies q's problems into p, each field prefixed with prefix.
func (p Problems) Merge(prefix string, q Problems) {
	for k, v := range q {
		if _, ok := p[prefix+k]; !ok {
			p[prefix+k] = v
		}
	}
}

// Err returns nil when there are no problems and an EINVALID *Error otherwise.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "invalid input", Fields: p}
}
