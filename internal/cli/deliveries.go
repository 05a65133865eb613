package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// deliveriesCommand is `retain deliveries PHONE`: a number's
// cash-on-delivery history across every order placed with it.
func (e *env) deliveriesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deliveries PHONE",
		Short: "A phone number's deliveries across every order placed with it (delivered, refused, returned) and whether new unpaid orders from it are confirmed by call first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				v, err := core.Work{DB: db}.DeliveriesByPhone(ctx, cliActor, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(v)
				}
				fmt.Fprintf(e.stdout, "%s: %d orders, %d delivered, %d refused, %d returned\n", v.Phone, v.Orders, v.Delivered, v.Refused, v.Returned)
				if v.Risky {
					fmt.Fprintf(e.stdout, "confirm new cash-on-delivery orders by call: %d of the last %d deliveries were refused\n", v.Recent, v.RecentOf)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
