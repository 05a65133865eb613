package messaging

import (
	"errors"
	"testing"

	"github.com/retainhq/retain"
)

// TestSettingsFieldPaths: a bad settings document names the field, by its
// path, of each kind of mistake.
func TestSettingsFieldPaths(t *testing.T) {
	for doc, field := range map[string]string{
		`{"time_zone":"Mars/Olympus"}`:            "time_zone",
		`{"quiet_hours":{"sms":"late"}}`:          "quiet_hours.sms",
		`{"daily_caps":{"sms":-1}}`:               "daily_caps.sms",
		`{"allow_networks":["10.0.0.0/8","lan"]}`: "allow_networks[1]",
		`{"whatsapp":{"token":"x"}}`:              "whatsapp",
		`{"sms":{"url":"x"},"smss":{}}`:           "smss",
		`{"daily_caps":{"sms":"many"}}`:           "daily_caps", // encoding/json names the map, not its key
		`{"currency":"taka"}`:                     "currency",
	} {
		_, err := ParseSettings([]byte(doc))
		var re *retain.Error
		if !errors.As(err, &re) || re.Code != retain.EINVALID {
			t.Errorf("%s: %v, want EINVALID", doc, err)
			continue
		}
		if _, ok := re.Fields[field]; !ok {
			t.Errorf("%s: fields %v, want %s", doc, re.Fields, field)
		}
	}
}
