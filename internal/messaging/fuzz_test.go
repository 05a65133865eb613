package messaging

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSettings: checking a messaging settings document never panics; one
// that is accepted reads back as accepted, and its masked form (what pages
// show) holds none of its secrets.
func FuzzSettings(f *testing.F) {
	f.Add([]byte(`{"sms":{"url":"https://sms.example/send?to={{.To}}&text={{.Body}}","method":"GET","secret":"s3cret-value"},"allow_networks":["127.0.0.0/8"],"time_zone":"Asia/Dhaka","currency":"BDT"}`))
	f.Add([]byte(`{"email":{"host":"smtp.example","port":587,"username":"u","password":"pw-123456","from":"shop@example.com"},"quiet_hours":"21:00-09:00"}`))
	f.Add([]byte(`{"webhook":{"url":"http://[::1%25lo]:8080/","secret":"whsec_x"},"unknown":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSettings(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("accepted settings do not encode: %v", err)
		}
		if _, err := ParseSettings(b); err != nil {
			t.Fatalf("accepted settings are refused when read back: %v\n%s", err, b)
		}
		m := s.Masked()
		hidden := func(what, v string) {
			if v != "" && v != mask("x") {
				t.Fatalf("the masked settings show %s: %q", what, v)
			}
		}
		hidden("the inbound secret", m.InboundSecret)
		if m.WhatsApp != nil {
			hidden("the WhatsApp token", m.WhatsApp.Token)
		}
		if m.Webhook != nil {
			hidden("the webhook secret", m.Webhook.Secret)
		}
		if m.Email != nil {
			hidden("the SMTP password", m.Email.Password)
		}
		if m.SMS != nil {
			for k, v := range m.SMS.Headers {
				if !strings.EqualFold(k, "Content-Type") {
					hidden("the SMS header "+k, v)
				}
			}
			if _, q, ok := strings.Cut(m.SMS.URL, "?"); ok {
				for _, kv := range strings.Split(q, "&") {
					if _, v, _ := strings.Cut(kv, "="); v != "" && !strings.Contains(v, "{{") {
						hidden("an SMS URL query value", v)
					}
				}
			}
		}
	})
}
