package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// Playbooks and surveys are both versioned definitions the shipped
// built-ins seed: their commands share how they open the database, write
// a definition out and switch one on or off.

// withBuiltins opens the database, installs the missing built-in
// playbooks and surveys, and runs fn.
func (e *env) withBuiltins(cmd *cobra.Command, fn func(db *store.DB) error) error {
	return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
		if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
			return err
		}
		return fn(db)
	})
}

// writeDefinition writes a definition as indented JSON to the file named
// after the key, or to standard output.
func (e *env) writeDefinition(args []string, def any) error {
	b, _ := json.MarshalIndent(def, "", "  ")
	b = append(b, '\n')
	if len(args) == 2 {
		return os.WriteFile(args[1], b, 0o644)
	}
	_, err := e.stdout.Write(b)
	return err
}

// toggleCommand is "enable KEY" or "disable KEY" for a kind of definition.
func (e *env) toggleCommand(noun, use, short string, on bool, set func(ctx context.Context, db *store.DB, key string, on bool) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " KEY",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withBuiltins(cmd, func(db *store.DB) error {
				if err := set(cmd.Context(), db, args[0], on); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s %s %sd\n", noun, args[0], use)
				return nil
			})
		},
	}
}
