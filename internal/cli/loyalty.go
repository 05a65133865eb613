package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// loyaltyCommand is the points programme at the command line: its
// settings, a customer's points, redemptions and adjustments, and the
// ledger's verifier.
func (e *env) loyaltyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "loyalty",
		Short: "The points programme: settings and rewards, a customer's points, redeem, adjust, buy a reward, verify",
		Long: `Points are earned on what an order kept at the end of its return window, drawn on soonest-to-expire
first, taken back by refunds, and expire; every move is an entry of an append-only ledger. See docs/loyalty.md.`,
	}
	program := &cobra.Command{
		Use:   "program [FILE]",
		Short: "Print the programme (JSON); with FILE (- for standard input), check it and make it the programme",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if len(args) == 0 {
					p, err := core.LoyaltyProgram(ctx, db)
					if err != nil {
						return err
					}
					return e.printJSON(p)
				}
				b, err := e.readInput(args[0])
				if err != nil {
					return err
				}
				p := loyalty.DefaultProgram()
				dec := json.NewDecoder(strings.NewReader(string(b)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&p); err != nil {
					return retain.Errorf(retain.EINVALID, "%s: %v", args[0], err)
				}
				if err := core.SaveLoyaltyProgram(ctx, db, cliActor, p); err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, "loyalty programme saved; orders placed from now on earn by it")
				return nil
			})
		},
	}
	var asJSON bool
	show := &cobra.Command{
		Use:   "show CUSTOMER",
		Short: "A customer's points: the balance, what makes it up and when it expires, and the latest entries",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				p, err := core.Work{DB: db}.CustomerPoints(ctx, cliActor, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(p)
				}
				fmt.Fprintf(e.stdout, "%s: %d points (earned %d, redeemed %d, expired %d)\n", p.Customer, p.Balance, p.Earned, p.Redeemed, p.Expired)
				for _, l := range p.Lots {
					expires := "never expire"
					if l.ExpiresAt != nil {
						expires = "expire " + l.ExpiresAt.Format(time.DateOnly)
					}
					fmt.Fprintf(e.stdout, "  %d earned %s, %s\n", l.Points, l.EarnedAt.Format(time.DateOnly), expires)
				}
				for _, c := range p.Stamps {
					fmt.Fprintf(e.stdout, "  stamp card %s: %d of %d\n", c.Card, c.Stamps, c.Needed)
				}
				return nil
			})
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	var key, reason, expires string
	redeem := &cobra.Command{
		Use:   "redeem CUSTOMER POINTS --key KEY",
		Short: "Spend a customer's points, all or none, soonest to expire first; the same key again spends nothing more",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.movePoints(cmd, args, func(ctx context.Context, w core.Work, points int64) (core.PointsMove, error) {
				return w.RedeemPoints(ctx, cliActor, args[0], points, key, reason)
			})
		},
	}
	adjust := &cobra.Command{
		Use:   "adjust CUSTOMER POINTS --reason TEXT --key KEY",
		Short: "Give (POINTS > 0) or take (< 0) a customer's points by hand, with the reason",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var until time.Time
			if expires != "" {
				t, err := time.Parse(time.DateOnly, expires)
				if err != nil {
					return retain.FieldError("expires", "%q is not a date (YYYY-MM-DD)", expires)
				}
				until = t
			}
			return e.movePoints(cmd, args, func(ctx context.Context, w core.Work, points int64) (core.PointsMove, error) {
				return w.AdjustPoints(ctx, cliActor, args[0], points, key, reason, until)
			})
		},
	}
	for _, c := range []*cobra.Command{redeem, adjust} {
		c.Flags().StringVar(&key, "key", "", "the operation's key: the same key again moves nothing more (required)")
		c.Flags().StringVar(&reason, "reason", "", "why (required for adjust)")
		c.MarkFlagRequired("key")
	}
	adjust.Flags().StringVar(&expires, "expires", "", "given points expire on this date (YYYY-MM-DD); default as earned points do")
	reward := &cobra.Command{
		Use:   "reward CUSTOMER REWARD --key KEY",
		Short: "Buy a reward of the catalogue with a customer's points: prints the customer's new coupon",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.RedeemReward(ctx, cliActor, args[0], args[1], key)
				if err != nil {
					return err
				}
				again := ""
				if r.Replayed {
					again = " (the key was used before: nothing spent again)"
				}
				fmt.Fprintf(e.stdout, "%s: %d points for %s, balance %d; coupon %s (%s)%s\n", args[0], r.Points, r.Reward, r.Balance,
					r.Coupon.Code, describeCoupon(r.Coupon), again)
				return nil
			})
		},
	}
	reward.Flags().StringVar(&key, "key", "", "the redemption's key: the same key again spends nothing more (required)")
	reward.MarkFlagRequired("key")
	var count int
	stampCmd := &cobra.Command{
		Use:   "stamp CUSTOMER CARD --key KEY [--count N]",
		Short: "Put stamps on a customer's stamp card; a card they fill issues its reward coupon",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.AddStamps(ctx, cliActor, args[0], args[1], count, key)
				if err != nil {
					return err
				}
				again := ""
				if r.Replayed {
					again = " (the key was used before: nothing added again)"
				}
				fmt.Fprintf(e.stdout, "%s: card %s holds %d of %d%s\n", args[0], r.Card, r.Stamps, r.Needed, again)
				for _, c := range r.Rewards {
					fmt.Fprintf(e.stdout, "  full: reward coupon %s (%s)\n", c.Code, describeCoupon(c))
				}
				return nil
			})
		},
	}
	stampCmd.Flags().StringVar(&key, "key", "", "the stamping's key: the same key again adds nothing (required)")
	stampCmd.Flags().IntVar(&count, "count", 1, "how many stamps")
	stampCmd.MarkFlagRequired("key")
	var source string
	importCmd := &cobra.Command{
		Use:   "import FILE.csv [--source NAME]",
		Short: "Opening balances from another system: customer_id, points, expires_at, card, stamps; each customer's once per source",
		Long: `Each row gives a customer points (expiring on expires_at, YYYY-MM-DD, or as earned points do) and/or
stamps on a card. Rows that cannot be taken are listed with their line and field (exit 1); the rest
are taken, and importing the same file again with the same --source gives nobody anything twice.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			if source == "" {
				source = strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))
				source = strings.NewReplacer(" ", "-", ":", "-").Replace(source)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				res, err := core.Work{DB: db}.ImportBalances(ctx, cliActor, f, source)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d rows: %d points and %d stamps given, %d given before by %s\n", res.Rows, res.Points, res.Stamps, res.Again, source)
				for _, r := range res.Rejects {
					fmt.Fprintf(e.stderr, "line %d: %s: %s\n", r.Line, r.Field, r.Reason)
				}
				if len(res.Rejects) > 0 {
					return exitCode(ExitRejected)
				}
				return nil
			})
		},
	}
	importCmd.Flags().StringVar(&source, "source", "", "names the import: the same source again gives nothing twice (default the file's name)")
	var send bool
	card := &cobra.Command{
		Use:   "card CUSTOMER [--send]",
		Short: "Make a new link to the customer's public loyalty card (the old one stops working); --send messages it to them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				link, channel, err := core.Work{DB: db}.CardLink(ctx, cliActor, &core.LiveSettings{DB: db}, args[0], send)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, link)
				switch {
				case channel != "":
					fmt.Fprintf(e.stderr, "sent by %s\n", channel)
				case send:
					fmt.Fprintln(e.stderr, "not sent: no channel reaches the customer now")
				}
				return nil
			})
		},
	}
	card.Flags().BoolVar(&send, "send", false, "message the link to the customer (WhatsApp, SMS or e-mail, the first that reaches them)")
	var since string
	backfill := &cobra.Command{
		Use:   "backfill --since DATE",
		Short: "Credit the orders placed since DATE as if the programme had been on then (each once, on what it kept)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, err := time.Parse(time.DateOnly, since)
			if err != nil {
				return retain.FieldError("since", "%q is not a date (YYYY-MM-DD)", since)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				n, err := core.BackfillLoyalty(ctx, db, cliActor, from)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d orders since %s will earn at the end of their return window (those past it: at the next timers run)\n", n, since)
				return nil
			})
		},
	}
	backfill.Flags().StringVar(&since, "since", "", "the first day whose orders earn (YYYY-MM-DD, UTC)")
	backfill.MarkFlagRequired("since")
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check every invariant of the whole ledger; exit 1 on a violation (listed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				v, err := core.VerifyLoyalty(ctx, db)
				if err != nil {
					return err
				}
				if len(v) == 0 {
					fmt.Fprintln(e.stdout, "loyalty ledger: every balance is the sum of its entries, every lot's rest its earning less its draws, none below zero; every coupon's uses are its redemptions, within its limits")
					return nil
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "RULE\tCUSTOMER\tENTRY\tFOUND")
				for _, x := range v {
					fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", x.Rule, x.CustomerID, x.ID, x.Detail)
				}
				w.Flush()
				fmt.Fprintf(e.stderr, "retain: loyalty ledger: %d violations\n", len(v))
				return exitCode(ExitRejected)
			})
		},
	}
	cmd.AddCommand(program, show, redeem, adjust, reward, stampCmd, card, importCmd, backfill, verify)
	cmd.AddCommand(e.referralCommands()...)
	return cmd
}

// movePoints reads POINTS and runs a redemption or an adjustment.
func (e *env) movePoints(cmd *cobra.Command, args []string, move func(context.Context, core.Work, int64) (core.PointsMove, error)) error {
	var points int64
	if _, err := fmt.Sscan(args[1], &points); err != nil {
		return retain.FieldError("points", "%q is not a whole number", args[1])
	}
	return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
		m, err := move(ctx, core.Work{DB: db}, points)
		if err != nil {
			return err
		}
		again := ""
		if m.Replayed {
			again = " (the key was used before: nothing moved again)"
		}
		fmt.Fprintf(e.stdout, "%s: %d points moved, balance %d%s\n", args[0], m.Points, m.Balance, again)
		return nil
	})
}
