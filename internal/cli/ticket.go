package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
)

// The support desk at the command line: the inbox's views, a ticket's
// thread, replies and notes, assignment and status; and the desk's policy.

func (e *env) ticketCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ticket",
		Short: "Support tickets: list, show, reply, assign, set, close, merge, split, log",
		Long: `Tickets are conversations: a customer's SMS, WhatsApp message or form opens one or continues theirs,
agents answer in the thread (a reply goes out on the ticket's channel), and SLA clocks on the desk's
business hours set each ticket's due times. See docs/desk.md.`,
	}
	var as string
	actor := func(ctx context.Context, db *store.DB) (retain.Actor, error) {
		if as == "" {
			return cliActor, nil
		}
		s, err := db.StaffByEmail(ctx, as)
		return s.Actor(), err
	}
	ticketID := func(ctx context.Context, db *store.DB, ref string) (int64, error) {
		_, _, id, err := core.Work{DB: db}.TicketThread(ctx, cliActor, ref)
		return id, err
	}
	// onTicket runs fn as the actor on the ticket ref names.
	onTicket := func(cmd *cobra.Command, ref string, fn func(ctx context.Context, db *store.DB, w core.Work, a retain.Actor, id int64) error) error {
		return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
			a, err := actor(ctx, db)
			if err != nil {
				return err
			}
			id, err := ticketID(ctx, db, ref)
			if err != nil {
				return err
			}
			return fn(ctx, db, core.Work{DB: db}, a, id)
		})
	}

	var f store.TicketFilter
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Tickets of a view, the nearest deadline first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				a, err := actor(ctx, db)
				if err != nil {
					return err
				}
				out, err := core.Work{DB: db}.Tickets(ctx, a, f)
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(out)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tSTATUS\tPRIORITY\tCHANNEL\tCUSTOMER\tASSIGNEE\tDUE\tSUBJECT")
				for _, t := range out {
					due := "-"
					if d := nearest(t); !d.IsZero() {
						due = d.Format("2006-01-02 15:04")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Status, t.Priority, t.Channel, t.Customer, cmp.Or(t.Assignee, "-"), due, t.Subject)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.View, "view", "open", "open, mine, team, unassigned, breaching, pending, resolved or all (mine and team need --as)")
	list.Flags().StringVar(&f.Status, "status", "", "only this status")
	list.Flags().StringVar(&f.Channel, "channel", "", "only this channel")
	list.Flags().StringVar(&f.Query, "q", "", "subject, customer name, phone, e-mail or id")
	list.Flags().StringVar(&f.Tag, "tag", "", "only tickets with this tag")
	list.Flags().StringVar(&f.Sort, "sort", "", "due (default), opened, -opened, -updated")
	list.Flags().IntVar(&f.Limit, "limit", 50, "at most this many (up to 500)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var showJSON bool
	show := &cobra.Command{
		Use:   "show ID",
		Short: "A ticket and its thread",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				t, msgs, _, err := core.Work{DB: db}.TicketThread(ctx, cliActor, args[0])
				if err != nil {
					return err
				}
				if showJSON {
					return e.printJSON(map[string]any{"ticket": t, "messages": msgs})
				}
				fmt.Fprintf(e.stdout, "%s  %s\n%s · %s · %s · customer %s · assignee %s · opened %s\n", t.ID, t.Subject, t.Status, t.Priority,
					t.Channel, t.Customer, cmp.Or(t.Assignee, "-"), t.OpenedAt.Format(time.RFC3339))
				if d := nearest(t); !d.IsZero() {
					fmt.Fprintf(e.stdout, "due %s\n", d.Format(time.RFC3339))
				}
				if len(t.Tags) > 0 || t.Team != "" || t.Order != "" {
					fmt.Fprintf(e.stdout, "tags %s · team %s · order %s\n", cmp.Or(strings.Join(t.Tags, ", "), "-"), cmp.Or(t.Team, "-"), cmp.Or(t.Order, "-"))
				}
				if t.MergedInto != "" {
					fmt.Fprintf(e.stdout, "merged into %s\n", t.MergedInto)
				}
				for _, m := range msgs {
					who := m.Author
					if m.Staff != "" {
						who += " " + m.Staff
					}
					status := ""
					if m.Delivery != "" {
						status = " [" + m.Delivery + "]"
					}
					fmt.Fprintf(e.stdout, "\n#%d %s  %s%s\n%s\n", m.ID, m.SentAt.Format("2006-01-02 15:04"), who, status, m.Body)
				}
				return nil
			})
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, "print JSON")

	var note bool
	var status, canned string
	reply := &cobra.Command{
		Use:   "reply ID [TEXT…]",
		Short: "Reply to the customer on the ticket's channel (- reads the text from standard input; --canned KEY instead of a text)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := strings.Join(args[1:], " ")
			if text == "-" {
				b, err := e.readInput("-")
				if err != nil {
					return err
				}
				text = string(b)
			}
			return onTicket(cmd, args[0], func(ctx context.Context, db *store.DB, w core.Work, a retain.Actor, id int64) error {
				if strings.TrimSpace(text) == "" && canned != "" {
					var err error
					if text, err = core.CannedText(ctx, db, id, canned); err != nil {
						return err
					}
				}
				if err := w.ReplyTicket(ctx, a, id, text, note, core.TicketChange{Status: status}); err != nil {
					return err
				}
				what := "reply queued for the ticket's channel"
				if note {
					what = "note added"
				}
				fmt.Fprintf(e.stdout, "%s: %s\n", args[0], what)
				return nil
			})
		},
	}
	reply.Flags().BoolVar(&note, "note", false, "an internal note: never sent to the customer")
	reply.Flags().StringVar(&status, "status", "", "the status to set with it (pending: waiting on the customer)")
	reply.Flags().StringVar(&canned, "canned", "", "a canned reply's key (retain desk show lists them), filled in for the customer")

	var none bool
	assign := &cobra.Command{
		Use:   "assign ID [EMAIL]",
		Short: "Give a ticket to an active agent or manager (--none: to nobody)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if none == (len(args) == 2) {
				return retain.FieldError("assignee", "give an e-mail or --none")
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				change := core.TicketChange{Unassign: none}
				if !none {
					s, err := db.StaffByEmail(ctx, args[1])
					if err != nil {
						return err
					}
					change.Assignee = s.ID
				}
				return e.changeTicket(ctx, db, actor, ticketID, args[0], change)
			})
		},
	}
	assign.Flags().BoolVar(&none, "none", false, "take the assignee away")

	var change core.TicketChange
	var tags, team, order string
	set := &cobra.Command{
		Use:   "set ID",
		Short: "Change a ticket's status, priority, cause, tags, team or linked order",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("tags") {
				t := retain.NormalizeTags(tags)
				change.Tags = &t
			}
			if cmd.Flags().Changed("team") {
				change.Team = &team
			}
			if cmd.Flags().Changed("order") {
				change.Order = &order
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				return e.changeTicket(ctx, db, actor, ticketID, args[0], change)
			})
		},
	}
	set.Flags().StringVar(&tags, "tags", "", `all the ticket's tags, comma-separated ("" clears)`)
	set.Flags().StringVar(&team, "team", "", `the team's name ("" clears)`)
	set.Flags().StringVar(&order, "order", "", `the external id of the customer's order it is about ("" clears)`)
	set.Flags().StringVar(&change.Status, "status", "", "new, open, pending, on_hold, resolved or closed")
	set.Flags().StringVar(&change.Priority, "priority", "", "low, normal, high or urgent")
	set.Flags().StringVar(&change.RootCause, "cause", "", "quality, price_value, usability, service, delivery or other")

	var resolveOnly bool
	closeCmd := &cobra.Command{
		Use:   "close ID",
		Short: "Close a ticket (--resolved: mark it resolved, which asks for CSAT when the support_csat playbook is on)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st := "closed"
			if resolveOnly {
				st = "resolved"
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				return e.changeTicket(ctx, db, actor, ticketID, args[0], core.TicketChange{Status: st})
			})
		},
	}
	closeCmd.Flags().BoolVar(&resolveOnly, "resolved", false, "resolved rather than closed")

	var into string
	merge := &cobra.Command{
		Use:   "merge ID --into ID",
		Short: "Merge a ticket into another of the same customer's: the thread moves there, this one closes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return onTicket(cmd, args[0], func(ctx context.Context, db *store.DB, w core.Work, a retain.Actor, from int64) error {
				to, err := ticketID(ctx, db, into)
				if retain.ErrorCode(err) == retain.ENOTFOUND {
					return retain.FieldError("into", "no ticket %q", into)
				}
				if err != nil {
					return err
				}
				if err := w.MergeTicket(ctx, a, from, to); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: merged into %s\n", args[0], into)
				return nil
			})
		},
	}
	merge.Flags().StringVar(&into, "into", "", "the ticket to merge it into (required)")
	merge.MarkFlagRequired("into")

	var message int64
	split := &cobra.Command{
		Use:   "split ID --message N",
		Short: "Move message N (its #number in ticket show) and those after it into a new ticket",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return onTicket(cmd, args[0], func(ctx context.Context, _ *store.DB, w core.Work, a retain.Actor, id int64) error {
				ref, err := w.SplitTicket(ctx, a, id, message)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: split into %s\n", args[0], ref)
				return nil
			})
		},
	}
	split.Flags().Int64Var(&message, "message", 0, "the message the new ticket starts with (required)")
	split.MarkFlagRequired("message")

	var logged core.LoggedContact
	logCmd := &cobra.Command{
		Use:   "log --from NUMBER|EMAIL (or --customer ID) --text TEXT",
		Short: "Write down a customer's call or visit: it joins their conversation on that channel or opens a ticket (yours with --as)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				a, err := actor(ctx, db)
				if err != nil {
					return err
				}
				ref, err := core.Work{DB: db}.LogTicket(ctx, a, logged)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: logged\n", ref)
				return nil
			})
		},
	}
	logCmd.Flags().StringVar(&logged.Channel, "channel", "phone", "phone, in_store, or another ticket channel")
	logCmd.Flags().StringVar(&logged.Contact, "from", "", "the customer's phone number or e-mail address")
	logCmd.Flags().StringVar(&logged.Customer, "customer", "", "the customer's external id, instead of --from")
	logCmd.Flags().StringVar(&logged.Name, "name", "", "the name of a customer not yet known")
	logCmd.Flags().StringVar(&logged.Subject, "subject", "", "the subject of a new ticket (default: the text's first line)")
	logCmd.Flags().StringVar(&logged.Text, "text", "", "what the customer said (required)")
	logCmd.Flags().StringVar(&logged.Priority, "priority", "", "of a new ticket: low, normal, high or urgent")
	logCmd.MarkFlagRequired("text")

	cmd.PersistentFlags().StringVar(&as, "as", "", "act as this staff member (their e-mail): whose reply it is, whose \"mine\"")
	cmd.AddCommand(list, show, reply, assign, set, closeCmd, merge, split, logCmd)
	return cmd
}

