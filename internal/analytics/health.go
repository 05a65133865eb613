package analytics

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
)

// HealthWeights are the configurable weights of the factors; a factor with
// no data for a customer is left out and the others are renormalised.
type HealthWeights map[string]float64

// DefaultHealthWeights weigh activity most, then satisfaction.
var DefaultHealthWeights = HealthWeights{
	"p_alive": 0.30, "recency": 0.15, "rhythm": 0.10, "value": 0.15, "satisfaction": 0.20, "service": 0.10,
}

// HealthInput is what the score looks at for one customer.
type HealthInput struct {
	PAlive       float64
	DaysSince    float64 // since the last order
	Cadence      float64 // usual gap, days
	Flags        []retain.Flag
	CLVRank      float64 // CLV percentile among customers, 0–1
	Satisfaction float64 // latest survey, scaled 0–1; NaN when none
	SurveyWhy    string
	OpenTickets  int
	Complaints   int // tickets in the last 180 days
	Returns      int // returned or refunded orders, last 180 days
	Chargebacks  int
	Refusals     int
}

// Health scores a customer 0–100 and says why.
func Health(in HealthInput, w HealthWeights) (float64, []retain.Factor) {
	var fs []retain.Factor
	add := func(name string, v float64, why string) {
		if wt, ok := w[name]; ok && wt > 0 && !math.IsNaN(v) {
			fs = append(fs, retain.Factor{Name: name, Weight: wt, Value: clamp01(v), Why: why})
		}
	}
	add("p_alive", in.PAlive, fmt.Sprintf("%.0f%% likely still buying", 100*in.PAlive))
	if in.Cadence > 0 {
		ratio := in.DaysSince / in.Cadence
		add("recency", math.Exp(-math.Max(0, ratio-1)), fmt.Sprintf("last order %.0f days ago; usual gap %.0f days", in.DaysSince, in.Cadence))
	}
	risks := 0
	for _, f := range in.Flags {
		if f.Kind == "risk" {
			risks++
		}
	}
	add("rhythm", 1-0.34*float64(risks), fmt.Sprintf("%d purchase-rhythm risk flags", risks))
	add("value", in.CLVRank, fmt.Sprintf("lifetime value above %.0f%% of customers", 100*in.CLVRank))
	add("satisfaction", in.Satisfaction, in.SurveyWhy)
	bad := 0.25*float64(in.Complaints) + 0.2*float64(in.OpenTickets) + 0.3*float64(in.Returns) + 0.3*float64(in.Refusals) + 0.6*float64(in.Chargebacks)
	add("service", 1-math.Min(1, bad), fmt.Sprintf("%d open tickets, %d complaints, %d returns, %d refusals, %d chargebacks in 180 days",
		in.OpenTickets, in.Complaints, in.Returns, in.Refusals, in.Chargebacks))
	total := 0.0
	for _, f := range fs {
		total += f.Weight
	}
	score := 0.0
	for i := range fs {
		fs[i].Weight /= total
		fs[i].Contribution = 100 * fs[i].Weight * fs[i].Value
		score += fs[i].Contribution
		fs[i].Weight, fs[i].Value, fs[i].Contribution = roundTo(fs[i].Weight, 4), roundTo(fs[i].Value, 4), roundTo(fs[i].Contribution, 2)
	}
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].Weight > fs[b].Weight })
	return math.Round(finite(score, 0)*10) / 10, fs
}

// ParseHealthWeights reads "name=weight,…" over the defaults: named factors
// take the new weight (0 leaves a factor out), the others keep theirs.
func ParseHealthWeights(s string) (HealthWeights, error) {
	w := HealthWeights{}
	for k, v := range DefaultHealthWeights {
		w[k] = v
	}
	if strings.TrimSpace(s) == "" {
		return w, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.TrimSpace(name)
		if _, known := DefaultHealthWeights[name]; !ok || !known {
			return nil, fmt.Errorf("%q: want name=weight with name one of %s", part, strings.Join(healthFactorNames(), ", "))
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%q: weight must be a number ≥ 0", part)
		}
		w[name] = x
	}
	total := 0.0
	for _, v := range w {
		total += v
	}
	if total == 0 {
		return nil, fmt.Errorf("every health weight is 0")
	}
	return w, nil
}

func healthFactorNames() []string {
	names := make([]string, 0, len(DefaultHealthWeights))
	for k := range DefaultHealthWeights {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
