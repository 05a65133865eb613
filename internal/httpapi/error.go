package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/retainhq/retain"
)

// statusOf is the one place where error codes become HTTP statuses.
func statusOf(code string) int { return retain.HTTPStatus(code) }

// apiError turns err into RFC 9457 problem details with one detail per bad
// field, carrying the reason's code and values beside its English text.
// Internal errors are logged once, here, and the client gets a generic
// message.
func (a *API) apiError(ctx context.Context, op string, err error) error {
	var re *retain.Error
	if !errors.As(err, &re) || re.Code == retain.EINTERNAL {
		a.log.ErrorContext(ctx, "request failed", slog.String("op", op), slog.Any("err", err))
		return huma.NewError(http.StatusInternalServerError, "internal error")
	}
	status := statusOf(re.Code)
	p := &problem{ErrorModel: huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: re.Message}}
	for _, f := range re.Fields.Fields() {
		why := re.Fields[f]
		p.Errors = append(p.Errors, fieldProblem{Location: "body." + f, Message: why.Text, Code: why.Code, Args: why.Args})
	}
	return p
}

// problem is RFC 9457 problem details whose per-field errors also carry
// the reason as a code and its values (the codes the UI's catalogs hold
// as reason.CODE), so that a client can say it in its customer's
// language instead of showing the English message.
type problem struct {
	huma.ErrorModel
	Errors []fieldProblem `json:"errors,omitempty"`
}

type fieldProblem struct {
	Message  string   `json:"message"`
	Location string   `json:"location"`
	Code     string   `json:"code,omitempty"`
	Args     []string `json:"args,omitempty"`
}
