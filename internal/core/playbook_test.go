package core_test

import (
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/core"
)

func TestBuiltinPlaybooks(t *testing.T) {
	ps, err := core.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	for _, k := range []string{"onboarding", "post_purchase", "service_recovery", "win_back", "growth", "renewal", "loyalty_nudge", "advocacy"} {
		if !keys[k] {
			t.Errorf("no built-in playbook %s", k)
		}
	}
}

func TestPlaybookValidation(t *testing.T) {
	for want, doc := range map[string]string{
		"trigger":             `{"key":"x","name":{"en":"X"},"steps":[{"id":"a","type":"exit"}]}`,
		"steps[0] (a).text":   `{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"message","text":{"en":"hi"}}]}`,
		"no step \"nowhere\"": `{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"branch","if":{"field":"orders","op":">","value":1},"then":"nowhere"}]}`,
		"trigger.event":       `{"key":"x","name":{"en":"X"},"trigger":{"event":"birthday"},"steps":[{"id":"a","type":"exit"}]}`,
		"unknown field":       `{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"stepz":[]}`,
		"needs a number":      `{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"entry":[{"field":"orders","op":">","value":"two"}],"steps":[{"id":"a","type":"exit"}]}`,
		"a wait needs":        `{"key":"x","name":{"en":"X"},"trigger":{"event":"first_order"},"steps":[{"id":"a","type":"wait"}]}`,
	} {
		if _, err := core.ParsePlaybook([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error naming %q", doc, err, want)
		}
	}
}
