package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/classify"
)

func (e *env) classifyCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "classify [TEXT...]",
		Short: "Name the cause of complaints: quality, price, usability, service, delivery, or none",
		Long: `Reads texts (the arguments, else one per line on standard input) in English, Bengali or Nepali,
in their scripts or romanized, and prints for each the cause Retain gives it (empty for praise or
nothing to fix), how sure it is (0 to 1) and the words that decided it. This is the classifier that
names the cause of comments, tickets and return reasons (docs/classifier.md).`,
		Example: `  retain classify "পণ্য ভালো না" "parcel dhilo aayo"
  retain classify --json < comments.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			texts := args
			if len(texts) == 0 {
				sc := bufio.NewScanner(e.stdin)
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					texts = append(texts, sc.Text())
				}
				if err := sc.Err(); err != nil {
					return err
				}
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetEscapeHTML(false)
			for _, t := range texts {
				r := classify.Classify(t)
				if r.Evidence == nil {
					r.Evidence = []string{}
				}
				if asJSON {
					if err := enc.Encode(struct {
						Text string `json:"text"`
						classify.Result
					}{t, r}); err != nil {
						return err
					}
					continue
				}
				cause := r.Cause
				if cause == "" {
					cause = "-"
				}
				fmt.Fprintf(e.stdout, "%s\t%.2f\t%s\t%s\n", cause, r.Confidence, strings.Join(r.Evidence, ", "), strings.Join(strings.Fields(t), " "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line: text, cause (empty for none), confidence, evidence")
	return cmd
}

func (e *env) evaluateClassifierCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "classifier",
		Short: "Measure the cause classifier on the held-out part of its corpus",
		Long: `Runs the classifier over the fifth of its labelled corpus kept out of training and prints
accuracy by language and script, and precision and recall by cause (none counted as a cause),
for the model and, for comparison, for its lexicon alone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, test, err := classify.Split()
			if err != nil {
				return err
			}
			printReport(e.stdout, "The model (words, letter n-grams, negation and the lexicon)", classify.Evaluate(func(s string) string { return classify.Classify(s).Cause }, test))
			fmt.Fprintln(e.stdout)
			printReport(e.stdout, "The lexicon alone", classify.Evaluate(classify.RuleCause, test))
			return nil
		},
	}
}

func printReport(w io.Writer, title string, r classify.Report) {
	fmt.Fprintf(w, "%s: %d held-out texts, %.1f%% right\n\n", title, r.N, 100*r.Accuracy())
	r.Print(w)
}
