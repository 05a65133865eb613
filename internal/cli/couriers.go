package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/courier"
	"github.com/retainhq/retain/internal/store"
)

// couriersCommand is `retain couriers [FILE.json]`: show the courier
// connectors (secrets hidden), or check and save them from a file.
func (e *env) couriersCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "couriers [FILE.json]",
		Short: "The couriers' status webhooks (/hooks/courier/KEY): print them, secrets hidden, or check and save them from a JSON list. See docs/delivery.md",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if len(args) == 1 {
					b, err := os.ReadFile(args[0])
					if err != nil {
						return err
					}
					var cs []courier.Connector
					if err := json.Unmarshal(b, &cs); err != nil {
						return retain.JSONProblem(err)
					}
					if err := core.SaveCouriers(ctx, db, cliActor, cs); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%d courier connectors saved\n", len(cs))
					return nil
				}
				cs, err := core.Couriers(ctx, db)
				if err != nil {
					return err
				}
				for i := range cs {
					cs[i].Secret = "(hidden)"
				}
				return e.printJSON(cs)
			})
		},
	}
}
