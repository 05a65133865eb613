package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) playbookCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "playbook",
		Short: "Retention playbooks: list, show, enable, disable, export, import, simulate",
		Long: `Playbooks are data: a trigger, entry conditions, steps (wait, message, survey, task, branch, set, exit), an exit
on a new order, a frequency rule and a success definition. The built-ins (onboarding, post_purchase,
service_recovery, win_back, growth, renewal, loyalty_nudge, advocacy, support_csat, visit_survey,
relationship_nps) are installed disabled; export one,
edit it, import it back as a new version. Enrollments keep the version they started with. See docs/playbooks.md.`,
	}
	withDB := e.withBuiltins
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Every playbook with its version, state, enrollments and conversion",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd, func(db *store.DB) error {
				out, err := core.Outcomes(cmd.Context(), db)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(e.stdout).Encode(out.Playbooks)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "KEY\tVERSION\tENABLED\tACTIVE\tSUCCEEDED\tNOT CONVERTED\tEXITED\tCONVERSION")
				for _, p := range out.Playbooks {
					fmt.Fprintf(w, "%s\t%d\t%v\t%d\t%d\t%d\t%d\t%.0f%%\n", p.Key, p.Version, p.Enabled, p.Active, p.Outcomes[core.OutcomeSucceeded],
						p.Outcomes[core.OutcomeNotConverted], p.Outcomes[core.OutcomeExited], 100*p.Conversion)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	show := &cobra.Command{
		Use:   "show KEY",
		Short: "Print a playbook's current definition (JSON)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDB(cmd, func(db *store.DB) error {
				p, err := core.CurrentPlaybook(cmd.Context(), db, args[0])
				if err != nil {
					return err
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(p)
			})
		},
	}
	export := &cobra.Command{
		Use:   "export KEY [FILE]",
		Short: "Write a playbook's definition to FILE (default: standard output) for editing",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDB(cmd, func(db *store.DB) error {
				p, err := core.CurrentPlaybook(cmd.Context(), db, args[0])
				if err != nil {
					return err
				}
				return e.writeDefinition(args, p)
			})
		},
	}
	var enable bool
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Check a playbook definition and store it as the playbook's next version (- for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.readInput(args[0])
			if err != nil {
				return err
			}
			p, err := retain.ParsePlaybook(b)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%v", err)
			}
			return withDB(cmd, func(db *store.DB) error {
				norm, _ := json.Marshal(p)
				v, created, err := db.SavePlaybook(cmd.Context(), p.Key, norm, enable)
				if err != nil {
					return err
				}
				if !created {
					fmt.Fprintf(e.stdout, "playbook %s unchanged (version %d)\n", p.Key, v)
					return nil
				}
				fmt.Fprintf(e.stdout, "playbook %s stored as version %d; running enrollments keep their version\n", p.Key, v)
				return nil
			})
		},
	}
	imp.Flags().BoolVar(&enable, "enable", false, "enable a new playbook at once")
	setEnabled := func(ctx context.Context, db *store.DB, key string, on bool) error {
		return db.SetPlaybookEnabled(ctx, cliActor, key, on)
	}
	toggle := func(use string, on bool) *cobra.Command {
		short := map[bool]string{true: "Start enrolling customers in a playbook", false: "Stop enrolling customers (running enrollments finish)"}[on]
		return e.toggleCommand("playbook", use, short, on, setEnabled)
	}
	var customer, reason string
	simulate := &cobra.Command{
		Use:   "simulate KEY --customer ID",
		Short: "Show what a playbook would do for a customer and when, sending nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDB(cmd, func(db *store.DB) error {
				ctx := cmd.Context()
				p, err := core.CurrentPlaybook(cmd.Context(), db, args[0])
				if err != nil {
					return err
				}
				c, err := db.GetCustomer(ctx, customer)
				if err != nil {
					return err
				}
				runner := core.NewRunner(db, &core.LiveSettings{DB: db}, "cli", e.log)
				steps, err := core.Simulate(ctx, runner, p, c.ID, reason)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(e.stdout).Encode(steps)
				}
				start := steps[0].At
				fmt.Fprintf(e.stdout, "%s for %s (%s), starting now:\n", p.Name["en"], customer, c.Name)
				for _, s := range steps {
					fmt.Fprintf(e.stdout, "  day %-5s %s\n", strconv.FormatFloat(s.At.Sub(start).Hours()/24, 'f', -1, 64), describe(s.Action))
				}
				return nil
			})
		},
	}
	simulate.Flags().StringVar(&customer, "customer", "", "the customer's external id")
	simulate.Flags().StringVar(&reason, "reason", "", "the alert reason that would enroll them (for playbooks started by alerts)")
	simulate.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = simulate.MarkFlagRequired("customer")
	cmd.AddCommand(list, show, export, imp, toggle("enable", true), toggle("disable", false), simulate)
	return cmd
}

func describe(a core.Action) string {
	switch a.Type {
	case "message":
		if a.Channel == "" {
			return fmt.Sprintf("%s message NOT SENT (%s): %q", a.Purpose, a.Note, a.Text)
		}
		return fmt.Sprintf("%s %s message to %s: %q", a.Purpose, a.Channel, a.To, a.Text)
	case "task":
		return fmt.Sprintf("task for the owner, due %v later: %q", a.Due, a.Text)
	case "wait":
		return fmt.Sprintf("wait %v", a.Wait)
	case "branch":
		return "branch on " + a.Note
	case "set":
		return "set stage to " + a.Text
	case "coupon":
		return fmt.Sprintf("coupon %s for the customer: %s", loyalty.FormatCode(a.Text), a.Coupon.Terms())
	case "points":
		return fmt.Sprintf("give %d points: %q", a.Points, a.Note)
	}
	if a.Note != "" {
		return a.Type + ": " + a.Note
	}
	return a.Type
}
