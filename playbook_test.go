package retain_test

import (
	"errors"
	"testing"

	"github.com/retainhq/retain"
)

// TestPlaybookValidation: each problem is reported under its path in the
// document, all of them at once.
func TestPlaybookValidation(t *testing.T) {
	for doc, want := range map[string][]string{
		`{"key":"x","name":{"en":"X"},"steps":[{"id":"a","type":"exit"}]}`:                                                                                                 {"trigger"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"message","text":{"en":"hi"}}]}`:                                         {"steps[0].text.bn", "steps[0].text.ne"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"branch","if":{"field":"orders","op":">","value":1},"then":"nowhere"}]}`: {"steps[0].then"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"birthday"},"steps":[{"id":"a","type":"exit"}]}`:                                                                  {"trigger.event"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"stepz":[]}`:                                                                                       {"stepz"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"entry":[{"field":"orders","op":">","value":"two"}],"steps":[{"id":"a","type":"exit"}]}`:           {"entry[0].value"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"wait"}]}`:                                                               {"steps[0].days"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"channels":["sms","pigeon"],"steps":[{"id":"a","type":"exit"},{"id":"a","type":"jump"}]}`:          {"channels[1]", "steps[1].id", "steps[1].type"},
		`{"key":"x","name":{"en":"X"},"trigger":{"score":{"field":"mood","op":"~"}},"steps":[{"id":"a","type":"message","text":{"en":"{{.Name","bn":"x","ne":"y"}}]}`:      {"trigger.score.field", "trigger.score.op", "steps[0].text.en"},
		`{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"once_per_days":"often","steps":[]}`:                                                               {"once_per_days"},
	} {
		_, err := retain.ParsePlaybook([]byte(doc))
		var re *retain.Error
		if !errors.As(err, &re) || re.Code != retain.EINVALID {
			t.Errorf("%s: %v, want an EINVALID error", doc, err)
			continue
		}
		for _, f := range want {
			if _, ok := re.Fields[f]; !ok {
				t.Errorf("%s: fields %v, want %s among them", doc, re.Fields, f)
			}
		}
	}
}
