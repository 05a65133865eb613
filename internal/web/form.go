package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/retainhq/retain"
)

// fieldErrors are a form's complaints, field by field, in the reader's
// words; the template shows each next to its field. The first complaint
// about a field is the one kept: one message per bad field.
type fieldErrors map[string]string

func (f fieldErrors) add(v *view, field, key string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = v.L.T(key, args...)
	}
}

// invalidFields says, in the reader's words, why each field a store's
// EINVALID error names was refused; the form's own checks have usually
// said it already, so this is mostly the backstop.
func invalidFields(v *view, err error) fieldErrors {
	f := fieldErrors{}
	var e *retain.Error
	if errors.As(err, &e) {
		for field, why := range e.Fields {
			f[field] = v.Reason(why)
		}
	}
	return f
}

// publicBase is the address people reach Retain at, for links handed to
// them: the business's public URL when set, else the address this request
// came to (only ever shown to the signed-in admin who asked, never mailed:
// a Host header is the sender's to choose).
func (s *Server) publicBase(r *http.Request) string {
	if m, err := s.live.Messaging(r.Context()); err == nil && m.Settings.PublicURL != "" {
		return strings.TrimSuffix(m.Settings.PublicURL, "/")
	}
	scheme := "http"
	if s.secureRequest(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
