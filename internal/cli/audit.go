package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"
)

func (e *env) auditCommand() *cobra.Command {
	var f store.AuditFilter
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log: sign-ins, exports, settings, keys, users, two-step sign-in, actions on alerts and tasks",
		Example: "  retain audit --action signin.failed\n" +
			"  retain audit --action user. --limit 20   # a prefix ending in '.' matches a family\n" +
			"  retain audit --actor staff:ayesha@shop.com.bd --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				entries, err := db.AuditLog(ctx, f)
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					for _, en := range entries {
						if err := enc.Encode(en); err != nil {
							return err
						}
					}
					return nil
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tAT (UTC)\tACTOR\tACTION\tTARGET\tDETAIL")
				for _, en := range entries {
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", en.ID, en.At.UTC().Format(time.DateTime), en.Actor, en.Action, en.Target, en.Detail)
				}
				return w.Flush()
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Action, "action", "", "an action (signin, signin.failed, export, settings.save, …) or a prefix ending in '.'")
	fl.StringVar(&f.Actor, "actor", "", "who, as the log writes it (staff:EMAIL, api_key:ID, system:cli)")
	fl.Int64Var(&f.Before, "before", 0, "entries older than this id (paging back)")
	fl.IntVar(&f.Limit, "limit", 100, "at most this many (up to 1000)")
	fl.BoolVar(&asJSON, "json", false, "print JSON lines")
	return cmd
}
