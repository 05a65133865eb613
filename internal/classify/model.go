package classify

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The statistical model: multinomial naive Bayes over each word, its
// character n-grams (3 to 5 letters, so that inflected forms share most
// of their features: চ্যাতিয়ো and চ্যাতিয়েছে, বিগড়ে and বিগড়েছে) and its
// negation (the word before a negator, as Bengali and Nepali put it, and
// the word after one, as English does: "ভালো না", "राम्रो छैन", "not good").
// Six classes: the five causes and none (praise, or nothing to fix).
//
// The weights are counts, trained from the corpus's training part by
// `go generate` (./train) with the confidence's temperature (Calibrate),
// and embedded; a test fails when they are stale.
//
//go:generate go run ./train
//go:embed model.tsv
var modelTSV string

// classes are the model's classes: the causes, then none ("").
var classes = append(slices.Clone(Causes), "")

// Negators mark a negation: English puts its negator before the word it
// negates ("not good"), Bengali and Nepali after ("ভালো না", "राम्रो छैन",
// and so when romanized: "valo na", "ramro chaina").
var (
	negatorsBefore = map[string]bool{"not": true, "no": true, "never": true, "dont": true, "doesnt": true, "didnt": true, "isnt": true,
		"wasnt": true, "cant": true, "cannot": true, "wont": true, "nothing": true, "without": true}
	negatorsAfter = map[string]bool{"না": true, "নয়": true, "নাই": true, "নেই": true, "নি": true, "নাহ": true,
		"छैन": true, "होइन": true, "हैन": true, "न": true, "नाइँ": true, "थिएन": true, "भएन": true,
		"na": true, "nai": true, "noy": true, "nei": true, "chaina": true, "chhaina": true, "hoina": true, "haina": true, "thiyena": true, "bhayena": true}
)

// A Model scores texts by class.
type Model struct {
	counts  map[string][]float64 // feature → count per class
	weights map[string][]float64 // feature → log P(feature | class), from the counts
	totals  []float64            // feature count per class
	docs    []float64            // training texts per class
	vocab   float64
	temp    float64 // the confidence's temperature (Calibrate)
}

// features are a text's features, each with the word (or words) it comes
// from, for the evidence.
func features(ws []string) (fs []string, from []string) {
	add := func(f, w string) { fs, from = append(fs, f), append(from, w) }
	for i, w := range ws {
		if negatorsAfter[w] {
			if i > 0 {
				add("n:"+ws[i-1], ws[i-1]+" "+w)
			}
			continue
		}
		if negatorsBefore[w] {
			if i+1 < len(ws) {
				add("n:"+ws[i+1], w+" "+ws[i+1])
			}
			continue
		}
		add("w:"+w, w)
		r := []rune("<" + w + ">")
		for n := gramMin; n <= gramMax; n++ {
			for j := 0; j+n <= len(r); j++ {
				add("g:"+string(r[j:j+n]), w)
			}
		}
	}
	lf, lfrom := lexiconFeatures(ws)
	for i := range lf {
		for range lexWeight {
			add(lf[i], lfrom[i])
		}
	}
	return fs, from
}

// How the features are made, chosen by cross-validation on the training
// part of the corpus (never on the held-out part): n-grams of gramMin to
// gramMax letters, and a lexicon match counted lexWeight times.
var (
	gramMin, gramMax = 4, 6
	lexWeight        = 10
)

// Train counts the examples' features by class.
func Train(examples []Example) *Model {
	m := &Model{counts: map[string][]float64{}, totals: make([]float64, len(classes)), docs: make([]float64, len(classes))}
	for _, e := range examples {
		c := slices.Index(classes, e.Cause)
		m.docs[c]++
		fs, _ := features(words(e.Text))
		for _, f := range fs {
			if m.counts[f] == nil {
				m.counts[f] = make([]float64, len(classes))
			}
			m.counts[f][c]++
			m.totals[c]++
		}
	}
	m.finish()
	return m
}

