package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/demo"
)

func (e *env) demoCommand() *cobra.Command {
	var opts demo.Options
	var asOf string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill the database with a realistic demo business (deterministic for a seed and date)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.AsOf = Clock()
			if asOf != "" {
				t, err := time.Parse(time.DateOnly, asOf)
				if err != nil {
					return retain.Errorf(retain.EINVALID, "--as-of %q: use YYYY-MM-DD", asOf)
				}
				opts.AsOf = t
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				start := time.Now()
				st, err := demo.Generate(ctx, db, opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "demo data written in %.1fs: %s\n", time.Since(start).Seconds(), st)
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&opts.Customers, "customers", demo.DefaultCustomers, "number of customers")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "random seed; the same seed and --as-of give the same data")
	cmd.Flags().StringVar(&asOf, "as-of", "", "the demo's today, YYYY-MM-DD (default: today)")
	cmd.Flags().BoolVar(&opts.Loyalty, "loyalty", true, "run the points programme over the last fifteen months (rewards, coupons, expiries)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write into a database that holds customers the demo did not make (those whose ids match the demo's are overwritten)")
	return cmd
}
