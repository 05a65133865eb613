package web

import (
	"math"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
)

// explain turns a score's stored factors and flags into localized lines:
// the words come from the catalog, the numbers from the stored values.
func explain(sc retain.Score, v *view) ([]factorView, []flagView) {
	l := v.L
	var fs []factorView
	for _, f := range sc.Factors {
		fs = append(fs, factorView{Name: l.T("factor." + f.Name), Points: l.Number(f.Contribution, 1), Width: f.Weight * 100,
			Why: l.T("factor.line", "Value", l.Percent(f.Value), "Weight", l.Percent(f.Weight))})
	}
	var out []flagView
	for _, f := range sc.Flags {
		values := make(map[string]any, len(f.Values))
		for k, val := range f.Values {
			values[k] = val
		}
		out = append(out, flagView{Name: l.T("flag." + f.Name), Kind: string(f.Kind), Evidence: l.T("evidence."+f.Name, textArgs(v, values, sc.Currency)...)})
	}
	return fs, out
}

// textArgs puts a stored text's values in the reader's words: shares as
// percentages, _value amounts as money of the currency (minor units),
// _at times in the reader's zone, other numbers in their digits; strings
// (an order number, a customer's comment) as they are.
func textArgs(v *view, values map[string]any, currency string) []any {
	l := v.L
	args := []any{}
	for k, val := range values {
		switch x := val.(type) {
		case float64:
			switch {
			case strings.HasSuffix(k, "_share"):
				args = append(args, k, l.Number(100*x, 0))
			case strings.HasSuffix(k, "_value"):
				args = append(args, k, l.Money(int64(x), currency))
			case x == math.Trunc(x):
				args = append(args, k, l.Number(x, 0))
			default:
				args = append(args, k, l.Number(x, 1))
			}
		case string:
			if t, err := time.Parse(time.RFC3339, x); err == nil && strings.HasSuffix(k, "_at") {
				args = append(args, k, l.DateTime(t, nil))
			} else {
				args = append(args, k, x)
			}
		}
	}
	return args
}

// AlertDetail is an alert's detail in the reader's language: its catalog
// key with its values, or the stored text for an alert raised before
// details had keys (or whose detail is the customer's own words).
func (v *view) AlertDetail(a retain.Alert) string {
	if a.DetailKey == "" {
		return a.Detail
	}
	if s := v.L.T(a.DetailKey, textArgs(v, a.DetailArgs, a.Currency)...); !strings.HasPrefix(s, i18n.Missing) {
		return s
	}
	return a.Detail
}

// TaskTitle is a task's title in the reader's language when the playbook
// wrote it in theirs, else as it was made.
func (v *view) TaskTitle(t retain.Task) string {
	if s := t.Titles[v.L.Lang]; s != "" {
		return s
	}
	return t.Title
}
