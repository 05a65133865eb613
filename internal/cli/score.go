package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// scoreMemoryLimit is retain score's soft memory limit unless GOMEMLIMIT is set.
const scoreMemoryLimit = 1536 << 20

// share is n of total as a percentage, for a summary line.
func share(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

// scoreFlags are the options shared by score and evaluate.
type scoreFlags struct {
	opts    core.ScoreOptions
	calEnd  string
	tz      string
	weights string
	asJSON  bool
}

func (f *scoreFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.opts.Model, "model", "", "purchase model: bgnbd, mbgnbd or paretonbd (default: the best fit of the three)")
	fl.StringVar(&f.calEnd, "calibration-end", "", "last day of history to fit on, YYYY-MM-DD (default: today)")
	fl.StringVar(&f.opts.TimeUnit, "time-unit", "days", "model time unit: days or weeks")
	fl.IntVar(&f.opts.HorizonDays, "horizon", 90, "days ahead for expected purchases")
	fl.IntVar(&f.opts.Months, "months", 12, "months of lifetime value")
	fl.Float64Var(&f.opts.Discount, "discount-rate", 0.01, "monthly discount rate of lifetime value")
	fl.StringVar(&f.tz, "tz", "UTC", "time zone of customers without one (calendar days are counted in it)")
	fl.StringVar(&f.weights, "health-weights", "", "health factor weights over the defaults, e.g. p_alive=0.4,satisfaction=0 (see docs/analytics.md)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
}

func (f *scoreFlags) parse() error {
	loc, err := time.LoadLocation(f.tz)
	if err != nil {
		return retain.Errorf(retain.EINVALID, "--tz %q is not an IANA time zone", f.tz)
	}
	f.opts.Location = loc
	if f.opts.Weights, err = analytics.ParseHealthWeights(f.weights); err != nil {
		return retain.Errorf(retain.EINVALID, "--health-weights %v", err)
	}
	if f.calEnd != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.calEnd, loc)
		if err != nil {
			return retain.Errorf(retain.EINVALID, "--calibration-end %q: use YYYY-MM-DD", f.calEnd)
		}
		f.opts.CalibrationEnd = t
	}
	return nil
}

