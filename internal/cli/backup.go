package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"
)

func (e *env) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent online copy of the SQLite database to FILE",
		Long: "Copies the SQLite database while Retain keeps running (VACUUM INTO: one consistent snapshot, WAL included).\n" +
			"For PostgreSQL use pg_dump.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := db.Backup(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "backed up %s to %s\n", db, args[0])
				return nil
			})
		},
	}
}
