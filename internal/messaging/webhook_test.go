package messaging

import (
	"encoding/base64"
	"testing"
	"time"
)

// The Standard Webhooks test vector (standard-webhooks spec, reference libraries).
func TestStandardWebhooksVector(t *testing.T) {
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	id, ts, body := "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`)
	if got, want := Sign(key, id, ts, body), "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	at := time.Unix(1614265330, 0)
	if err := Verify(key, id, ts, "v1,bad v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body, at, 5*time.Minute); err != nil {
		t.Errorf("valid request refused: %v", err)
	}
	for name, c := range map[string]struct {
		body []byte
		at   time.Time
		sig  string
	}{
		"body changed":    {[]byte(`{"test": 2432232315}`), at, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
		"too old":         {body, at.Add(301 * time.Second), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
		"from the future": {body, at.Add(-301 * time.Second), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
		"no signature":    {body, at, ""},
		"other scheme":    {body, at, "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
	} {
		if err := Verify(key, id, ts, c.sig, c.body, c.at, 300*time.Second); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
