// Command train trains the classifier's model on the training part of the
// corpus and writes it to model.tsv, which the package embeds. Run by
// `go generate ./internal/classify`.
package main

import (
	"fmt"
	"os"

	"github.com/retainhq/retain/internal/classify"
)

func main() {
	train, _, err := classify.Split()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := os.Create("model.tsv")
	if err == nil {
		m := classify.Train(train)
		m.Calibrate(train)
		err = m.Write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("trained on %d texts\n", len(train))
}
