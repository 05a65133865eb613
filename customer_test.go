package retain_test

import (
	"testing"

	"github.com/retainhq/retain"
)

// TestAttributesMustBeText: found by FuzzCSVCustomers (a NUL in a header
// became an attribute name PostgreSQL cannot store). Names and values of
// attributes, from any reader or the API, are refused unless they are text.
func TestAttributesMustBeText(t *testing.T) {
	for field, attrs := range map[string]map[string]string{
		"attributes":      {"ci\x00ty": "Dhaka"},
		"attributes.city": {"city": "Dh\xffaka"},
	} {
		c := retain.Customer{ExternalID: "c1", Attributes: attrs}
		if _, ok := c.Validate()[field]; !ok {
			t.Errorf("%q: problems %v, want one on %s", attrs, c.Validate(), field)
		}
	}
	ok := retain.Customer{ExternalID: "c1", Attributes: map[string]string{"শহর": "ঢাকা"}}
	if p := ok.Validate(); len(p) != 0 {
		t.Errorf("Bengali attributes refused: %v", p)
	}
}
