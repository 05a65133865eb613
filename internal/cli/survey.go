package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) surveyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "survey",
		Short: "Surveys: list, show, export, import, enable, disable, send, recontact",
		Long: `A survey is data: what it measures (nps, csat, ces or custom), up to eight questions (scale, choice,
multi, text, staff: "who helped you?") in English, Bengali and Nepali, and how often it may reach one
customer. Playbooks send them (a "survey" step); "send" sends one now. Saving stores a new version;
invitations keep the version they were sent with. See docs/surveys.md.`,
	}
	withDB := e.withBuiltins
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Every survey with its version, state and response rate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd, func(db *store.DB) error {
				out, err := core.SurveySummaries(cmd.Context(), db)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(e.stdout).Encode(out)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "KEY\tKIND\tVERSION\tENABLED\tSENT\tANSWERED\tRESPONSE RATE")
				for _, l := range out {
					fmt.Fprintf(w, "%s\t%s\t%d\t%v\t%d\t%d\t%.0f%%\n", l.Key, l.Kind, l.Version, l.Enabled, l.Sent, l.Answered, 100*l.Rate)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	export := &cobra.Command{
		Use:     "export KEY [FILE]",
		Aliases: []string{"show"},
		Short:   "Write a survey's definition (JSON) to FILE, default standard output",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDB(cmd, func(db *store.DB) error {
				s, _, err := core.CurrentSurvey(cmd.Context(), db, args[0])
				if err != nil {
					return err
				}
				return e.writeDefinition(args, s)
			})
		},
	}
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Check a survey definition and store it as the survey's next version (- for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.readInput(args[0])
			if err != nil {
				return err
			}
			s, err := retain.ParseSurvey(b)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%v", err)
			}
			return withDB(cmd, func(db *store.DB) error {
				v, created, err := core.SaveSurvey(cmd.Context(), db, cliActor, s)
				if err != nil {
					return err
				}
				if !created {
					fmt.Fprintf(e.stdout, "survey %s unchanged (version %d)\n", s.Key, v)
					return nil
				}
				fmt.Fprintf(e.stdout, "survey %s stored as version %d; invitations already sent keep theirs\n", s.Key, v)
				return nil
			})
		},
	}
	setEnabled := func(ctx context.Context, db *store.DB, key string, on bool) error {
		return db.SetSurveyEnabled(ctx, cliActor, key, on)
	}
	toggle := func(use string, on bool) *cobra.Command {
		short := map[bool]string{true: "Let playbooks and send use a survey", false: "Stop sending a survey (open invitations still take answers)"}[on]
		return e.toggleCommand("survey", use, short, on, setEnabled)
	}
	var req core.SurveyRequest
	var channel string
	send := &cobra.Command{
		Use:   "send KEY --customer ID --id REQUEST",
		Short: "Send one customer a survey now (limits, consent and quiet hours apply; serve's sender delivers it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Survey, req.Channel = args[0], retain.Channel(channel)
			return withDB(cmd, func(db *store.DB) error {
				res, err := core.SendSurvey(cmd.Context(), db, &core.LiveSettings{DB: db}, cliActor, req)
				if err != nil {
					return err
				}
				switch {
				case res.NotSent != "":
					fmt.Fprintln(e.stdout, res.NotSent)
				case !res.Created:
					fmt.Fprintf(e.stdout, "invitation %d was sent before for request %q\n", res.InvitationID, req.Key)
				default:
					fmt.Fprintf(e.stdout, "invitation %d queued on %s\n", res.InvitationID, res.Channel)
				}
				return nil
			})
		},
	}
	send.Flags().StringVar(&req.Customer, "customer", "", "the customer's external id")
	send.Flags().StringVar(&req.Key, "id", "", "your id for this request: the same id sends once")
	send.Flags().StringVar(&channel, "channel", "", "whatsapp, sms or email (default: the first set up that reaches them)")
	send.Flags().StringVar(&req.Order, "order", "", "the order it is about")
	send.Flags().StringVar(&req.Ticket, "ticket", "", "the ticket it is about (its assignee is whom it rates)")
	send.Flags().StringVar(&req.Staff, "staff", "", "the staff member it is about (external id)")
	send.Flags().StringVar(&req.Context, "context", "", "order, ticket, delivery, visit or enrollment")
	recontact := &cobra.Command{
		Use:   "recontact [DAYS]",
		Short: "Show or set the limit across surveys: at most one survey per customer every DAYS days",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDB(cmd, func(db *store.DB) error {
				if len(args) == 1 {
					var days int
					if _, err := fmt.Sscan(args[0], &days); err != nil {
						return retain.FieldError("DAYS", "%q is not a whole number", args[0])
					}
					if err := core.SetRecontactDays(cmd.Context(), db, cliActor, days); err != nil {
						return err
					}
				}
				days, err := core.RecontactDays(cmd.Context(), db)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "at most one survey per customer every %d days\n", days)
				return nil
			})
		},
	}
	cmd.AddCommand(list, export, imp, toggle("enable", true), toggle("disable", false), send, recontact)
	return cmd
}
