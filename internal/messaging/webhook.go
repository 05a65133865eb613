package messaging

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook posts messages (JSON bodies) to the business's own endpoints,
// signed in the Standard Webhooks format: webhook-id is the message key,
// which receivers use to drop repeats, so the channel is idempotent.
type Webhook struct {
	secret []byte
	client *http.Client
	now    func() time.Time
}

// NewWebhook takes the endpoint's secret (see ParseSecret).
func NewWebhook(secret string, client *http.Client) (*Webhook, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return nil, err
	}
	return &Webhook{secret: key, client: client, now: time.Now}, nil
}

// ParseSecret reads a Standard Webhooks secret: "whsec_" and the base64 of
// at least 24 random bytes.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) < 24 {
		return nil, fmt.Errorf("webhook secret: want whsec_ and the base64 of at least 24 random bytes")
	}
	return key, nil
}

// Idempotent: receivers de-duplicate on webhook-id.
func (w *Webhook) Idempotent() bool { return true }

// Send posts m.Body to m.To.
func (w *Webhook) Send(ctx context.Context, m Outgoing) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.To, strings.NewReader(m.Body))
	if err != nil {
		return "", &SendError{Kind: Permanent, Err: err}
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", m.Key)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+Sign(w.secret, m.Key, ts, []byte(m.Body)))
	if _, err := do(w.client, req, "", ""); err != nil {
		return "", err
	}
	return m.Key, nil
}

// Sign is the Standard Webhooks signature: base64 HMAC-SHA256 of
// "id.timestamp.body".
func Sign(secret []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%s.%s.", id, timestamp)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks an inbound Standard Webhooks request before anything is
// done with it (docs/reliability.md M10): the timestamp within tolerance of now
// in either direction, and one of the space-separated v1 signatures matching
// in constant time (several allow key rotation).
func Verify(secret []byte, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: bad timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: timestamp %s is %v from now", timestamp, d.Round(time.Second))
	}
	want := []byte(Sign(secret, id, timestamp, body))
	for _, s := range strings.Fields(signatures) {
		if v, sig, ok := strings.Cut(s, ","); ok && v == "v1" && hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return fmt.Errorf("webhook: no valid signature")
}
