package classify

import (
	"bufio"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The labelled corpus the model is trained on and measured with: complaints
// and praise as customers write them, in English, Bengali and Nepali, each
// in its own script and romanized, written for this project. One file per
// language and script, a line per text: the cause (empty for praise or
// nothing to fix), a tab, the text.
//
//go:embed corpus/*.tsv
var corpusFS embed.FS

// An Example is a labelled text.
type Example struct {
	Lang  string // the corpus file: en, bn, bn-latn, ne, ne-latn
	Cause string
	Text  string
}

// Corpus is every labelled text, in file order.
func Corpus() ([]Example, error) {
	files, _ := fs.Glob(corpusFS, "corpus/*.tsv")
	slices.Sort(files)
	var out []Example
	for _, f := range files {
		data, err := corpusFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		lang := strings.TrimSuffix(path.Base(f), ".tsv")
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cause, text, ok := strings.Cut(line, "\t")
			if !ok || strings.TrimSpace(text) == "" || cause != "" && !slices.Contains(Causes, cause) {
				return nil, fmt.Errorf("%s line %d: want a cause (or nothing), a tab and a text", f, n)
			}
			out = append(out, Example{Lang: lang, Cause: cause, Text: text})
		}
	}
	return out, nil
}

// HeldOut says whether a text is in the part of the corpus kept out of
// training to measure the model on: a fifth, chosen by a hash of the text
// so that the split never changes when texts are added.
func HeldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%5 == 0
}

// Split is the corpus in its training and held-out parts.
func Split() (train, test []Example, err error) {
	all, err := Corpus()
	for _, e := range all {
		if HeldOut(e.Text) {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	return train, test, err
}
