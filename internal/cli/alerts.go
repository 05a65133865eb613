package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) alertsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, snooze and resolve alerts (risk, opportunity, lifecycle)",
	}
	var f store.AlertFilter
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Open and snoozed alerts, most urgent first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				alerts, err := db.Alerts(ctx, f)
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(alerts)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tSEVERITY\tTYPE\tREASON\tCAUSE\tCUSTOMER\tDUE\tSTATUS\tTITLE")
				for _, a := range alerts {
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Severity, a.Type, a.Reason, a.RootCause, a.CustomerRef,
						a.DueAt.Format("2006-01-02 15:04"), a.Status, a.Title)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.Status, "status", "", "open, snoozed or resolved (default: open and snoozed)")
	list.Flags().Int64Var(&f.OwnerID, "owner", 0, "only this staff id's alerts")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var until, reason string
	snooze := &cobra.Command{
		Use:   "snooze ID",
		Short: "Hide an alert until a date, with a reason",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0], "alert")
			if err != nil {
				return err
			}
			t, err := time.Parse(time.DateOnly, until)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "--until %q: use YYYY-MM-DD", until)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := (core.Work{DB: db}).SnoozeAlert(ctx, cliActor, id, t, reason); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "alert %d snoozed until %s\n", id, until)
				return nil
			})
		},
	}
	snooze.Flags().StringVar(&until, "until", "", "YYYY-MM-DD")
	snooze.Flags().StringVar(&reason, "reason", "", "why")
	_ = snooze.MarkFlagRequired("until")
	_ = snooze.MarkFlagRequired("reason")

	var outcome string
	resolve := &cobra.Command{
		Use:   "resolve ID",
		Short: "Close an alert with its outcome",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0], "alert")
			if err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := (core.Work{DB: db}).ResolveAlert(ctx, cliActor, id, outcome); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "alert %d resolved\n", id)
				return nil
			})
		},
	}
	resolve.Flags().StringVar(&outcome, "outcome", "", "what was done and how it ended")
	_ = resolve.MarkFlagRequired("outcome")
	cmd.AddCommand(list, snooze, resolve)
	return cmd
}
