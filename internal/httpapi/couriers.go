package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

// hookCourier is a courier's status webhook, /hooks/courier/{key}: checked
// against the connector's secret, then recorded as an order event. A bad
// signature is 401, an unknown connector or order 404 (the courier's retry
// finds an order sent meanwhile), a body the mapping cannot read 400 naming
// the field; a status the connector does not map is acknowledged (200) and
// ignored, so the courier stops retrying it.
func (a *API) hookCourier(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	res, err := core.TakeCourierUpdate(r.Context(), a.db, r.PathValue("key"), r.Header.Get, body)
	switch {
	case errors.Is(err, core.ErrBadSignature):
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	case errors.Is(err, core.ErrNoCourier), errors.Is(err, core.ErrUnknownParcel):
		http.Error(w, err.Error()+": "+res.Order, http.StatusNotFound)
		return
	case retain.ErrorCode(err) == retain.EINVALID:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		a.log.Error("courier webhook", "courier", r.PathValue("key"), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}
