package core_test

import (
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
