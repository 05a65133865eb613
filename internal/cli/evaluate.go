package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

func (e *env) evaluateCommand() *cobra.Command {
	var f scoreFlags
	var holdout string
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Fit on a calibration period and compare the predictions with what happened after it",
		Long: `Fits the purchase model on orders up to --calibration-end and predicts each customer's purchases
up to --holdout-end, then compares with what really happened: total purchases, per-customer
error, the calibration table by number of calibration purchases, and how well P(alive)
separates customers who bought again from those who did not. Nothing is saved.`,
		Example: `  retain evaluate --calibration-end 1997-09-30 --holdout-end 1998-06-30 --time-unit weeks`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.parse(); err != nil {
				return err
			}
			if f.calEnd == "" || holdout == "" {
				return retain.Errorf(retain.EINVALID, "evaluate needs --calibration-end and --holdout-end (YYYY-MM-DD)")
			}
			h, err := time.ParseInLocation(time.DateOnly, holdout, f.opts.Location)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "--holdout-end %q: use YYYY-MM-DD", holdout)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				ev, err := core.Evaluate(ctx, db, f.opts, h)
				if err != nil {
					return err
				}
				if f.asJSON {
					return e.printJSON(ev)
				}
				printEvaluation(e.stdout, ev)
				return nil
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&holdout, "holdout-end", "", "last day of the holdout period, YYYY-MM-DD")
	cmd.AddCommand(e.evaluateClassifierCommand())
	return cmd
}

func printEvaluation(out io.Writer, ev *core.Evaluation) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Model\t%s: %s; LL %.4f\n", ev.Model, paramString(ev.Params, nil), ev.LogLik)
	fmt.Fprintf(w, "Calibration\tup to %s: %d customers\n", ev.CalibrationEnd, ev.Customers)
	fmt.Fprintf(w, "Holdout\tafter %s up to %s (%.1f %s)\n", ev.CalibrationEnd, ev.HoldoutEnd, ev.HoldoutLength, ev.TimeUnit)
	fmt.Fprintf(w, "Repeat purchases\tactual %d (by %d customers); predicted %.2f (%+.1f%%); unconditional %.2f\n",
		ev.Actual, ev.ActualBuyers, ev.Predicted, ev.ErrorPercent, ev.Unconditional)
	fmt.Fprintf(w, "Per customer\tmean absolute error %.3f; RMSE %.3f\n", ev.MAE, ev.RMSE)
	fmt.Fprintf(w, "Separation\tAUC of P(alive) %.3f (holdout buyers mean %.3f, non-buyers %.3f); AUC of expected purchases %.3f\n",
		ev.PAliveAUC, ev.PAliveBuyers, ev.PAliveNonBuyers, ev.ExpectedAUC)
	fmt.Fprintf(w, "Top 10%% expected\tmade %.1f%% of the holdout purchases\n", 100*ev.ExpectedTop10Share)
	w.Flush()
	if ev.Model == "bgnbd" {
		fmt.Fprintln(out, "note: BG/NBD gives every one-time buyer P(alive) = 1, so rank customers by expected purchases, or use --model mbgnbd")
	}
	fmt.Fprintln(out, "\nCalibration purchases → mean holdout purchases")
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "x\tcustomers\tpredicted\tactual\t")
	for _, r := range ev.ByFrequency {
		fmt.Fprintf(w, "%s\t%d\t%.3f\t%.3f\t\n", r.X, r.Customers, r.Predicted, r.Actual)
	}
	w.Flush()
}
