package web

import (
	"math"
	"strings"

	"github.com/retainhq/retain"
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
		args := []any{}
		for k, val := range f.Values {
			switch {
			case strings.HasSuffix(k, "_share"):
				args = append(args, k, l.Number(100*val, 0))
			case strings.HasSuffix(k, "_value"): // minor units of the customer's currency
				args = append(args, k, l.Money(int64(val), sc.Currency))
			case val == math.Trunc(val):
				args = append(args, k, l.Number(val, 0))
			default:
				args = append(args, k, l.Number(val, 1))
			}
		}
		out = append(out, flagView{Name: l.T("flag." + f.Name), Kind: string(f.Kind), Evidence: l.T("evidence."+f.Name, args...)})
	}
	return fs, out
}