// changeTicket applies change to the ticket ref and says what it is now.
func (e *env) changeTicket(ctx context.Context, db *store.DB, actor func(context.Context, *store.DB) (retain.Actor, error),
	ticketID func(context.Context, *store.DB, string) (int64, error), ref string, change core.TicketChange) error {
	a, err := actor(ctx, db)
	if err != nil {
		return err
	}
	id, err := ticketID(ctx, db, ref)
	if err != nil {
		return err
	}
	w := core.Work{DB: db}
	if err := w.UpdateTicket(ctx, a, id, change); err != nil {
		return err
	}
	t, _, _, err := w.TicketThread(ctx, a, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s, %s, assignee %s\n", t.ID, t.Status, t.Priority, cmp.Or(t.Assignee, "-"))
	return nil
}

// nearest is the deadline a ticket must meet next; zero when none runs.
func nearest(t core.DeskTicket) time.Time {
	if t.Paused || t.Status == "resolved" || t.Status == "closed" {
		return time.Time{}
	}
	var out time.Time
	for _, d := range []*time.Time{t.FirstResponseDue, t.NextResponseDue, t.ResolutionDue} {
		if d != nil && (out.IsZero() || d.Before(out)) {
			out = *d
		}
	}
	return out
}

func (e *env) deskCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "desk",
		Short: "The support desk's policy: business hours, holidays, SLA targets, WhatsApp template",
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the policy in force (JSON)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				p, err := core.DeskPolicy(ctx, db)
				if err != nil {
					return err
				}
				return e.printJSON(p)
			})
		},
	}
	set := &cobra.Command{
		Use:   "set FILE",
		Short: "Check a policy (JSON, - for standard input) and make it the desk's",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.readInput(args[0])
			if err != nil {
				return err
			}
			p := desk.DefaultPolicy()
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return retain.Errorf(retain.EINVALID, "%s: %v", args[0], err)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := core.SaveDeskPolicy(ctx, db, cliActor, p); err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, "desk policy saved; it applies to the SLA clocks from the next change of each ticket")
				return nil
			})
		},
	}
	var country, lang string
	var year int
	var add bool
	holidays := &cobra.Command{
		Use:   "holidays",
		Short: "Print a country's public holidays of a year (--add: add them to the policy's holidays)",
		Long: `Bangladesh and Nepal ship with lists of their public holidays, a starting point the business edits.
Festivals that follow the moon or Nepal's calendar are on their expected dates, marked "expected":
the government confirms each one shortly before, so check them. See docs/desk.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hs, err := desk.PublicHolidays(country, year)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%v", err)
			}
			if !add {
				for _, h := range hs {
					note := ""
					if h.Expected {
						note = "  (expected)"
					}
					fmt.Fprintf(e.stdout, "%s%s\n", h.Line(lang), note)
				}
				return nil
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				p, err := core.DeskPolicy(ctx, db)
				if err != nil {
					return err
				}
				n := p.AddHolidays(hs, lang)
				if err := core.SaveDeskPolicy(ctx, db, cliActor, p); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d holidays added (dates already listed are kept as they are); check the expected dates with retain desk show\n", n)
				return nil
			})
		},
	}
	holidays.Flags().StringVar(&country, "country", "bangladesh", "bangladesh or nepal")
	holidays.Flags().IntVar(&year, "year", 0, "the year (required)")
	holidays.Flags().StringVar(&lang, "lang", "en", "the language of the holidays' names: en, bn or ne")
	holidays.Flags().BoolVar(&add, "add", false, "add them to the desk's policy")
	holidays.MarkFlagRequired("year")
	cmd.AddCommand(show, set, holidays)
	return cmd
}
