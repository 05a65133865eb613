package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) ownersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "owners",
		Short: "Give customers owners: by rule (round robin, least loaded, by segment) or by hand",
	}
	var rules core.OwnerRules
	var staff, segments []string
	var save bool
	assign := &cobra.Command{
		Use:   "assign",
		Short: "Give every customer without an owner one, by a rule; --save makes serve keep doing it",
		Example: `  retain owners assign --rule round_robin
  retain owners assign --rule least_loaded --staff rina@shop.example,karim@shop.example --save
  retain owners assign --rule by_segment --segment champions=ayesha@shop.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules.Staff = staff
			rules.Segments = map[string]string{}
			for _, s := range segments {
				k, v, ok := strings.Cut(s, "=")
				if !ok {
					return retain.Errorf(retain.EINVALID, "--segment %q: want SEGMENT=EMAIL", s)
				}
				rules.Segments[k] = v
			}
			if err := rules.Check(); err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				n, err := core.AssignOwners(ctx, db, rules)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d customers given an owner (%s)\n", n, rules.Rule)
				if save {
					b, _ := json.Marshal(rules)
					if err := db.SetSetting(ctx, core.OwnerRulesKey, string(b)); err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, "rule saved: serve assigns new customers by it")
				}
				return nil
			})
		},
	}
	assign.Flags().StringVar(&rules.Rule, "rule", "round_robin", "round_robin, least_loaded (fewest open alerts and tasks) or by_segment")
	assign.Flags().StringSliceVar(&staff, "staff", nil, "emails of the staff to assign to (default: every active agent and manager)")
	assign.Flags().StringArrayVar(&segments, "segment", nil, "by_segment: SEGMENT=EMAIL (repeatable)")
	assign.Flags().BoolVar(&save, "save", false, "store the rule for serve")

	set := &cobra.Command{
		Use:   "set CUSTOMER EMAIL",
		Short: "Make a staff member a customer's owner (their open alerts and tasks follow; logged)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				c, err := db.GetCustomer(ctx, args[0])
				if err != nil {
					return err
				}
				staffID, err := db.StaffID(ctx, args[1])
				if err != nil {
					return err
				}
				if err := (core.Work{DB: db}).AssignCustomers(ctx, cliActor, []int64{c.ID}, staffID); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s is now owned by %s\n", args[0], args[1])
				return nil
			})
		},
	}
	cmd.AddCommand(assign, set)
	return cmd
}
