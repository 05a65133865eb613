package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
)

// Inbound webhooks from gateways: delivery reports and customers' replies.
// Each request must carry a Standard Webhooks signature made with the
// messaging settings' inbound_secret and a timestamp within five minutes;
// anything else is refused before it has any effect (docs/reliability.md M10).
// A replayed webhook-id is acknowledged and changes nothing.

const hookTolerance = 5 * time.Minute

// verifiedBody reads and verifies a signed request; it writes the error
// response itself and returns ok false when the request is refused.
func (a *API) verifiedBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	s, err := core.MessagingSettings(r.Context(), a.db)
	if err != nil || s.InboundSecret == "" {
		http.Error(w, "inbound webhooks are not set up (inbound_secret in retain messaging set)", http.StatusNotFound)
		return nil, false
	}
	key, err := messaging.ParseSecret(s.InboundSecret)
	if err != nil {
		http.Error(w, "inbound_secret is not valid", http.StatusNotFound)
		return nil, false
	}
	if err := messaging.Verify(key, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"),
		body, a.db.Now(), hookTolerance); err != nil || r.Header.Get("webhook-id") == "" {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

type deliveryReport struct {
	MessageKey string    `json:"message_key"`
	ProviderID string    `json:"provider_id"`
	Status     string    `json:"status"` // delivered or failed
	Detail     string    `json:"detail"`
	OccurredAt time.Time `json:"occurred_at"`
}

func (a *API) hookDelivery(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verifiedBody(w, r)
	if !ok {
		return
	}
	var d deliveryReport
	if err := json.Unmarshal(body, &d); err != nil || (d.MessageKey == "" && d.ProviderID == "") {
		http.Error(w, "want JSON with message_key or provider_id, status, occurred_at", http.StatusBadRequest)
		return
	}
	if d.OccurredAt.IsZero() {
		d.OccurredAt = a.db.Now()
	}
	applied, err := a.db.DeliveryReport(r.Context(), r.Header.Get("webhook-id"), d.MessageKey, d.ProviderID, retain.MessageStatus(d.Status), d.Detail, d.OccurredAt)
	a.hookAnswer(w, applied, err)
}

type reply struct {
	From    string `json:"from"`    // E.164
	Text    string `json:"text"`    // what the customer wrote
	Channel string `json:"channel"` // sms (default) or whatsapp
	// ReplyID is the id of a tapped WhatsApp button or list row
	// ("score:4"), when the reply is one.
	ReplyID string `json:"reply_id"`
}

func (a *API) hookReply(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verifiedBody(w, r)
	if !ok {
		return
	}
	var rp reply
	if err := json.Unmarshal(body, &rp); err != nil || rp.From == "" {
		http.Error(w, "want JSON with from, text and channel", http.StatusBadRequest)
		return
	}
	if rp.Channel == "" {
		rp.Channel = "sms"
	}
	if rp.Channel != "sms" && rp.Channel != "whatsapp" {
		http.Error(w, "channel must be sms or whatsapp", http.StatusBadRequest)
		return
	}
	phone, err := retain.NormalizePhone(rp.From, "")
	if err != nil {
		http.Error(w, "from: "+err.Error(), http.StatusBadRequest)
		return
	}
	optOut := messaging.IsOptOut(rp.Text)
	n, fresh, err := a.db.Reply(r.Context(), r.Header.Get("webhook-id"), phone, rp.Channel, rp.Text, optOut)
	if err == nil && n > 0 {
		a.log.Info("opt-out by reply", "channel", rp.Channel, "customers", n)
	}
	if err == nil && fresh && !optOut {
		// A reply to a survey is its answer ("4", "৪", a tapped button).
		// If recording it fails, the reply is forgotten and the gateway
		// told to try again (a 5xx): its retry is then not a replay.
		if rp.ReplyID != "" {
			rp.Text = rp.ReplyID
		}
		if _, err = core.SurveyReply(r.Context(), a.db, phone, retain.Channel(rp.Channel), rp.Text); err != nil {
			if ferr := a.db.ForgetReply(r.Context(), r.Header.Get("webhook-id")); ferr != nil {
				a.log.Error("survey reply", "err", ferr)
			}
		}
	}
	a.hookAnswer(w, fresh, err)
}

func (a *API) hookAnswer(w http.ResponseWriter, applied bool, err error) {
	switch {
	case retain.ErrorCode(err) == retain.ENOTFOUND:
		http.Error(w, err.Error(), http.StatusNotFound)
	case retain.ErrorCode(err) == retain.EINVALID:
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		a.log.Error("webhook", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	case !applied:
		w.WriteHeader(http.StatusOK) // a replay: already done
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
