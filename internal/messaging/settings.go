package messaging

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// SettingsKey is where Settings live in the settings table.
const SettingsKey = "messaging"

// Settings configure the channels and the sending policy: one JSON document,
// set with `retain messaging set FILE` (docs/messaging.md).
type Settings struct {
	BusinessName string            `json:"business_name,omitempty"` // how messages sign off
	SMS          *GatewayConfig    `json:"sms,omitempty"`
	WhatsApp     *WhatsAppSettings `json:"whatsapp,omitempty"`
	Webhook      *WebhookSettings  `json:"webhook,omitempty"`
	Email        *EmailSettings    `json:"email,omitempty"`
	// Messenger is the business's Facebook Page: customers' messages come
	// to /hooks/messenger and agents' replies go back through it.
	Messenger *MessengerSettings `json:"messenger,omitempty"`
	// IMAP is the mailbox customers write to: the desk reads it.
	IMAP *IMAPSettings `json:"imap,omitempty"`
	// PublicURL is where customers reach Retain (unsubscribe links).
	PublicURL string `json:"public_url,omitempty"`
	// ReviewURL is the business's public review page (Google, Facebook,
	// Daraz): every survey's thank-you page offers it, whatever the score
	// (no review gating), and {{.ReviewLink}} puts it in a message.
	ReviewURL string `json:"review_url,omitempty"`
	// InboundSecret verifies the gateways' delivery reports and replies
	// (Standard Webhooks signatures; whsec_ and base64).
	InboundSecret string `json:"inbound_secret,omitempty"`
	// AllowNetworks opts LAN addresses in (e.g. a local SMS gateway at
	// 192.168.1.20/32); everything private is refused otherwise.
	AllowNetworks []string `json:"allow_networks,omitempty"`
	TimeZone      string   `json:"time_zone,omitempty"` // the business's; default UTC
	Currency      string   `json:"currency,omitempty"`  // the business's main currency (dashboard); default: the largest revenue
	// Language is what customers whose own language is not known are
	// written to in: en, bn or ne; default en.
	Language    string            `json:"language,omitempty"`
	QuietHours  map[string]string `json:"quiet_hours,omitempty"` // channel → "21:00-08:00" or "off"
	StrictQuiet string            `json:"strict_quiet_hours,omitempty"`
	DailyCaps   map[string]int    `json:"daily_caps,omitempty"`      // channel → marketing messages per local day
	TimeoutSecs int               `json:"timeout_seconds,omitempty"` // one gateway call (default 30)
	LeaseSecs   int               `json:"lease_seconds,omitempty"`   // a claim (default 60; at least the timeout + 5)
}

// Timeouts are the gateway call timeout and the claim lease.
func (s Settings) Timeouts() (call, lease time.Duration) {
	call, lease = 30*time.Second, 60*time.Second
	if s.TimeoutSecs > 0 {
		call = time.Duration(s.TimeoutSecs) * time.Second
	}
	if s.LeaseSecs > 0 {
		lease = time.Duration(s.LeaseSecs) * time.Second
	}
	return call, max(lease, call+5*time.Second)
}

// WhatsAppSettings are a WhatsApp Business Cloud API number and token.
type WhatsAppSettings struct {
	PhoneNumberID string `json:"phone_number_id"`
	Token         string `json:"token"`
	APIBase       string `json:"api_base,omitempty"`
	// AppSecret verifies the webhook's X-Hub-Signature-256 and
	// VerifyToken answers its handshake: customers' messages come to
	// /hooks/whatsapp straight from Meta, with no relay.
	AppSecret   string `json:"app_secret,omitempty"`
	VerifyToken string `json:"verify_token,omitempty"`
}

// WebhookSettings sign outbound webhooks.
type WebhookSettings struct {
	Secret string `json:"secret"` // whsec_…
}

// ParseSettings reads and checks a settings document; errors name the field.
func ParseSettings(b []byte) (Settings, error) {
	s, err := DecodeSettings(b)
	if err != nil {
		return s, err
	}
	_, _, err = s.Build()
	return s, err
}

// DecodeSettings reads a document without building its channels: for
// stored settings, which were checked when they were stored, read on paths
// (a page, a webhook) that need a field or two.
func DecodeSettings(b []byte) (Settings, error) {
	var s Settings
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, retain.JSONProblem(err)
	}
	return s, nil
}

