package httpapi

import (
	"context"
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
	return a.verifiedBodyLimit(w, r, 64<<10)
}

// verifiedBodyLimit is verifiedBody for a body of up to limit bytes.
func (a *API) verifiedBodyLimit(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
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
	fresh, err := a.takeReply(r.Context(), r.Header.Get("webhook-id"), phone, retain.Channel(rp.Channel), rp.Text, rp.ReplyID, a.db.Now())
	a.hookAnswer(w, fresh, err)
}

// takeReply records a customer's reply once per event id: an opt-out word
// withdraws consent; anything else answering an open survey invitation
// is its answer ("4", "৪", a tapped button's id); any other message goes
// to the support desk, in the customer's conversation on the channel. If recording that fails, the reply is
// forgotten and the caller answers 5xx, so that the gateway's retry is
// taken as new, not as a replay.
func (a *API) takeReply(ctx context.Context, eventID, phone string, channel retain.Channel, text, replyID string, at time.Time) (fresh bool, err error) {
	optOut := messaging.IsOptOut(text)
	n, fresh, err := a.db.Reply(ctx, eventID, phone, string(channel), text, optOut)
	if err == nil && n > 0 {
		a.log.Info("opt-out by reply", "channel", channel, "customers", n)
	}
	if err != nil || !fresh || optOut {
		return fresh, err
	}
	answer := text
	if replyID != "" {
		answer = replyID
	}
	answered, err := core.SurveyReply(ctx, a.db, phone, channel, answer)
	if err == nil && !answered {
		// Not an answer: a message for the support desk.
		_, err = core.TakeInbound(ctx, a.db, core.Inbound{ID: eventID, Channel: string(channel), Phone: phone, Text: text, At: at})
	}
	if err != nil {
		if ferr := a.db.ForgetReply(ctx, eventID); ferr != nil {
			a.log.Error("survey reply", "err", ferr)
		}
	}
	return fresh, err
}

type inboundMail struct {
	Raw string `json:"raw"` // the whole RFC 5322 message
}

// hookEmail takes a customer's e-mail from a mail service's inbound
// route (signed like every hook): it goes to the support desk.
func (a *API) hookEmail(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verifiedBodyLimit(w, r, messaging.MaxMailBytes*4/3+1024)
	if !ok {
		return
	}
	var in inboundMail
	if err := json.Unmarshal(body, &in); err != nil || in.Raw == "" {
		http.Error(w, "want JSON with raw: the whole message", http.StatusBadRequest)
		return
	}
	_, err := core.TakeMail(r.Context(), a.db, []byte(in.Raw), "hook:"+r.Header.Get("webhook-id"))
	a.hookAnswer(w, true, err)
}

// whatsAppHandshake answers Meta's subscription check: the challenge,
// when the verify token is the business's.
func (a *API) whatsAppHandshake(w http.ResponseWriter, r *http.Request) {
	a.metaHandshake(w, r, func(s messaging.Settings) string {
		if s.WhatsApp == nil {
			return ""
		}
		return s.WhatsApp.VerifyToken
	})
}

// metaHandshake answers a Meta webhook's subscription check against the
// verify token token gives ("" refuses).
func (a *API) metaHandshake(w http.ResponseWriter, r *http.Request, token func(messaging.Settings) string) {
	s, err := core.MessagingSettings(r.Context(), a.db)
	q := r.URL.Query()
	if err != nil || q.Get("hub.mode") != "subscribe" || token(s) == "" || !messaging.VerifyToken(token(s), q.Get("hub.verify_token")) {
		http.Error(w, "verify token does not match", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

// metaBody reads a Meta webhook's body and checks its X-Hub-Signature-256
// under the app secret secret gives; it answers a refusal itself.
func (a *API) metaBody(w http.ResponseWriter, r *http.Request, what string, secret func(messaging.Settings) string) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	s, err := core.MessagingSettings(r.Context(), a.db)
	if err != nil || secret(s) == "" {
		http.Error(w, what+" is not set up (app_secret in its settings)", http.StatusNotFound)
		return nil, false
	}
	if messaging.VerifyMetaSignature(secret(s), r.Header.Get("X-Hub-Signature-256"), body) != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (a *API) messengerHandshake(w http.ResponseWriter, r *http.Request) {
	a.metaHandshake(w, r, func(s messaging.Settings) string {
		if s.Messenger == nil {
			return ""
		}
		return s.Messenger.VerifyToken
	})
}

// messengerHook takes the page's webhook: each customer's message goes to
// the support desk once (by its mid), on the customer known by their
// page-scoped id.
func (a *API) messengerHook(w http.ResponseWriter, r *http.Request) {
	body, ok := a.metaBody(w, r, "Messenger", func(s messaging.Settings) string {
		if s.Messenger == nil {
			return ""
		}
		return s.Messenger.AppSecret
	})
	if !ok {
		return
	}
	msgs, err := messaging.ParseMessengerWebhook(body)
	if err != nil {
		http.Error(w, "not a Messenger webhook: "+err.Error(), http.StatusBadRequest)
		return
	}
	for _, m := range msgs {
		if m.Text == "" {
			continue // a sticker, a photo: nothing to read yet
		}
		at := m.At
		if at.IsZero() || at.After(a.db.Now()) {
			at = a.db.Now()
		}
		if _, err := core.TakeInbound(r.Context(), a.db, core.Inbound{ID: "fb:" + m.ID, Channel: "messenger", Customer: core.MessengerCustomer(m.Sender),
			Text: m.Text, At: at}); err != nil {
			a.hookAnswer(w, false, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// whatsAppHook takes the Cloud API's webhook: customers' messages (replies,
// taps, opt-outs) and the statuses of what was sent. Meta batches them;
// each is recorded once by its wamid, so a redelivery changes nothing.
func (a *API) whatsAppHook(w http.ResponseWriter, r *http.Request) {
	body, ok := a.metaBody(w, r, "WhatsApp replies", func(s messaging.Settings) string {
		if s.WhatsApp == nil {
			return ""
		}
		return s.WhatsApp.AppSecret
	})
	if !ok {
		return
	}
	ev, err := messaging.ParseWhatsAppWebhook(body)
	if err != nil {
		http.Error(w, "not a WhatsApp webhook: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	for _, m := range ev.Messages {
		phone, perr := retain.NormalizePhone(m.From, "")
		if perr != nil || m.ID == "" {
			continue // not a number we could ever match: acknowledged, not retried forever
		}
		at := m.At
		if at.IsZero() || at.After(a.db.Now()) {
			at = a.db.Now()
		}
		if _, err := a.takeReply(ctx, "wa:"+m.ID, phone, retain.ChannelWhatsApp, m.Text, m.ReplyID, at); err != nil {
			a.hookAnswer(w, false, err)
			return
		}
	}
	for _, st := range ev.Statuses {
		status := map[string]retain.MessageStatus{"delivered": retain.MsgDelivered, "read": retain.MsgDelivered, "failed": retain.MsgFailed}[st.Status]
		if status == "" || st.ID == "" {
			continue // "sent": we knew
		}
		at := st.At
		if at.IsZero() {
			at = a.db.Now()
		}
		_, err := a.db.DeliveryReport(ctx, "wa:"+st.ID+":"+st.Status, "", st.ID, status, st.Detail, at)
		if err != nil && retain.ErrorCode(err) != retain.ENOTFOUND { // a message sent from elsewhere
			a.hookAnswer(w, false, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
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
