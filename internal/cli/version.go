package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
)

func (e *env) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Retain's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(e.stdout, "retain %s (%s, %s/%s)\n", retain.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