// Build makes the channels and the policy the settings describe.
func (s Settings) Build() (map[string]Channel, Policy, error) {
	zone := time.UTC
	if s.TimeZone != "" {
		z, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			return nil, Policy{}, retain.FieldError("time_zone", "%q is not an IANA time zone", s.TimeZone)
		}
		zone = z
	}
	if s.Language != "" && s.Language != "en" && s.Language != "bn" && s.Language != "ne" {
		return nil, Policy{}, retain.FieldError("language", "%q is not en, bn or ne", s.Language)
	}
	if s.Currency != "" && (len(s.Currency) != 3 || strings.ToUpper(s.Currency) != s.Currency) {
		return nil, Policy{}, retain.FieldError("currency", "%q is not an ISO 4217 code such as BDT or NPR", s.Currency)
	}
	if s.IMAP != nil {
		if err := s.IMAP.check(); err != nil {
			return nil, Policy{}, err
		}
	}
	p := DefaultPolicy(zone)
	for ch, w := range s.QuietHours {
		win, err := ParseWindow(w)
		if err != nil {
			return nil, p, retain.FieldError("quiet_hours."+ch, "%v", err)
		}
		p.Quiet[ch] = win
	}
	if s.StrictQuiet != "" {
		win, err := ParseWindow(s.StrictQuiet)
		if err != nil {
			return nil, p, retain.FieldError("strict_quiet_hours", "%v", err)
		}
		p.Strict = win
	}
	for ch, n := range s.DailyCaps {
		if n < 0 {
			return nil, p, retain.FieldError("daily_caps."+ch, "must be 0 (no cap) or more")
		}
		p.Caps[ch] = n
	}
	if s.InboundSecret != "" {
		if _, err := ParseSecret(s.InboundSecret); err != nil {
			return nil, p, retain.FieldError("inbound_secret", "%v", err)
		}
	}
	var allow []netip.Prefix
	for i, a := range s.AllowNetworks {
		pr, err := netip.ParsePrefix(a)
		if err != nil {
			return nil, p, retain.FieldError(fmt.Sprintf("allow_networks[%d]", i), "%q is not a network like 192.168.1.20/32", a)
		}
		allow = append(allow, pr)
	}
	timeout, _ := s.Timeouts()
	client := NewHTTPClient(timeout, allow)
	chans := map[string]Channel{}
	if s.SMS != nil {
		g, err := NewGateway(*s.SMS, client)
		if err != nil {
			return nil, p, fieldOf("sms", err)
		}
		chans["sms"] = g
	}
	if s.WhatsApp != nil {
		if s.WhatsApp.PhoneNumberID == "" || s.WhatsApp.Token == "" {
			return nil, p, retain.FieldError("whatsapp", "phone_number_id and token are required")
		}
		g, err := NewGateway(WhatsAppCloud(s.WhatsApp.APIBase, s.WhatsApp.PhoneNumberID, s.WhatsApp.Token), client)
		if err != nil {
			return nil, p, fieldOf("whatsapp", err)
		}
		chans["whatsapp"] = g
	}
	if s.Messenger != nil {
		if s.Messenger.PageToken == "" {
			return nil, p, retain.FieldError("messenger.page_token", "is required")
		}
		g, err := NewGateway(MessengerSend(s.Messenger.APIBase, s.Messenger.PageToken), client)
		if err != nil {
			return nil, p, fieldOf("messenger", err)
		}
		chans["messenger"] = g
	}
	if s.Email != nil {
		e, err := NewEmail(*s.Email, timeout, allow)
		if err != nil {
			return nil, p, fieldOf("email", err)
		}
		chans["email"] = e
	}
	if s.Webhook != nil {
		w, err := NewWebhook(s.Webhook.Secret, client)
		if err != nil {
			return nil, p, fieldOf("webhook.secret", err)
		}
		chans["webhook"] = w
	}
	return chans, p, nil
}

// fieldOf files a channel's error under the channel's field: a field the
// channel named itself ("url") becomes "sms.url".
func fieldOf(prefix string, err error) error {
	var re *retain.Error
	if errors.As(err, &re) && len(re.Fields) > 0 {
		p := retain.Problems{}
		p.Merge(prefix+".", re.Fields)
		return p.Err()
	}
	return retain.FieldError(prefix, "%v", err)
}

// Masked is the settings with secrets replaced, for printing.
func (s Settings) Masked() Settings {
	m := s
	if s.WhatsApp != nil {
		w := *s.WhatsApp
		w.Token, w.AppSecret, w.VerifyToken = mask(w.Token), mask(w.AppSecret), mask(w.VerifyToken)
		m.WhatsApp = &w
	}
	if s.Webhook != nil {
		m.Webhook = &WebhookSettings{Secret: mask(s.Webhook.Secret)}
	}
	m.InboundSecret = mask(s.InboundSecret)
	if s.Email != nil {
		e := *s.Email
		e.Password = mask(e.Password)
		m.Email = &e
	}
	if s.Messenger != nil {
		ms := *s.Messenger
		ms.PageToken, ms.AppSecret, ms.VerifyToken = mask(ms.PageToken), mask(ms.AppSecret), mask(ms.VerifyToken)
		m.Messenger = &ms
	}
	if s.IMAP != nil {
		i := *s.IMAP
		i.Password = mask(i.Password)
		m.IMAP = &i
	}
	if s.SMS != nil {
		g := *s.SMS
		g.Headers = map[string]string{}
		for k, v := range s.SMS.Headers {
			if strings.EqualFold(k, "Content-Type") {
				g.Headers[k] = v
			} else {
				g.Headers[k] = mask(v)
			}
		}
		g.URL = maskQuery(g.URL)
		m.SMS = &g
	}
	return m
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "••••••"
}

// maskQuery hides query values (gateways often take an API key there).
func maskQuery(u string) string {
	base, q, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok && !strings.Contains(v, "{{") {
			parts[i] = k + "=" + mask(v)
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

// Allowed are the LAN networks the settings open to Retain's connections
// (checked when the settings were saved; one that does not read is left
// out).
func (s Settings) Allowed() []netip.Prefix {
	var out []netip.Prefix
	for _, a := range s.AllowNetworks {
		if pr, err := netip.ParsePrefix(a); err == nil {
			out = append(out, pr)
		}
	}
	return out
}
