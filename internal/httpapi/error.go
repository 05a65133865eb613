package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/retainhq/retain"
)

// statusOf is the one place where error codes become HTTP statuses.
func statusOf(code string) int { return retain.HTTPStatus(code) }

// apiError turns err into a huma error (RFC 9457 problem details) with one
// detail per bad field. Internal errors are logged once, here, and the client
// gets a generic message.
func (a *API) apiError(ctx context.Context, op string, err error) error {
	var re *retain.Error
	if !errors.As(err, &re) || re.Code == retain.EINTERNAL {
		a.log.ErrorContext(ctx, "request failed", slog.String("op", op), slog.Any("err", err))
		return huma.NewError(http.StatusInternalServerError, "internal error")
	}
	fields := make([]string, 0, len(re.Fields))
	for f := range re.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	details := make([]error, len(fields))
	for i, f := range fields {
		details[i] = &huma.ErrorDetail{Location: "body." + f, Message: re.Fields[f].Text}
	}
	return huma.NewError(statusOf(re.Code), re.Message, details...)
}
