package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
)

// Reason is a refusal in the viewer's language: the catalog's message for
// its code ("reason."+code), filled with the values it quotes as A1, A2….
// A reason no catalog knows is its English on an English page and "this
// value cannot be used" on any other: never English on a Bengali page.
func (v *view) Reason(r retain.Reason) string {
	if r.Code != "" {
		args := make([]any, 0, 2*len(r.Args))
		for i, a := range r.Args {
			args = append(args, fmt.Sprintf("A%d", i+1), a)
		}
		if s := v.L.T("reason."+r.Code, args...); !strings.HasPrefix(s, i18n.Missing) {
			return s
		}
	}
	if v.L.Lang == "en" && r.Text != "" {
		return r.Text
	}
	return v.L.T("reason.unknown")
}

// Problems are a refused row's reasons, each after its field's name
// ("Order date: … ; Quantity: …"), fields in order; a reason about the
// whole row stands alone.
func (v *view) Problems(p retain.Problems) string {
	fields := p.Fields()
	parts := make([]string, len(fields))
	for i, f := range fields {
		if parts[i] = v.Reason(p[f]); f != "" {
			parts[i] = v.FieldName(f) + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// FieldName is a field path as the viewer knows the field: "lines[0].quantity"
// is Quantity, "attributes.gift_wrap" the file's own column gift_wrap.
func (v *view) FieldName(path string) string {
	name := path[strings.LastIndex(path, ".")+1:]
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	if strings.HasPrefix(path, "attributes.") || strings.HasPrefix(path, "attr.") {
		return name
	}
	return v.Word("field.", name)
}

// errorReason is why err refused a file, in the viewer's language.
func (v *view) errorReason(err error) string {
	var e *retain.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return v.Problems(e.Fields)
	}
	return v.Reason(retain.ReasonOf(err))
}
