package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// referralCommands are `retain loyalty referral`, `refer` and `referrals`:
// a customer's code and link, crediting a friend to a code, and the list.
func (e *env) referralCommands() []*cobra.Command {
	code := &cobra.Command{
		Use:   "referral CUSTOMER",
		Short: "The customer's refer-a-friend code and landing page link (made on first ask)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				v, err := core.Work{DB: db}.ReferralCode(ctx, cliActor, &core.LiveSettings{DB: db}, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s\t%s\n", v.Code, v.Link)
				return nil
			})
		},
	}
	refer := &cobra.Command{
		Use:   "refer CODE FRIEND",
		Short: "Credit a friend (a customer's external id) to the referral code they came with; a refused one is recorded with why",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.Refer(ctx, cliActor, args[0], args[1])
				if err != nil {
					return err
				}
				switch {
				case r.Reason != "":
					fmt.Fprintf(e.stdout, "referral %d refused: %s\n", r.ID, r.Reason)
				case r.CouponCode != "":
					fmt.Fprintf(e.stdout, "referral %d: %s referred by %s; welcome coupon %s\n", r.ID, r.Friend, r.Referrer, r.CouponCode)
				default:
					fmt.Fprintf(e.stdout, "referral %d: %s referred by %s\n", r.ID, r.Friend, r.Referrer)
				}
				return nil
			})
		},
	}
	var referrer, status string
	var limit int
	var asJSON bool
	list := &cobra.Command{
		Use:   "referrals [--referrer CUSTOMER] [--status STATUS]",
		Short: "Referrals, newest first: who referred whom, where each stands (pending, ordered, completed, refused) and why one was refused",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				rows, err := core.Work{DB: db}.Referrals(ctx, cliActor, referrer, status, limit)
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(rows)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tREFERRER\tFRIEND\tSTATUS\tREASON\tSINCE")
				for _, r := range rows {
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Referrer, r.Friend, r.Status, r.Reason, r.UpdatedAt.Format(time.DateOnly))
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&referrer, "referrer", "", "only this customer's referrals")
	list.Flags().StringVar(&status, "status", "", "only pending, ordered, completed or refused ones")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return []*cobra.Command{code, refer, list}
}
