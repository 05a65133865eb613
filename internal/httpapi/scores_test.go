package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/store/storetest"
)

func TestCustomerScores(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	get := func(id, key string) (int, map[string]any) {
		t.Helper()
		return f.call(t, key, http.MethodGet, "/api/v1/customers/"+id+"/scores", nil)
	}
	if code, out := get("c1", f.key); code != 404 {
		t.Errorf("before any scoring run: %d %v", code, out)
	}
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(context.Background(), f.db, demo.Options{Customers: 300, Seed: 5, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Score(context.Background(), f.db, core.ScoreOptions{CalibrationEnd: asOf}); err != nil {
		t.Fatal(err)
	}
	want, _, err := f.db.LatestScore(context.Background(), "C00001")
	if err != nil {
		t.Fatal(err)
	}
	code, out := get("C00001", f.key)
	if code != 200 || out["frequency"] != float64(want.Frequency) || out["health"] != want.Health || out["segment"] != string(want.Segment) ||
		out["currency"] != want.Currency {
		t.Fatalf("scores: %d %v, want %+v", code, out, want)
	}
	if fs, _ := out["factors"].([]any); len(fs) == 0 {
		t.Errorf("no factors: %v", out)
	}
	if code, _ := get("nobody", f.key); code != 404 {
		t.Errorf("unknown customer: %d", code)
	}
	if code, _ := get("c1", "rtn_wrong"); code != 401 {
		t.Errorf("wrong key: %d", code)
	}
}
