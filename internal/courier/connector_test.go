package courier

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

var conn = Connector{Key: "x", Auth: "hmac-sha256", Header: "X-Signature", Secret: "0123456789abcdef",
	Fields:   Fields{Order: "data.order", Tracking: "data.code", Status: "data.status", Reason: "data.note", Rider: "rider.phone", At: "data.at"},
	Statuses: map[string]string{"Picked": "shipped", "Returned": "returned"}, TrackingURL: "https://c.example/track/{tracking}"}

// TestRead: nested fields, numbers written as text, Unix and RFC 3339
// times, the tracking link from the code (escaped) or the field itself,
// an unmapped status kept but no event, and a missing order or status or
// a bad time refused naming the field.
func TestRead(t *testing.T) {
	u, err := conn.Read([]byte(`{"data": {"order": 1042, "code": "A B", "status": "Picked", "note": "", "at": 1773000000}, "rider": {"phone": "01711"}}`))
	if err != nil || u.Order != "1042" || u.Event != "shipped" || u.TrackingURL != "https://c.example/track/A%20B" || u.Rider != "01711" ||
		!u.At.Equal(time.Unix(1773000000, 0)) {
		t.Errorf("%+v %v", u, err)
	}
	u, err = conn.Read([]byte(`{"data": {"order": "O-1", "code": "https://c.example/p/9", "status": "AtHub", "at": "2026-03-20T10:00:00+06:00"}}`))
	if err != nil || u.Event != "" || u.CourierStatus != "AtHub" || u.TrackingURL != "https://c.example/p/9" || u.At.Hour() != 4 {
		t.Errorf("%+v %v", u, err)
	}
	for body, field := range map[string]string{
		`{"data": {"status": "Picked"}}`:                               "data.order",
		`{"data": {"order": "O-1"}}`:                                   "data.status",
		`{"data": {"order": "O-1", "status": "Picked", "at": "soon"}}`: "data.at",
		`[1, 2`: "body",
	} {
		if _, err := conn.Read([]byte(body)); !errors.Is(err, ErrField) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want a problem at %s", body, err, field)
		}
	}
}

// TestVerify: the body's HMAC in hex, base64 or after sha256= passes; any
// other, an empty header, or a changed body does not; a token connector
// takes its exact token only.
func TestVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	mac := hmac.New(sha256.New, []byte(conn.Secret))
	mac.Write(body)
	sum := mac.Sum(nil)
	for _, h := range []string{hex.EncodeToString(sum), "sha256=" + hex.EncodeToString(sum), base64.StdEncoding.EncodeToString(sum)} {
		if !conn.Verify(h, body) {
			t.Errorf("%s refused", h)
		}
	}
	if conn.Verify(hex.EncodeToString(sum), []byte(`{"a":2}`)) || conn.Verify("", body) || conn.Verify("00", body) {
		t.Error("a wrong signature passed")
	}
	tok := Connector{Auth: "token", Secret: "s3cret-token-000000"}
	if !tok.Verify("s3cret-token-000000", nil) || tok.Verify("s3cret-token-00000", nil) || tok.Verify("", nil) {
		t.Error("token check")
	}
}

// TestCheck: what a connector must have, each refusal naming its field.
func TestCheck(t *testing.T) {
	if err := conn.Check(""); err != nil {
		t.Fatal(err)
	}
	for field, mod := range map[string]func(*Connector){
		"key":          func(c *Connector) { c.Key = "Bad Key" },
		"auth":         func(c *Connector) { c.Auth = "basic" },
		"header":       func(c *Connector) { c.Header = " " },
		"secret":       func(c *Connector) { c.Secret = "short" },
		"fields.order": func(c *Connector) { c.Fields.Order = "" },
		"statuses":     func(c *Connector) { c.Statuses = nil },
		"tracking_url": func(c *Connector) { c.TrackingURL = "http://c.example/{tracking}" },
		"statuses.Picked": func(c *Connector) {
			c.Statuses = map[string]string{"Picked": "lost"}
		},
	} {
		c := conn
		mod(&c)
		if err := c.Check("couriers[0]."); err == nil || !strings.Contains(err.Error(), "couriers[0]."+field+":") {
			t.Errorf("%s: %v", field, err)
		}
	}
}
