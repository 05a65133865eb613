package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestScoreCDNOWEndToEnd is the check: import the CDNOW sample, score
// it with BG/NBD in weeks, and get the published parameters and LL.
func TestScoreCDNOWEndToEnd(t *testing.T) {
	path := cdnowFile(t, "CDNOW_sample.txt")
	db := filepath.Join(t.TempDir(), "r.db")
	mustRun(t, "import", "orders", "--format", "cdnow", path, "--db", db)
	out := mustRun(t, "score", "--calibration-end", "1997-09-30", "--time-unit", "weeks", "--model", "bgnbd", "--json", "--db", db)
	var res struct {
		Model      string             `json:"model"`
		Params     map[string]float64 `json:"params"`
		LL         float64            `json:"log_likelihood"`
		Customers  int                `json:"customers"`
		GammaGamma map[string]float64 `json:"gamma_gamma"`
		Seconds    *float64           `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("score --json: %v\n%s", err, out)
	}
	for k, want := range map[string]float64{"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426} {
		if math.Abs(res.Params[k]-want) > 0.0015 {
			t.Errorf("%s = %v, want ≈ %v", k, res.Params[k], want)
		}
	}
	if res.Model != "bgnbd" || math.Abs(res.LL+9582.4) > 0.1 || res.Customers != 2357 || res.Seconds == nil {
		t.Errorf("score: %+v", res)
	}
	for _, k := range []string{"p", "q", "v"} {
		if _, ok := res.GammaGamma[k]; !ok {
			t.Errorf("gamma_gamma has no %s: %v", k, res.GammaGamma)
		}
	}

	csvPath := filepath.Join(t.TempDir(), "scores.csv")
	mustRun(t, "scores", "export", "--out", csvPath, "--db", db)
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 2358 {
		t.Fatalf("export: %d rows, %v", len(recs), err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"external_id", "frequency", "recency", "T", "monetary_value", "p_alive", "expected_purchases", "clv", "health", "segment", "flags"} {
		if _, ok := col[h]; !ok {
			t.Errorf("export has no column %s", h)
		}
	}
	if first := recs[1]; first[col["external_id"]] != "00004" || first[col["frequency"]] != "2" || !strings.HasPrefix(first[col["p_alive"]], "0.726") {
		t.Errorf("first row = %v", first)
	}

	out = mustRun(t, "evaluate", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--time-unit", "weeks", "--model", "bgnbd", "--db", db)
	for _, want := range []string{"actual 1882", "x  customers  predicted  actual", "AUC of expected purchases", "note: BG/NBD gives every one-time buyer"} {
		if !strings.Contains(out, want) {
			t.Errorf("evaluate output lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "report", "--db", db); !strings.Contains(out, "Scoring runs") || !strings.Contains(out, "bgnbd") {
		t.Errorf("report lacks the scores section:\n%s", out)
	}
	if code, _, errOut := run(t, "score", "--model", "nope", "--db", db); code != 2 || !strings.Contains(errOut, "model") {
		t.Errorf("bad model: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "evaluate", "--calibration-end", "1997-09-30", "--db", db); code != 2 || !strings.Contains(errOut, "--holdout-end") {
		t.Errorf("evaluate without holdout: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "score", "--health-weights", "pallive=1", "--db", db); code != 2 || !strings.Contains(errOut, "p_alive") {
		t.Errorf("bad weights: exit %d, %q", code, errOut)
	}
	// Health from recency alone: a customer's score is then exactly the
	// recency factor's contribution.
	mustRun(t, "score", "--calibration-end", "1997-09-30", "--time-unit", "weeks", "--model", "bgnbd", "--db", db,
		"--health-weights", "p_alive=0,rhythm=0,value=0,satisfaction=0,service=0,recency=1")
	recs, err = csv.NewReader(strings.NewReader(mustRun(t, "scores", "export", "--db", db))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		got := rec[len(rec)-2]
		points, err1 := strconv.ParseFloat(strings.TrimPrefix(got, "recency:"), 64)
		health, err2 := strconv.ParseFloat(rec[col["health"]], 64)
		if !strings.HasPrefix(got, "recency:") || err1 != nil || err2 != nil || math.Abs(points-health) > 0.15 { // each rounded to 0.1
			t.Fatalf("health %s with factors %q; want recency alone", rec[col["health"]], got)
		}
	}
}
