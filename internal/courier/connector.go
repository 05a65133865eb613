// Package courier reads couriers' status webhooks: which order a parcel
// is, what happened to it, the tracking page and the rider, from a
// courier's own JSON, by a mapping kept in settings — one connector per
// courier, so any courier of Bangladesh or Nepal that posts status updates
// can be connected without code. Each request is checked against the
// connector's secret before anything is read.
package courier

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SettingsKey is where the connectors are stored.
const SettingsKey = "couriers"

// Connector is one courier's status webhook: how its requests are
// signed, where its JSON keeps each field, and what its statuses mean.
type Connector struct {
	Key  string `json:"key"` // the hook's address: /hooks/courier/{key}
	Name string `json:"name"`
	// Auth is how a request proves it is the courier's: "hmac-sha256" (the
	// header holds the body's HMAC-SHA256 under Secret, hex or base64,
	// optionally after "sha256=") or "token" (the header holds Secret).
	Auth   string `json:"auth"`
	Header string `json:"header"`
	Secret string `json:"secret"`
	Fields Fields `json:"fields"`
	// Statuses maps the courier's statuses to Retain's order events:
	// shipped, out_for_delivery, delivered, delayed, returned, refused.
	// A status not in it is acknowledged and ignored.
	Statuses map[string]string `json:"statuses"`
	// TrackingURL makes the customer's tracking link from the tracking
	// code: "https://courier.example/track/{tracking}"; empty when the
	// courier's field holds the link itself or there is none.
	TrackingURL string `json:"tracking_url,omitempty"`
}

// Fields are where a webhook's JSON keeps each value, as dotted paths
// ("data.merchant_order_id"); Order and Status are required.
type Fields struct {
	Order    string `json:"order"`
	Tracking string `json:"tracking,omitempty"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Rider    string `json:"rider_phone,omitempty"`
	At       string `json:"occurred_at,omitempty"` // RFC 3339, or Unix seconds
}

// Events are the order events a courier's status can map to.
var Events = []string{"shipped", "out_for_delivery", "delivered", "delayed", "returned", "refused"}

var keyPattern = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// Check says what is wrong with the connector (at is its path), naming
// the field.
func (c Connector) Check(at string) error {
	switch {
	case !keyPattern.MatchString(c.Key):
		return fmt.Errorf("%skey: %q is not 1 to 40 lowercase letters, digits, - or _", at, c.Key)
	case c.Auth != "hmac-sha256" && c.Auth != "token":
		return fmt.Errorf("%sauth: %q is not hmac-sha256 or token", at, c.Auth)
	case strings.TrimSpace(c.Header) == "":
		return fmt.Errorf("%sheader: name the header that carries the signature or token", at)
	case len(c.Secret) < 16:
		return fmt.Errorf("%ssecret: is shorter than 16 characters", at)
	case c.Fields.Order == "":
		return fmt.Errorf("%sfields.order: is required", at)
	case c.Fields.Status == "":
		return fmt.Errorf("%sfields.status: is required", at)
	case len(c.Statuses) == 0:
		return fmt.Errorf("%sstatuses: map at least one of the courier's statuses", at)
	case c.TrackingURL != "" && (!strings.HasPrefix(c.TrackingURL, "https://") || !strings.Contains(c.TrackingURL, "{tracking}")):
		return fmt.Errorf("%stracking_url: %q is not an https address with {tracking} in it", at, c.TrackingURL)
	}
	for _, s := range slices.Sorted(maps.Keys(c.Statuses)) {
		if !slices.Contains(Events, c.Statuses[s]) {
			return fmt.Errorf("%sstatuses.%s: %q is not one of %v", at, s, c.Statuses[s], Events)
		}
	}
	return nil
}

// Verify reports whether a request's header proves it is the courier's.
func (c Connector) Verify(header string, body []byte) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
	if c.Auth == "token" {
		return subtle.ConstantTimeCompare([]byte(header), []byte(c.Secret)) == 1
	}
	mac := hmac.New(sha256.New, []byte(c.Secret))
	mac.Write(body)
	want := mac.Sum(nil)
	header = strings.TrimPrefix(header, "sha256=")
	for _, decode := range []func(string) ([]byte, error){hex.DecodeString, base64.StdEncoding.DecodeString} {
		if got, err := decode(header); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// Update is what one webhook said of one parcel.
type Update struct {
	Order         string    // the order's external id, as the shop sent it to the courier
	Tracking      string    // the courier's code for the parcel
	CourierStatus string    // as the courier says it
	Event         string    // Retain's order event; "" when the status is not mapped
	Reason        string    // why (a refusal's, a delay's)
	Rider         string    // the rider's phone
	TrackingURL   string    // the customer's tracking link
	At            time.Time // when, as the courier says; zero: now
}

// ErrField is a webhook missing a required field or holding a bad one.
var ErrField = errors.New("courier: bad webhook")

// Read reads a webhook's JSON by the connector's fields.
func (c Connector) Read(body []byte) (Update, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return Update{}, fmt.Errorf("%w: body: not JSON", ErrField)
	}
	u := Update{Order: lookup(doc, c.Fields.Order), Tracking: lookup(doc, c.Fields.Tracking), CourierStatus: lookup(doc, c.Fields.Status),
		Reason: lookup(doc, c.Fields.Reason), Rider: lookup(doc, c.Fields.Rider)}
	switch {
	case u.Order == "":
		return u, fmt.Errorf("%w: %s: the order is missing", ErrField, c.Fields.Order)
	case u.CourierStatus == "":
		return u, fmt.Errorf("%w: %s: the status is missing", ErrField, c.Fields.Status)
	}
	u.Event = c.Statuses[u.CourierStatus]
	if at := lookup(doc, c.Fields.At); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			secs, perr := strconv.ParseInt(at, 10, 64)
			if perr != nil {
				return u, fmt.Errorf("%w: %s: %q is not a time (RFC 3339 or Unix seconds)", ErrField, c.Fields.At, at)
			}
			t = time.Unix(secs, 0)
		}
		u.At = t.UTC()
	}
	switch {
	case strings.HasPrefix(u.Tracking, "https://") || strings.HasPrefix(u.Tracking, "http://"):
		u.TrackingURL = u.Tracking
	case c.TrackingURL != "" && u.Tracking != "":
		u.TrackingURL = strings.ReplaceAll(c.TrackingURL, "{tracking}", url.PathEscape(u.Tracking))
	}
	return u, nil
}

// lookup is the value at a dotted path of a JSON document, as text ("" for
// none): strings as they are, numbers as written.
func lookup(doc any, path string) string {
	if path == "" {
		return ""
	}
	cur := doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[part]
	}
	switch v := cur.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
