package analytics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
)

var catNames = []string{"tea", "snacks", "kitchen", "clothing"}

func days(gaps []int, values []float64, cats [][]string) []analytics.Day {
	out := []analytics.Day{{Day: 1000, Value: float32(values[0])}}
	for i, g := range gaps {
		out = append(out, analytics.Day{Day: out[len(out)-1].Day + int32(g), Value: float32(values[i+1])})
	}
	for i := range cats {
		for _, c := range cats[i] {
			for j, n := range catNames {
				if n == c {
					out[i].Cats |= 1 << j
				}
			}
		}
	}
	return out
}

func names(fs []retain.Flag) string {
	var n []string
	for _, f := range fs {
		n = append(n, f.Name)
	}
	return strings.Join(n, ",")
}

func TestRhythm(t *testing.T) {
	c := analytics.DefaultRhythm
	steady := days([]int{30, 30, 30, 30, 30}, []float64{100, 100, 100, 100, 100, 100}, nil)
	if f := c.Rhythm(steady, 1150+20, 30, catNames); len(f) != 0 {
		t.Errorf("steady buyer, on time: %s", names(f))
	}
	if f := c.Rhythm(steady, 1150+60, 30, catNames); names(f) != "overdue" || !strings.Contains(f[0].Evidence, "usually orders every 30 days") {
		t.Errorf("steady buyer, 60 days late: %+v", f)
	}
	slowing := days([]int{20, 20, 20, 45, 50}, []float64{100, 100, 100, 100, 100, 100}, nil)
	if f := c.Rhythm(slowing, 1155+10, 30, catNames); !strings.Contains(names(f), "slowing") {
		t.Errorf("slowing: %s", names(f))
	}
	faster := days([]int{40, 40, 40, 12, 12}, []float64{100, 100, 100, 100, 100, 100}, nil)
	if f := c.Rhythm(faster, 1144+5, 30, catNames); !strings.Contains(names(f), "speeding_up") {
		t.Errorf("speeding up: %s", names(f))
	}
	shrink := days([]int{30, 30, 30, 30, 30}, []float64{100, 100, 100, 100, 40, 30}, nil)
	if f := c.Rhythm(shrink, 1150+10, 30, catNames); !strings.Contains(names(f), "shrinking") {
		t.Errorf("shrinking: %s", names(f))
	}
	mix := days([]int{30, 30, 30, 30}, []float64{100, 100, 100, 100, 100},
		[][]string{{"tea"}, {"tea"}, {"tea", "snacks"}, {"kitchen"}, {"kitchen", "clothing"}})
	f := c.Rhythm(mix, 1120+10, 30, catNames)
	if !strings.Contains(names(f), "mix_shift") || !strings.Contains(f[len(f)-1].Evidence, "clothing kitchen") {
		t.Errorf("mix shift: %+v", f)
	}
	// A short history is shrunk toward the population cadence instead of
	// trusting one gap: one 5-day gap with a 60-day population gap gives 41.7.
	short := days([]int{5}, []float64{100, 100}, nil)
	if got := c.Cadence(short, 60); math.Abs(got-(5+2*60)/3.0) > 1e-9 {
		t.Errorf("cadence = %v", got)
	}
	if f := c.Rhythm(short, 1005+30, 60, catNames); names(f) != "not_enough_history" {
		t.Errorf("short history 30 days after: %s", names(f))
	}
}

func TestHealth(t *testing.T) {
	good := analytics.HealthInput{PAlive: 0.95, DaysSince: 10, Cadence: 30, CLVRank: 0.9, Satisfaction: 1, SurveyWhy: "NPS 10"}
	bad := analytics.HealthInput{PAlive: 0.1, DaysSince: 120, Cadence: 30, CLVRank: 0.2, Satisfaction: 0.1,
		Flags: []retain.Flag{{Kind: "risk"}, {Kind: "risk"}}, Complaints: 2, Chargebacks: 1}
	gs, gf := analytics.Health(good, analytics.DefaultHealthWeights)
	bs, _ := analytics.Health(bad, analytics.DefaultHealthWeights)
	if gs < 85 || bs > 25 || gs <= bs {
		t.Fatalf("good %v, bad %v", gs, bs)
	}
	sum, weights := 0.0, 0.0
	for _, f := range gf {
		sum += f.Contribution
		weights += f.Weight
		if f.Why == "" {
			t.Errorf("factor %s has no explanation", f.Name)
		}
	}
	if math.Abs(sum-gs) > 0.1 || math.Abs(weights-1) > 1e-9 {
		t.Errorf("contributions %v ≠ score %v, or weights %v ≠ 1", sum, gs, weights)
	}
	// No survey: satisfaction is left out and the rest renormalised.
	noSurvey := good
	noSurvey.Satisfaction = math.NaN()
	_, fs := analytics.Health(noSurvey, analytics.DefaultHealthWeights)
	for _, f := range fs {
		if f.Name == "satisfaction" {
			t.Error("satisfaction factor without a survey")
		}
	}
}

func TestQuintilesAndSegments(t *testing.T) {
	q := analytics.Quintiles([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false)
	want := []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	for i := range q {
		if q[i] != want[i] {
			t.Fatalf("quintiles = %v, want %v", q, want)
		}
	}
	if q := analytics.Quintiles([]float64{5, 5, 5, 5}, false); q[0] != q[3] {
		t.Errorf("ties split: %v", q)
	}
	if s := analytics.Segment(5, 5, 5); s != "champions" {
		t.Error(s)
	}
	if s := analytics.Segment(1, 5, 2); s != "cannot_lose" {
		t.Error(s)
	}
	if s := analytics.Segment(5, 1, 1); s != "new" {
		t.Error(s)
	}
}

func TestParseHealthWeights(t *testing.T) {
	w, err := analytics.ParseHealthWeights("p_alive=0.5, satisfaction=0")
	if err != nil {
		t.Fatal(err)
	}
	if w["p_alive"] != 0.5 || w["satisfaction"] != 0 || w["value"] != analytics.DefaultHealthWeights["value"] {
		t.Errorf("weights %v", w)
	}
	in := analytics.HealthInput{PAlive: 0.9, CLVRank: 0.5, Satisfaction: 0.1}
	_, fs := analytics.Health(in, w)
	for _, f := range fs {
		if f.Name == "satisfaction" {
			t.Error("a zero weight must leave the factor out")
		}
	}
	for _, bad := range []string{"palive=1", "p_alive", "p_alive=-1", "p_alive=x",
		"p_alive=0,recency=0,rhythm=0,value=0,satisfaction=0,service=0"} {
		if _, err := analytics.ParseHealthWeights(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if analytics.DefaultHealthWeights["p_alive"] != 0.30 {
		t.Error("parsing changed the defaults")
	}
}
