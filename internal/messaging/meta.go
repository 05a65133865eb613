package messaging

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Meta's webhooks (WhatsApp Cloud API): a GET handshake that echoes
// hub.challenge when hub.verify_token is the one the business set, and
// POSTs signed with X-Hub-Signature-256 — the HMAC-SHA256 of the raw body
// under the app's secret — that batch customers' messages and the
// delivery statuses of ours.

// ErrMetaSignature is a POST whose signature is missing or wrong.
var ErrMetaSignature = errors.New("invalid X-Hub-Signature-256")

// VerifyMetaSignature checks the X-Hub-Signature-256 header ("sha256=…").
func VerifyMetaSignature(appSecret, header string, body []byte) error {
	got, ok := strings.CutPrefix(header, "sha256=")
	sig, err := hex.DecodeString(got)
	if !ok || err != nil || appSecret == "" {
		return ErrMetaSignature
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return ErrMetaSignature
	}
	return nil
}

// MetaSignature signs a body as Meta does (for tests and relays).
func MetaSignature(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyToken compares the handshake's token in constant time.
func VerifyToken(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// InboundMessage is a customer's message: its id (wamid), sender (E.164),
// text, and for a tapped button or list row, the row's id.
type InboundMessage struct {
	ID, From, Text, ReplyID string
	At                      time.Time
}

// StatusUpdate is what WhatsApp says of a message we sent.
type StatusUpdate struct {
	ID     string // the wamid the send returned
	Status string // sent, delivered, read, failed
	Detail string // a failure's reason
	At     time.Time
}

// WhatsAppEvents are the messages and statuses of one webhook POST.
type WhatsAppEvents struct {
	Messages []InboundMessage
	Statuses []StatusUpdate
}

// ParseWhatsAppWebhook reads a Cloud API webhook body. Message kinds
// other than text and replies (images, locations) keep an empty text.
func ParseWhatsAppWebhook(body []byte) (WhatsAppEvents, error) {
	var doc struct {
		Object string `json:"object"`
		Entry  []struct {
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					Messages []struct {
						ID        string `json:"id"`
						From      string `json:"from"`
						Timestamp string `json:"timestamp"`
						Type      string `json:"type"`
						Text      struct {
							Body string `json:"body"`
						} `json:"text"`
						Button struct {
							Text    string `json:"text"`
							Payload string `json:"payload"`
						} `json:"button"`
						Interactive struct {
							Type        string `json:"type"`
							ButtonReply struct {
								ID, Title string
							} `json:"button_reply"`
							ListReply struct {
								ID, Title string
							} `json:"list_reply"`
						} `json:"interactive"`
					} `json:"messages"`
					Statuses []struct {
						ID        string `json:"id"`
						Status    string `json:"status"`
						Timestamp string `json:"timestamp"`
						Errors    []struct {
							Title string `json:"title"`
						} `json:"errors"`
					} `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return WhatsAppEvents{}, err
	}
	var ev WhatsAppEvents
	for _, e := range doc.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				in := InboundMessage{ID: m.ID, From: "+" + strings.TrimPrefix(m.From, "+"), Text: m.Text.Body, At: unixTime(m.Timestamp)}
				switch {
				case m.Type == "interactive" && m.Interactive.Type == "list_reply":
					in.ReplyID, in.Text = m.Interactive.ListReply.ID, m.Interactive.ListReply.Title
				case m.Type == "interactive":
					in.ReplyID, in.Text = m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title
				case m.Type == "button": // a template's quick reply
					in.ReplyID, in.Text = m.Button.Payload, m.Button.Text
				}
				ev.Messages = append(ev.Messages, in)
			}
			for _, s := range c.Value.Statuses {
				st := StatusUpdate{ID: s.ID, Status: s.Status, At: unixTime(s.Timestamp)}
				if len(s.Errors) > 0 {
					st.Detail = s.Errors[0].Title
				}
				ev.Statuses = append(ev.Statuses, st)
			}
		}
	}
	return ev, nil
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// MessengerSettings are a Facebook Page's: the page access token that
// sends, and the app secret and verify token of its webhook.
type MessengerSettings struct {
	PageToken   string `json:"page_token"`
	AppSecret   string `json:"app_secret,omitempty"`
	VerifyToken string `json:"verify_token,omitempty"`
	APIBase     string `json:"api_base,omitempty"`
}

// MessengerSend is the gateway configuration of Messenger's Send API for
// a page token. The recipient ({{.To}}) is the page-scoped id the
// customer wrote from. A reply more than 24 hours after their last
// message goes with the HUMAN_AGENT tag (up to 7 days; the Meta app needs
// that permission).
func MessengerSend(apiBase, pageToken string) GatewayConfig {
	if apiBase == "" {
		apiBase = "https://graph.facebook.com/v21.0"
	}
	return GatewayConfig{
		URL:     strings.TrimSuffix(apiBase, "/") + "/me/messages",
		Headers: map[string]string{"Authorization": "Bearer " + pageToken, "Content-Type": "application/json"},
		Body: `{"recipient":{"id":{{json .To}}},{{if .Template}}"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT"{{else}}"messaging_type":"RESPONSE"{{end}},` +
			`"message":{"text":{{json .Body}}}}`,
		ProviderIDField: "message_id",
	}
}

// MessengerMessage is a customer's message to the page.
type MessengerMessage struct {
	ID     string // the mid
	Sender string // the page-scoped id of who wrote
	Text   string
	At     time.Time
}

// ParseMessengerWebhook reads a page webhook body: the customers'
// messages (echoes of the page's own and deliveries are left out).
func ParseMessengerWebhook(body []byte) ([]MessengerMessage, error) {
	var doc struct {
		Object string `json:"object"`
		Entry  []struct {
			Messaging []struct {
				Sender struct {
					ID string `json:"id"`
				} `json:"sender"`
				Timestamp int64 `json:"timestamp"`
				Message   *struct {
					Mid    string `json:"mid"`
					Text   string `json:"text"`
					IsEcho bool   `json:"is_echo"`
				} `json:"message"`
			} `json:"messaging"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Object != "page" {
		return nil, fmt.Errorf("object %q is not page", doc.Object)
	}
	var out []MessengerMessage
	for _, e := range doc.Entry {
		for _, m := range e.Messaging {
			if m.Message == nil || m.Message.IsEcho || m.Message.Mid == "" || m.Sender.ID == "" {
				continue
			}
			out = append(out, MessengerMessage{ID: m.Message.Mid, Sender: m.Sender.ID, Text: m.Message.Text,
				At: time.UnixMilli(m.Timestamp).UTC()})
		}
	}
	return out, nil
}
