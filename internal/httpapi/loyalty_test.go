package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestPointsAPI: points given by an admin key, spent by a till's write
// key once per key (the retried request answers what the first did), a
// redemption beyond the balance a 400 naming points, an adjustment refused
// to a write key, and the balance read back with its lots.
func TestPointsAPI(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			_, till, err := f.db.CreateAPIKey(ctx, retain.System("test"), "till", []retain.Scope{retain.ScopeWrite})
			if err != nil {
				t.Fatal(err)
			}
			if code, out := f.call(t, f.key, "POST", "/api/v1/events", map[string]any{"events": []any{
				map[string]any{"id": "c1", "type": "customer.upsert", "customer": map[string]any{"external_id": "C1", "name": "Sita"}}}}); code != 200 {
				t.Fatalf("customer: %d %v", code, out)
			}
			if code, out := f.call(t, f.key, "POST", "/api/v1/customers/C1/points/adjustments", map[string]any{"points": 120, "key": "welcome", "reason": "Welcome"}); code != 200 ||
				out["balance"].(float64) != 120 {
				t.Fatalf("adjust: %d %v", code, out)
			}
			for i := range 2 {
				code, out := f.call(t, till, "POST", "/api/v1/customers/C1/points/redemptions", map[string]any{"points": 50, "key": "receipt-77"})
				if code != 200 || out["balance"].(float64) != 70 || out["points"].(float64) != 50 || out["replayed"].(bool) != (i == 1) {
					t.Errorf("redemption %d: %d %v", i, code, out)
				}
			}
			for _, c := range []struct {
				key, path string
				body      map[string]any
				code      int
				field     string
			}{
				{till, "/api/v1/customers/C1/points/redemptions", map[string]any{"points": 71, "key": "receipt-78"}, 400, "points"},
				{till, "/api/v1/customers/nobody/points/redemptions", map[string]any{"points": 1, "key": "receipt-79"}, 400, "customer_id"},
				{till, "/api/v1/customers/C1/points/adjustments", map[string]any{"points": 1000, "key": "x", "reason": "free"}, 403, ""},
			} {
				code, out := f.call(t, c.key, "POST", c.path, c.body)
				if raw, _ := json.Marshal(out); code != c.code || !strings.Contains(string(raw), c.field) {
					t.Errorf("%s %v: %d %s, want %d naming %s", c.path, c.body, code, raw, c.code, c.field)
				}
			}
			code, out := f.call(t, till, "GET", "/api/v1/customers/C1/points", nil)
			if code != 200 || out["balance"].(float64) != 70 || out["redeemed"].(float64) != 50 || len(out["lots"].([]any)) != 1 {
				t.Errorf("points: %d %v", code, out)
			}
		})
	}
}