// Result is what the classifier says of a text: its cause ("" for none),
// how sure it is (0–1), and the words that decided it.
type Result struct {
	Cause      string   `json:"cause"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
}

// scores are the log posterior of each class for the features fs, up to
// a constant, and the best class.
func (m *Model) scores(fs []string) (score []float64, best int) {
	var n float64
	for _, d := range m.docs {
		n += d
	}
	score = make([]float64, len(classes))
	for c := range classes {
		score[c] = math.Log((m.docs[c] + 1) / (n + float64(len(classes))))
	}
	// Features the model never saw say nothing and are left out.
	for _, f := range fs {
		if m.counts[f] == nil {
			continue
		}
		for c := range classes {
			score[c] += m.logp(f, c)
		}
	}
	for c := range score {
		if score[c] > score[best] {
			best = c
		}
	}
	return score, best
}

// logp is a feature's weight for a class, Laplace-smoothed.
func (m *Model) logp(f string, c int) float64 { return m.weights[f][c] }

// finish works out every feature's weights once the counts are known:
// reading a text then costs lookups, not logarithms.
func (m *Model) finish() {
	m.vocab = float64(len(m.counts))
	m.weights = make(map[string][]float64, len(m.counts))
	for f, counts := range m.counts {
		w := make([]float64, len(classes))
		for c := range classes {
			w[c] = math.Log((counts[c] + 1) / (m.totals[c] + m.vocab))
		}
		m.weights[f] = w
	}
}

// confidence is the best class's probability with the scores tempered by
// m.temp: naive Bayes adds up features as if independent, n-grams of one
// word are not, and its raw posteriors are near 1 whatever the text.
func (m *Model) confidence(score []float64, best int) float64 {
	t := max(m.temp, 1)
	var sum float64
	for c := range score {
		sum += math.Exp((score[c] - score[best]) / t)
	}
	return 1 / sum
}

// Classify is the model's reading of text.
func (m *Model) Classify(text string) Result {
	fs, from := features(words(text))
	if len(fs) == 0 {
		return Result{Confidence: 1}
	}
	score, best := m.scores(fs)
	res := Result{Cause: classes[best], Confidence: m.confidence(score, best)}
	// Evidence: the words whose features favour the class most over the
	// average class.
	weight := map[string]float64{}
	var order []string
	for i, f := range fs {
		if m.counts[f] == nil {
			continue
		}
		var mean float64
		for c := range classes {
			mean += m.logp(f, c)
		}
		mean /= float64(len(classes))
		if _, ok := weight[from[i]]; !ok {
			order = append(order, from[i])
		}
		weight[from[i]] += m.logp(f, best) - mean
	}
	slices.SortStableFunc(order, func(a, b string) int { return -cmpFloat(weight[a], weight[b]) })
	for _, w := range order {
		if weight[w] <= 1 || len(res.Evidence) == 3 {
			break
		}
		// A word already shown in a phrase ("ভালো" in "ভালো না") is not
		// shown again.
		if !slices.ContainsFunc(res.Evidence, func(e string) bool { return slices.Contains(strings.Fields(e), w) }) {
			res.Evidence = append(res.Evidence, w)
		}
	}
	return res
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Calibrate sets the confidence's temperature: the one, of a few, whose
// confidences best fit five-fold cross-validation on examples (the least
// log loss of the right class).
func (m *Model) Calibrate(examples []Example) {
	type seen struct {
		score []float64
		right int
	}
	var all []seen
	for k := range 5 {
		var train, test []Example
		for i, e := range examples {
			if i%5 == k {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		fold := Train(train)
		for _, e := range test {
			fs, _ := features(words(e.Text))
			score, _ := fold.scores(fs)
			all = append(all, seen{score, slices.Index(classes, e.Cause)})
		}
	}
	bestLoss := math.Inf(1)
	for _, t := range []float64{1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120} {
		var loss float64
		for _, s := range all {
			var sum float64
			for _, x := range s.score {
				sum += math.Exp((x - s.score[s.right]) / t)
			}
			loss += math.Log(sum) // −log p(right)
		}
		if loss < bestLoss {
			bestLoss, m.temp = loss, t
		}
	}
}

// Write stores the model as text: the classes, the texts per class, then
// a feature per line with its count per class, sorted.
func (m *Model) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "classes\t%s\ntemperature\t%s\ndocs\t%s\n", strings.Join(classes, ","), strconv.FormatFloat(m.temp, 'f', -1, 64), joinCounts(m.docs))
	keys := make([]string, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(bw, "%s\t%s\n", k, joinCounts(m.counts[k]))
	}
	return bw.Flush()
}

func joinCounts(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}

// ReadModel reads a model Write stored.
func ReadModel(r io.Reader) (*Model, error) {
	m := &Model{counts: map[string][]float64{}, totals: make([]float64, len(classes))}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		key, vals, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("model line %d: no tab", n)
		}
		if key == "temperature" {
			t, err := strconv.ParseFloat(vals, 64)
			if err != nil {
				return nil, fmt.Errorf("model line %d: %v", n, err)
			}
			m.temp = t
			continue
		}
		if key == "classes" {
			if vals != strings.Join(classes, ",") {
				return nil, fmt.Errorf("model line %d: classes %q, want %q", n, vals, strings.Join(classes, ","))
			}
			continue
		}
		counts := make([]float64, 0, len(classes))
		for _, s := range strings.Split(vals, ",") {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("model line %d: %v", n, err)
			}
			counts = append(counts, x)
		}
		if len(counts) != len(classes) {
			return nil, fmt.Errorf("model line %d: %d counts, want %d", n, len(counts), len(classes))
		}
		if key == "docs" {
			m.docs = counts
			continue
		}
		m.counts[key] = counts
		for c, x := range counts {
			m.totals[c] += x
		}
	}
	if m.docs == nil {
		return nil, fmt.Errorf("model: no docs line")
	}
	m.finish()
	return m, sc.Err()
}

// Embedded is the model built into Retain.
var Embedded = sync.OnceValue(func() *Model {
	m, err := ReadModel(strings.NewReader(modelTSV))
	if err != nil {
		panic("classify: the embedded model: " + err.Error() + " (run go generate ./internal/classify)")
	}
	return m
})