func (e *env) scoreCommand() *cobra.Command {
	var f scoreFlags
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Fit the customer-base models and score every customer (P(alive), expected purchases, CLV, next order, rhythm, health)",
		Long: `Reads the order history, fits a purchase model (BG/NBD, MBG/NBD or Pareto/NBD; by default all three,
keeping the best log-likelihood) and the Gamma-Gamma spend model per currency, then scores every
customer who has bought: P(alive), expected purchases over --horizon, expected next-order date, CLV,
RFM segment, purchase-rhythm flags and a 0–100 health score with its factors. Each run is saved;
see retain scores export and retain report.`,
		Example: `  retain score
  retain score --calibration-end 1997-09-30 --time-unit weeks --model bgnbd --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.parse(); err != nil {
				return err
			}
			if e.getenv("GOMEMLIMIT") == "" {
				// Most of a run's heap is short-lived (explanations built,
				// then written): a soft limit keeps a run of a million
				// customers under 2 GB for a little more GC work.
				debug.SetMemoryLimit(scoreMemoryLimit)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				res, err := core.Score(ctx, db, f.opts)
				if err != nil {
					return err
				}
				if f.asJSON {
					return e.printJSON(res)
				}
				printScore(e.stdout, res)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

func printScore(out io.Writer, r *core.ScoreResult) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Scoring run\t%d (calibration end %s, time unit %s)\n", r.RunID, r.CalibrationEnd, r.TimeUnit)
	fmt.Fprintf(w, "Customers scored\t%d (%d repeat buyers; %d orders read)\n", r.Customers, r.Repeaters, r.Orders)
	for _, c := range r.Candidates {
		status := fmt.Sprintf("LL %.4f", c.LogLik)
		if !c.Converged {
			status = "did not converge: " + c.Error
		}
		fmt.Fprintf(w, "  candidate %s\t%s (%.2fs)\n", c.Model, status, c.Seconds)
	}
	for _, c := range r.Choice.Holdout {
		status := fmt.Sprintf("mean absolute error %.4f, total %+.1f%%, P(alive) AUC %.3f", c.MAE, c.ErrorPercent, c.PAliveAUC)
		switch {
		case c.Degenerate:
			status = "converged to parameters no customer base has: left out"
		case !c.Converged:
			status = "did not converge"
		}
		fmt.Fprintf(w, "  on the holdout %s\t%s (%.2fs)\n", c.Model, status, c.Seconds)
	}
	fmt.Fprintf(w, "Model\t%s: %s\n", r.Model, paramString(r.Params, r.Fit.SE))
	fmt.Fprintf(w, "Chosen by\t%s: %s\n", r.Choice.Method, r.Choice.Why)
	fmt.Fprintf(w, "Log-likelihood\t%.4f (gradient %.1e, %d iterations)\n", r.LogLik, r.Fit.GradNorm, r.Fit.Iter)
	for _, s := range r.Spend {
		line := fmt.Sprintf("p %.4f, q %.4f, v %.4f; LL %.4f; %d repeaters, %d without spend left out; corr(x, spend) %.3f",
			s.P, s.Q, s.V, s.LogLik, s.Repeaters, s.ZeroSpend, s.CorrXM)
		if s.Error != "" {
			line += "; " + s.Error
		}
		fmt.Fprintf(w, "Spend model %s\t%s\n", s.Currency, line)
	}
	sm := r.Summary
	fmt.Fprintf(w, "Health\tmean %.1f; %d customers at risk (%s); mean P(alive) %.3f\n", sm.MeanHealth, sm.AtRisk, share(sm.AtRisk, sm.Customers), sm.MeanPAlive)
	fmt.Fprintf(w, "Stages\t%s\n", countString(sm.Stages))
	fmt.Fprintf(w, "Expected purchases\t%.1f in the next %d days\n", sm.ExpectedPurchases, r.HorizonDays)
	for _, cur := range sortedKeys(sm.CLV) {
		fmt.Fprintf(w, "Lifetime value %s\t%.2f (next %d months)\n", cur, sm.CLV[cur], r.Months)
	}
	fmt.Fprintf(w, "Segments\t%s\n", countString(sm.Segments))
	fmt.Fprintf(w, "Rhythm flags\t%s\n", countString(sm.Flags))
	fmt.Fprintf(w, "Seconds\t%.2f (%s)\n", r.Seconds, timingString(r.Timings))
	w.Flush()
	for _, warn := range r.Warnings {
		fmt.Fprintln(out, "warning:", warn)
	}
}

func paramString(p, se map[string]float64) string {
	var parts []string
	for _, k := range []string{"r", "alpha", "a", "b", "s", "beta"} {
		if v, ok := p[k]; ok {
			s := fmt.Sprintf("%s %.6f", k, v)
			if e, ok := se[k]; ok {
				s += fmt.Sprintf(" (±%.4f)", e)
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func countString(m map[string]int) string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func timingString(m map[string]float64) string {
	var parts []string
	for _, k := range []string{"read", "summarize", "fit", "fit_spend", "predict", "health", "write"} {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func (e *env) scoresCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "scores", Short: "Work with saved scores"}
	var out string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the latest scoring run as CSV, one row per customer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				runs, err := db.ScoringRuns(ctx, 1)
				if err != nil {
					return err
				}
				if len(runs) == 0 {
					return retain.Errorf(retain.ENOTFOUND, "no scoring run yet: run retain score first")
				}
				dst := e.stdout
				if out != "" && out != "-" {
					f, err := os.Create(out)
					if err != nil {
						return err
					}
					defer f.Close()
					dst = f
				}
				n, err := exportScores(cmd, db, runs[0], dst)
				if err != nil {
					return err
				}
				if out != "" && out != "-" {
					fmt.Fprintf(e.stderr, "wrote %d customers of scoring run %d to %s\n", n, runs[0].ID, out)
				}
				return nil
			})
		},
	}
	export.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.AddCommand(export)
	return cmd
}

var exportHeader = []string{"external_id", "frequency", "recency", "T", "monetary_value", "currency", "p_alive", "expected_purchases",
	"expected_spend", "clv", "next_order_at", "p_next_order", "rfm_r", "rfm_f", "rfm_m", "segment", "health", "health_factors", "flags"}

func exportScores(cmd *cobra.Command, db *store.DB, run store.ScoringRun, dst io.Writer) (int, error) {
	w := csv.NewWriter(dst)
	w.Write(exportHeader)
	n := 0
	err := db.EachScore(cmd.Context(), run.ID, func(s retain.Score) error {
		next := ""
		if !s.NextOrderAt.IsZero() {
			next = s.NextOrderAt.Format(time.DateOnly)
		}
		names := make([]string, 0, len(s.Flags))
		for _, f := range s.Flags {
			names = append(names, f.Name)
		}
		parts := make([]string, 0, len(s.Factors))
		for _, f := range s.Factors {
			parts = append(parts, fmt.Sprintf("%s:%.1f", f.Name, f.Contribution))
		}
		n++
		return w.Write([]string{retain.CSVSafe(s.ExternalID), fmt.Sprint(s.Frequency), num(s.Recency), num(s.Age), num(s.Monetary), s.Currency,
			num(s.PAlive), num(s.ExpectedPurchases), num(s.ExpectedSpend), num(s.CLV), next, num(s.PNextOrder),
			fmt.Sprint(s.R), fmt.Sprint(s.F), fmt.Sprint(s.M), string(s.Segment), fmt.Sprintf("%.1f", s.Health),
			strings.Join(parts, ";"), strings.Join(names, ";")})
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	return n, err
}

func num(v float64) string { return fmt.Sprintf("%.6g", v) }
