package importer

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// fieldReader reads typed values out of one record's fields, collecting a
// problem per bad field instead of stopping at the first.
type fieldReader struct {
	f    map[string]string
	p    retain.Problems
	opts *Options
}

// newFieldReader reads a record's fields; a field that is no text (a NUL
// byte, invalid UTF-8) is a problem of the row from the start, so the row is
// rejected and the rest of its batch imported.
func newFieldReader(f map[string]string, opts *Options) *fieldReader {
	r := &fieldReader{f: f, p: retain.Problems{}, opts: opts}
	for name, v := range f {
		if why := retain.TextProblem(v); why != "" {
			r.p.Add(name, "%s", why)
		}
	}
	return r
}

func (r *fieldReader) str(name string) string { return r.f[name] }

func (r *fieldReader) required(name string) string {
	v := r.f[name]
	if v == "" {
		r.p.Add(name, "is required")
	}
	return v
}

func (r *fieldReader) time(name string, required bool) time.Time {
	v := r.f[name]
	if v == "" {
		if required {
			r.p.Add(name, "is required")
		}
		return time.Time{}
	}
	t, err := retain.ParseTime(v, r.opts.Location)
	if err != nil {
		r.p.Add(name, "%v", err)
	}
	return t
}

func (r *fieldReader) currency() string {
	v := r.f["currency"]
	if v == "" {
		v = r.opts.Currency
	}
	c, err := retain.NormalizeCurrency(v)
	if err != nil {
		r.p.Add("currency", "%v", err)
	}
	return c
}

// amount parses a money field in cur; ok is false when absent or bad.
func (r *fieldReader) amount(name, cur string) (int64, bool) {
	v := r.f[name]
	if v == "" || cur == "" {
		return 0, false
	}
	a, err := retain.ParseAmount(v, cur)
	if err != nil {
		r.p.Add(name, "%v", err)
		return 0, false
	}
	if a < 0 {
		r.p.Add(name, "must not be negative")
		return 0, false
	}
	return a, true
}

func (r *fieldReader) integer(name string, dflt int64) int64 {
	v := r.f[name]
	if v == "" {
		return dflt
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int64(f)) {
			return int64(f)
		}
		r.p.Add(name, "%q is not a whole number", v)
	}
	return n
}

func (r *fieldReader) email(name string) string {
	v := r.f[name]
	if v == "" {
		return ""
	}
	e, err := retain.NormalizeEmail(v)
	if err != nil {
		r.p.Add(name, "%v", err)
	}
	return e
}

func (r *fieldReader) phone(name string) string {
	v := r.f[name]
	if v == "" {
		return ""
	}
	ph, err := retain.NormalizePhone(v, r.opts.PhoneCountry)
	if err != nil {
		r.p.Add(name, "%v", err)
	}
	return ph
}

func (r *fieldReader) locale(name string) string {
	v := r.f[name]
	if v == "" {
		return ""
	}
	l, err := retain.NormalizeLocale(v)
	if err != nil {
		r.p.Add(name, "%v", err)
	}
	return l
}

// enum lower-cases a value and maps spaces and dashes to underscores, so
// "Out for delivery" reads as out_for_delivery.
func (r *fieldReader) enum(name, dflt string) string {
	v := r.f[name]
	if v == "" {
		return dflt
	}
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(v))
}

// consent reads yes/no style consent flags.
func (r *fieldReader) consent(name string, channel retain.Channel) (retain.Consent, bool) {
	v := strings.ToLower(r.f[name])
	switch v {
	case "":
		return retain.Consent{}, false
	case "yes", "y", "true", "1", "granted", "opt_in", "opt-in":
		return retain.Consent{Channel: channel, Purpose: retain.PurposeMarketing, Granted: true, Source: "import"}, true
	case "no", "n", "false", "0", "revoked", "opt_out", "opt-out":
		return retain.Consent{Channel: channel, Purpose: retain.PurposeMarketing, Granted: false, Source: "import"}, true
	}
	r.p.Add(name, "%q is not yes or no", r.f[name])
	return retain.Consent{}, false
}

// check adds the problems a model's Validate found, except those about a
// field the reader has already refused: a quantity of "two" is one
// problem ("quantity: "two" is not a whole number"), not also the line's
// "lines[0].quantity: must be a positive whole number".
func (r *fieldReader) check(model retain.Problems) {
	for k, v := range model {
		name := k[strings.LastIndex(k, ".")+1:]
		if _, said := r.p[name]; said {
			continue
		}
		r.p.Add(k, "%s", v)
	}
}

// rowProblems is why a row was refused, field by field; a problem of the
// row as a whole (it could not be split into fields) is under "".
func rowProblems(err error) retain.Problems {
	var e *retain.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields
	}
	return retain.Problems{"": retain.ReasonOf(err)}
}

// problemsText is problems as one line for the rejects file, in field
// order: "placed_at: … ; total: …".
func problemsText(p retain.Problems) string {
	fields := p.Fields()
	parts := make([]string, len(fields))
	for i, f := range fields {
		if parts[i] = p[f].Text; f != "" {
			parts[i] = f + ": " + p[f].Text
		}
	}
	return strings.Join(parts, "; ")
}
