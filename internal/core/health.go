package core

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

// finishScores adds to each buyer's predictions the RFM segment, the
// purchase-rhythm flags and the explained health score, and summarises the run.
// scores hold the buyers of rfm in order.
func finishScores(scores []retain.Score, rfm []analytics.RFM, h *history, signals map[int64]*store.Signals,
	opts ScoreOptions, calEnd int, unit float64, model string) RunSummary {
	buyers := make([]int, 0, len(scores)) // score → customer index
	for i, r := range rfm {
		if r.Buyer {
			buyers = append(buyers, i)
		}
	}
	// RFM quintiles: recency and frequency over everyone, value within a currency.
	rec, freq := make([]float64, len(scores)), make([]float64, len(scores))
	for k, i := range buyers {
		rec[k] = float64(calEnd - rfm[i].LastDay)
		freq[k] = float64(rfm[i].X + 1)
	}
	rq, fq := analytics.Quintiles(rec, true), analytics.Quintiles(freq, false)
	mq, clvRank := make([]int, len(scores)), make([]float64, len(scores))
	byCur := map[string][]int{}
	for k := range scores {
		byCur[scores[k].Currency] = append(byCur[scores[k].Currency], k)
	}
	for _, ks := range byCur {
		vals, clvs := make([]float64, len(ks)), make([]float64, len(ks))
		for j, k := range ks {
			vals[j] = meanDayValue(h.days[buyers[k]], calEnd) / retain.MinorPerUnit(scores[k].Currency)
			clvs[j] = scores[k].CLV
		}
		q := analytics.Quintiles(vals, false)
		ranks := percentRanks(clvs)
		for j, k := range ks {
			mq[k], clvRank[k] = q[j], ranks[j]
		}
	}
	popGap := populationGap(rfm, unit)
	// Each customer is independent: split them over the cores in fixed
	// chunks (so the sums are the same from run to run), then merge.
	one := func(k int, sum *RunSummary) {
		i, s := buyers[k], &scores[k]
		s.R, s.F, s.M = rq[k], fq[k], mq[k]
		s.Segment = analytics.Segment(s.R, s.F, s.M)
		calDays := daysUpTo(h.days[i], calEnd)
		flags := analytics.DefaultRhythm.Rhythm(calDays, calEnd, popGap, h.catNames)
		in := analytics.HealthInput{PAlive: s.PAlive, DaysSince: float64(calEnd - rfm[i].LastDay),
			Cadence: analytics.DefaultRhythm.Cadence(calDays, popGap), Flags: flags, CLVRank: clvRank[k], Satisfaction: math.NaN()}
		if sig := signals[s.CustomerID]; sig != nil {
			in.OpenTickets, in.Complaints, in.Returns, in.Refusals, in.Chargebacks = sig.OpenTickets, sig.Complaints, sig.Returns, sig.Refusals, sig.Chargebacks
			if sig.SurveyKind != "" {
				in.Satisfaction, in.SurveyWhy = satisfaction(sig)
			}
		}
		if model == "bgnbd" && rfm[i].X == 0 {
			// P12: BG/NBD gives every one-time buyer P(alive) = 1; the
			// health score relies on recency for them instead.
			in.PAlive = math.NaN()
		}
		health, factors := analytics.Health(in, opts.Weights)
		s.Health = health
		s.Flags, s.Factors = flags, factors

		sum.MeanHealth += health
		sum.MeanPAlive += s.PAlive
		sum.ExpectedPurchases += s.ExpectedPurchases
		sum.CLV[s.Currency] += s.CLV
		sum.Segments[string(s.Segment)]++
		for _, f := range flags {
			sum.Flags[f.Name]++
		}
		s.Stage = analytics.DefaultRhythm.Stage(calDays, calEnd, popGap, health, flags, s.F)
		if sig := signals[s.CustomerID]; sig != nil && sig.Churned {
			s.Stage = retain.StageChurned
		}
		sum.Stages[s.Stage]++
		if s.Stage == retain.StageAtRisk {
			sum.AtRisk++
		}
	}
	workers := runtime.GOMAXPROCS(0)
	parts := make([]RunSummary, workers)
	chunk := (len(buyers) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range parts {
		parts[w] = RunSummary{CLV: map[string]float64{}, Segments: map[string]int{}, Flags: map[string]int{}, Stages: map[string]int{}}
		lo, hi := w*chunk, min(len(buyers), (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := lo; k < hi; k++ {
				one(k, &parts[w])
			}
		}()
	}
	wg.Wait()
	sum := parts[0]
	for _, p := range parts[1:] {
		sum.merge(p)
	}
	sum.Customers = len(scores)
	if n := float64(len(scores)); n > 0 {
		sum.MeanHealth = math.Round(sum.MeanHealth/n*10) / 10
		sum.MeanPAlive = math.Round(sum.MeanPAlive/n*1000) / 1000
	}
	return sum
}

// merge adds another part's sums and counts (before the means are taken).
func (s *RunSummary) merge(p RunSummary) {
	s.MeanHealth += p.MeanHealth
	s.MeanPAlive += p.MeanPAlive
	s.ExpectedPurchases += p.ExpectedPurchases
	s.AtRisk += p.AtRisk
	for k, v := range p.CLV {
		s.CLV[k] += v
	}
	for k, v := range p.Segments {
		s.Segments[k] += v
	}
	for k, v := range p.Flags {
		s.Flags[k] += v
	}
	for k, v := range p.Stages {
		s.Stages[k] += v
	}
}

// satisfaction scales the latest survey answer to 0–1 and says what it was.
func satisfaction(s *store.Signals) (float64, string) {
	at := s.SurveyAt.Format(time.DateOnly)
	switch s.SurveyKind {
	case "nps":
		return float64(s.SurveyScore) / 10, fmt.Sprintf("NPS %d on %s", s.SurveyScore, at)
	case "csat":
		return float64(s.SurveyScore-1) / 4, fmt.Sprintf("CSAT %d/5 on %s", s.SurveyScore, at)
	case "ces":
		return float64(7-s.SurveyScore) / 6, fmt.Sprintf("effort %d/7 on %s", s.SurveyScore, at)
	}
	return math.NaN(), ""
}

func daysUpTo(ds []analytics.Day, calEnd int) []analytics.Day {
	n := sort.Search(len(ds), func(i int) bool { return int(ds[i].Day) > calEnd })
	return ds[:n]
}

func meanDayValue(ds []analytics.Day, calEnd int) float64 {
	ds = daysUpTo(ds, calEnd)
	if len(ds) == 0 {
		return 0
	}
	s := 0.0
	for _, d := range ds {
		s += float64(d.Value)
	}
	return s / float64(len(ds))
}

// populationGap is the median of repeaters' mean gaps, in days: the cadence a
// short history is shrunk toward.
func populationGap(rfm []analytics.RFM, unit float64) float64 {
	var gaps []float64
	for _, r := range rfm {
		if r.X > 0 {
			gaps = append(gaps, r.Tx*unit/float64(r.X))
		}
	}
	if len(gaps) == 0 {
		return 30
	}
	sort.Float64s(gaps)
	return math.Max(1, gaps[len(gaps)/2])
}

// percentRanks gives each value the share of values below it (0–1).
func percentRanks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]float64, len(v))
	for r := 0; r < len(idx); {
		e := r
		for e < len(idx) && v[idx[e]] == v[idx[r]] {
			e++
		}
		for k := r; k < e; k++ {
			if len(v) > 1 {
				out[idx[k]] = float64(r) / float64(len(v)-1)
			}
		}
		r = e
	}
	return out
}
