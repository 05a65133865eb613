package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"
)

func (e *env) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := store.Open(ctx, e.cfg.DB)
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := db.Migrate(ctx)
			if err != nil {
				return err
			}
			st, err := db.SchemaStatus(ctx)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintf(e.stdout, "schema is up to date (version %d)\n", st.Current)
				return nil
			}
			fmt.Fprintf(e.stdout, "applied migrations %v; schema is at version %d\n", applied, st.Current)
			return nil
		},
	}
}
