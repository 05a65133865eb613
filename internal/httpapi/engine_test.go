package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store/storetest"
)

func TestEngineAPI(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	if _, err := demo.Generate(ctx, f.db, demo.Options{Customers: 150, Seed: 2, AsOf: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Detect(ctx, f.db, core.DetectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, f.db, false); err != nil { // as serve does at start
		t.Fatal(err)
	}
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return f.call(t, f.key, method, path, body)
	}
	code, out := call("GET", "/api/v1/alerts", nil)
	alerts, _ := out["alerts"].([]any)
	if code != 200 || len(alerts) == 0 {
		t.Fatalf("alerts: %d %v", code, out)
	}
	id := int64(alerts[0].(map[string]any)["id"].(float64))
	path := fmt.Sprintf("/api/v1/alerts/%d", id)
	if code, _ := call("POST", path+"/snooze", map[string]any{"until": now.Add(48 * time.Hour), "reason": ""}); code != 422 {
		t.Errorf("snooze without a reason: %d", code)
	}
	if code, out := call("POST", path+"/snooze", map[string]any{"until": now.Add(48 * time.Hour), "reason": "away"}); code != 204 {
		t.Errorf("snooze: %d %v", code, out)
	}
	if code, out := call("POST", path+"/resolve", map[string]any{"outcome": "called"}); code != 204 {
		t.Errorf("resolve: %d %v", code, out)
	}
	if code, _ := call("POST", path+"/resolve", map[string]any{"outcome": "again"}); code != 404 {
		t.Errorf("resolve twice: %d", code)
	}
	code, out = call("GET", "/api/v1/playbooks", nil)
	if pbs, _ := out["playbooks"].([]any); code != 200 || len(pbs) != 16 {
		t.Fatalf("playbooks: %d %v", code, out)
	}
	if code, _ := call("POST", "/api/v1/playbooks/service_recovery/enabled", map[string]any{"enabled": true}); code != 204 {
		t.Errorf("enable: %d", code)
	}
	code, out = call("POST", "/api/v1/playbooks/service_recovery/simulate", map[string]any{"customer_id": "C00001", "reason": "detractor"})
	if steps, _ := out["steps"].([]any); code != 200 || len(steps) < 4 {
		t.Errorf("simulate: %d %v", code, out)
	}
	if code, out := call("PUT", "/api/v1/playbooks/service_recovery", map[string]any{"key": "service_recovery"}); code != 400 {
		t.Errorf("put of an invalid playbook: %d %v", code, out)
	}
	if code, out := call("GET", "/api/v1/tasks", nil); code != 200 || out["tasks"] == nil {
		t.Errorf("tasks: %d %v", code, out)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/alerts", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("without a key: %v %v", resp.StatusCode, err)
	}
}
