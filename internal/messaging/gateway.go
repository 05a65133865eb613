package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"text/template"

	"github.com/retainhq/retain"
)

// GatewayConfig describes an HTTP messaging API, so a user can plug in the
// SMS gateway they already pay for. URL, header values and Body are Go
// templates over the message: {{.To}}, {{.Body}}, {{.Key}}, {{.Subject}};
// {{json .Body}} writes a JSON string and {{urlquery .Body}} a query value.
type GatewayConfig struct {
	Method  string            `json:"method"` // default POST
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// IdempotencyHeader names the header that carries the message's key,
	// for gateways that de-duplicate on it (then a resend after a crash is
	// one delivery).
	IdempotencyHeader string `json:"idempotency_header"`
	// SuccessContains, when set, must appear in a 2xx response body for
	// the message to count as sent (many gateways answer 200 with an error).
	SuccessContains string `json:"success_contains"`
	// ProviderIDField is the dot path of the gateway's message id in a JSON
	// response, e.g. "messages.0.id".
	ProviderIDField string `json:"provider_id_field"`
}

// Gateway is a Channel over an HTTP API.
type Gateway struct {
	cfg     GatewayConfig
	url     *template.Template
	body    *template.Template
	headers map[string]*template.Template
	client  *http.Client
}

var funcs = template.FuncMap{"json": func(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}, "interactive": interactive}

// interactive is a WhatsApp Cloud API interactive object for a body and
// its menu: up to three reply buttons, or a list of up to ten rows behind
// one button. Titles are cut to WhatsApp's limits (20 characters for a
// button, 24 for a row) so that a long label never fails the whole send.
func interactive(body string, m *retain.ReplyMenu) (string, error) {
	type button struct {
		Type  string `json:"type"`
		Reply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"reply"`
	}
	type row struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
	}
	v := map[string]any{"body": map[string]string{"text": body}}
	if len(m.Options) <= 3 {
		var bs []button
		for _, o := range m.Options {
			b := button{Type: "reply"}
			b.Reply.ID, b.Reply.Title = o.ID, cut(o.Title, 20)
			bs = append(bs, b)
		}
		v["type"], v["action"] = "button", map[string]any{"buttons": bs}
	} else {
		var rows []row
		for _, o := range m.Options[:min(len(m.Options), 10)] {
			rows = append(rows, row{ID: o.ID, Title: cut(o.Title, 24), Description: cut(o.Description, 72)})
		}
		v["type"] = "list"
		v["action"] = map[string]any{"button": cut(m.Button, 20), "sections": []any{map[string]any{"rows": rows}}}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// cut shortens s to n characters (not bytes: Bengali and Devanagari are
// three bytes a letter).
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// NewGateway checks cfg and compiles its templates; an error names the field.
func NewGateway(cfg GatewayConfig, client *http.Client) (*Gateway, error) {
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	g := &Gateway{cfg: cfg, client: client, headers: map[string]*template.Template{}}
	var err error
	if !strings.HasPrefix(cfg.URL, "https://") && !strings.HasPrefix(cfg.URL, "http://") {
		return nil, fmt.Errorf("gateway url %q: must start with https:// (or http:// on a LAN)", cfg.URL)
	}
	if g.url, err = template.New("url").Funcs(funcs).Option("missingkey=error").Parse(cfg.URL); err != nil {
		return nil, fmt.Errorf("gateway url: %w", err)
	}
	if g.body, err = template.New("body").Funcs(funcs).Option("missingkey=error").Parse(cfg.Body); err != nil {
		return nil, fmt.Errorf("gateway body: %w", err)
	}
	for k, v := range cfg.Headers {
		if g.headers[k], err = template.New(k).Funcs(funcs).Parse(v); err != nil {
			return nil, fmt.Errorf("gateway header %s: %w", k, err)
		}
	}
	return g, nil
}

// Idempotent reports whether the gateway de-duplicates on the key.
func (g *Gateway) Idempotent() bool { return g.cfg.IdempotencyHeader != "" }

// Send calls the gateway.
func (g *Gateway) Send(ctx context.Context, m Outgoing) (string, error) {
	render := func(t *template.Template) (string, error) {
		var b strings.Builder
		err := t.Execute(&b, m)
		return b.String(), err
	}
	url, err := render(g.url)
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	body, err := render(g.body)
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, g.cfg.Method, url, strings.NewReader(body))
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	for k, t := range g.headers {
		v, err := render(t)
		if err != nil || strings.ContainsAny(v, "\r\n") {
			return "", &SendError{Kind: Permanent, Err: fmt.Errorf("gateway header %s: %v", k, err)}
		}
		req.Header.Set(k, v)
	}
	if g.cfg.IdempotencyHeader != "" {
		req.Header.Set(g.cfg.IdempotencyHeader, m.Key)
	}
	return do(g.client, req, g.cfg.SuccessContains, g.cfg.ProviderIDField)
}

// do makes the call and classifies what came back.
func do(client *http.Client, req *http.Request, successContains, idField string) (string, error) {
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return "", &SendError{Kind: Temporary, Err: err} // never reached the gateway
		}
		return "", &SendError{Kind: Ambiguous, Err: err}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", httpError(resp, b)
	}
	if successContains != "" && !bytes.Contains(b, []byte(successContains)) {
		return "", &SendError{Kind: Permanent, Err: fmt.Errorf("gateway answered %s without %q: %.200s", resp.Status, successContains, b)}
	}
	return providerID(b, idField), nil
}

// providerID follows a dot path ("messages.0.id") into a JSON body.
func providerID(body []byte, path string) string {
	if path == "" {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// WhatsAppCloud is the gateway configuration of the WhatsApp Business Cloud
// API for a phone number id and an access token. (Outside the 24-hour
// customer service window WhatsApp only delivers approved templates.)
func WhatsAppCloud(apiBase, phoneNumberID, token string) GatewayConfig {
	if apiBase == "" {
		apiBase = "https://graph.facebook.com/v21.0"
	}
	return GatewayConfig{
		URL:     strings.TrimSuffix(apiBase, "/") + "/" + phoneNumberID + "/messages",
		Headers: map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"},
		Body: `{"messaging_product":"whatsapp","to":{{json .To}},` +
			`{{if .Template}}"type":"template","template":{"name":{{json .Template.Name}},"language":{"code":{{json .Template.Language}}},` +
			`"components":[{"type":"body","parameters":[{"type":"text","text":{{json .Body}}}]}]}` +
			`{{else if .Menu}}"type":"interactive","interactive":{{interactive .Body .Menu}}` +
			`{{else}}"type":"text","text":{"body":{{json .Body}}}{{end}}}`,
		ProviderIDField: "messages.0.id",
	}
}
