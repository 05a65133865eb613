package classify

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// A Report measures a classifier on labelled texts: accuracy overall and
// by language, precision and recall by cause (none counted as a class).
type Report struct {
	N, Right int
	ByLang   map[string]*Tally
	ByCause  map[string]*CauseTally
}

// A Tally counts texts and how many got the right cause.
type Tally struct{ N, Right int }

// Accuracy is the share right.
func (t Tally) Accuracy() float64 { return ratio(t.Right, t.N) }

// A CauseTally counts, for one cause, how often it was said rightly
// (TP), wrongly (FP) and missed (FN).
type CauseTally struct{ TP, FP, FN int }

// Precision is the share of the cause's verdicts that were right.
func (c CauseTally) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is the share of the cause's texts found.
func (c CauseTally) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Accuracy is the share of texts right.
func (r Report) Accuracy() float64 { return ratio(r.Right, r.N) }

// Evaluate runs classify over the examples.
func Evaluate(classify func(string) string, examples []Example) Report {
	r := Report{ByLang: map[string]*Tally{}, ByCause: map[string]*CauseTally{}}
	for _, c := range classes {
		r.ByCause[c] = &CauseTally{}
	}
	for _, e := range examples {
		got := classify(e.Text)
		if r.ByLang[e.Lang] == nil {
			r.ByLang[e.Lang] = &Tally{}
		}
		r.N++
		r.ByLang[e.Lang].N++
		if got == e.Cause {
			r.Right++
			r.ByLang[e.Lang].Right++
			r.ByCause[got].TP++
			continue
		}
		r.ByCause[e.Cause].FN++
		if ct := r.ByCause[got]; ct != nil {
			ct.FP++
		}
	}
	return r
}

// Print writes the report as two tables.
func (r Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "language\ttexts\tright\taccuracy\t\n")
	langs := make([]string, 0, len(r.ByLang))
	for l := range r.ByLang {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		t := r.ByLang[l]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t\n", l, t.N, t.Right, 100*t.Accuracy())
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%.1f%%\t\n\n", r.N, r.Right, 100*r.Accuracy())
	fmt.Fprintf(tw, "cause\tprecision\trecall\t\t\n")
	for _, c := range classes {
		name := c
		if c == "" {
			name = "(none)"
		}
		ct := r.ByCause[c]
		fmt.Fprintf(tw, "%s\t%.1f%%\t%.1f%%\t\t\n", name, 100*ct.Precision(), 100*ct.Recall())
	}
	tw.Flush()
}
