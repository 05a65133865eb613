package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) tasksCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tasks",
		Short: "Staff tasks from playbooks, alerts and people: list and complete",
	}
	var f store.TaskFilter
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Tasks by due time (open ones unless --status)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				tasks, err := db.Tasks(ctx, f)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(e.stdout).Encode(tasks)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tDUE\tOWNER\tCUSTOMER\tSOURCE\tTITLE")
				for _, t := range tasks {
					fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%s\n", t.ID, t.DueAt.Format("2006-01-02 15:04"), t.OwnerID, t.CustomerRef, t.Source, t.Title)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.Status, "status", "", "open (default), done or cancelled")
	list.Flags().Int64Var(&f.OwnerID, "owner", 0, "only this staff id's tasks")
	list.Flags().IntVar(&f.Limit, "limit", 200, "at most this many")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	done := &cobra.Command{
		Use:   "done ID",
		Short: "Mark a task done",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0], "task")
			if err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := (core.Work{DB: db}).CompleteTask(ctx, cliActor, id); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "task %d done\n", id)
				return nil
			})
		},
	}
	cmd.AddCommand(list, done)
	return cmd
}
