package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// couponCommand: coupons by hand and in batches, and the till's side —
// check, hold, confirm, release — for testing a till's integration or
// serving a counter without one.
func (e *env) couponCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "coupon",
		Short: "Coupons: issue, generate a batch (CSV), list, check, hold, confirm, release, void",
		Long: `A coupon gives an amount or a percent off, a free item or store credit, on terms: expiry, minimum
spend, how many orders can use it, per customer. Codes are 15 random characters without look-alikes
(K7MQ2-XRT9P-4HW3N), typed with or without dashes. See docs/coupons.md.`,
	}
	var spec retain.CouponSpec
	var amount, minSpend, customer, code, key, currency, batch string
	var count int
	specFlags := func(c *cobra.Command) {
		c.Flags().StringVar(&spec.Kind, "kind", "amount", "amount, percent, free_item or store_credit")
		c.Flags().StringVar(&amount, "amount", "", "the amount off, or the store credit (200, 199.50)")
		c.Flags().IntVar(&spec.Percent, "percent", 0, "the percent off (1–100)")
		c.Flags().StringVar(&spec.Item, "item", "", "the free item, as the till knows it")
		c.Flags().StringVar(&currency, "currency", "", "of the amounts; default the loyalty programme's")
		c.Flags().StringVar(&minSpend, "min-spend", "", "the order's least total for the coupon to apply")
		c.Flags().IntVar(&spec.MaxUses, "max-uses", 0, "orders that can use it in all (default 1; store credit: as long as it lasts; -1: no limit)")
		c.Flags().IntVar(&spec.PerCustomer, "per-customer", 0, "orders of one customer that can use it (0: no limit)")
		c.Flags().IntVar(&spec.ValidDays, "valid-days", 0, "days it is valid from now (0: no expiry)")
	}
	// readSpec turns the amounts typed into minor units of the currency.
	readSpec := func(ctx context.Context, db *store.DB) (retain.CouponSpec, error) {
		s := spec
		cur := strings.ToUpper(currency)
		if cur == "" {
			p, err := core.LoyaltyProgram(ctx, db)
			if err != nil {
				return s, err
			}
			cur = p.Currency
		}
		s.Currency = cur
		for flag, v := range map[string]struct {
			text string
			into *int64
		}{"amount": {amount, &s.Amount}, "min-spend": {minSpend, &s.MinSpend}} {
			if v.text == "" {
				continue
			}
			n, err := retain.ParseAmount(v.text, cur)
			if err != nil {
				return s, retain.FieldError(flag, "%v", err)
			}
			*v.into = n
		}
		return s, nil
	}
	issue := &cobra.Command{
		Use:   "issue --key KEY [--customer ID] [--code CODE]",
		Short: "Issue one coupon (for one customer, or anyone with the code); the same key again issues nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				s, err := readSpec(ctx, db)
				if err != nil {
					return err
				}
				c, created, err := core.Work{DB: db}.IssueCoupon(ctx, cliActor, core.CouponIssue{CouponSpec: s, Customer: customer, Code: code, Key: key})
				if err != nil {
					return err
				}
				again := ""
				if !created {
					again = " (the key was used before: this is the coupon it issued)"
				}
				fmt.Fprintf(e.stdout, "%s  %s%s\n", c.Code, describeCoupon(c), again)
				return nil
			})
		},
	}
	specFlags(issue)
	issue.Flags().StringVar(&key, "key", "", "the coupon's key: the same key again issues nothing (required)")
	issue.Flags().StringVar(&customer, "customer", "", "the customer it is for; default anyone with the code")
	issue.Flags().StringVar(&code, "code", "", "a code of your own (EID2026); default a random one")
	issue.MarkFlagRequired("key")

	generate := &cobra.Command{
		Use:   "generate --batch NAME --count N",
		Short: "Generate a batch of open coupons, each with its own code, and print it as CSV (to print or send)",
		Long: `Prints code,kind,value,min_spend,expires_at,batch for each coupon. Generating the same batch again
issues nothing new and prints the same coupons, so a lost CSV can be had again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				s, err := readSpec(ctx, db)
				if err != nil {
					return err
				}
				cs, err := core.Work{DB: db}.GenerateCoupons(ctx, cliActor, s, batch, count)
				if err != nil {
					return err
				}
				return e.couponCSV(cs)
			})
		},
	}
	specFlags(generate)
	generate.Flags().StringVar(&batch, "batch", "", "the batch's name (required)")
	generate.Flags().IntVar(&count, "count", 0, fmt.Sprintf("how many (1–%d)", core.MaxCouponBatch))
	generate.MarkFlagRequired("batch")
	generate.MarkFlagRequired("count")

	var asCSV bool
	var limit int
	list := &cobra.Command{
		Use:   "list [--customer ID | --batch NAME]",
		Short: "List coupons, the newest first: a customer's, a batch's, or the latest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				cs, err := core.Work{DB: db}.Coupons(ctx, cliActor, customer, batch, limit)
				if err != nil {
					return err
				}
				if asCSV {
					return e.couponCSV(cs)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "CODE\tGIVES\tCUSTOMER\tUSES\tEXPIRES\tSOURCE")
				for _, c := range cs {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, describeCoupon(c), dash(c.Customer), uses(c), dateOr(c.ExpiresAt, "never"), c.Source)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&customer, "customer", "", "only this customer's")
	list.Flags().StringVar(&batch, "batch", "", "only this batch's")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many")
	list.Flags().BoolVar(&asCSV, "csv", false, "print CSV (as generate does)")

	var hold time.Duration
	var order string
	var orderCurrency string // the order's: its own flag, for the spec's currency flag defaults to the programme's
	useOf := func(args []string) (core.CouponUse, error) {
		cur := strings.ToUpper(orderCurrency)
		total, err := retain.ParseAmount(args[1], cur)
		if err != nil {
			return core.CouponUse{}, retain.FieldError("total", "%v", err)
		}
		return core.CouponUse{Code: args[0], Customer: customer, Total: total, Currency: cur}, nil
	}
	check := &cobra.Command{
		Use:   "check CODE TOTAL [--customer ID]",
		Short: "What a coupon takes off an order of TOTAL, or why it cannot be used on it",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			use, err := useOf(args)
			if err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				q, err := core.Work{DB: db}.CheckCoupon(ctx, cliActor, use)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: %s off%s\n", q.Code, retain.FormatAmount(q.Discount, q.Currency), freeItem(q.Item))
				return nil
			})
		},
	}
	holdCmd := &cobra.Command{
		Use:   "hold CODE TOTAL --key KEY [--customer ID]",
		Short: "Hold a coupon for an order until it is confirmed or released (or the hold runs out)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			use, err := useOf(args)
			if err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.HoldCoupon(ctx, cliActor, use, key, hold)
				return e.printRedemption(r, err)
			})
		},
	}
	confirm := &cobra.Command{
		Use:   "confirm KEY [--order ID]",
		Short: "Use a held coupon on the order",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.ConfirmCoupon(ctx, cliActor, args[0], order)
				return e.printRedemption(r, err)
			})
		},
	}
	release := &cobra.Command{
		Use:   "release KEY",
		Short: "Give a held coupon back",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				r, err := core.Work{DB: db}.ReleaseCoupon(ctx, cliActor, args[0])
				return e.printRedemption(r, err)
			})
		},
	}
	void := &cobra.Command{
		Use:   "void CODE",
		Short: "Stop a coupon from being used (a hold made before can still be confirmed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := (core.Work{DB: db}).VoidCoupon(ctx, cliActor, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s is void\n", args[0])
				return nil
			})
		},
	}
	for _, c := range []*cobra.Command{check, holdCmd} {
		c.Flags().StringVar(&customer, "customer", "", "the customer ordering (required for a customer's own coupon)")
		c.Flags().StringVar(&orderCurrency, "currency", "BDT", "the order's currency")
	}
	holdCmd.Flags().StringVar(&key, "key", "", "the hold's key (the receipt's number): confirm or release with it (required)")
	holdCmd.Flags().DurationVar(&hold, "for", core.DefaultHold, "how long the coupon is kept for the order")
	holdCmd.MarkFlagRequired("key")
	confirm.Flags().StringVar(&order, "order", "", "the order it was used on")
	cmd.AddCommand(issue, generate, list, check, holdCmd, confirm, release, void)
	return cmd
}

func (e *env) printRedemption(r core.CouponRedemption, err error) error {
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s: %s, %s off%s", r.Key, r.Status, retain.FormatAmount(r.Discount, r.Currency), freeItem(r.Item))
	if r.HeldUntil != nil {
		line += ", held until " + r.HeldUntil.Format(time.RFC3339)
	}
	if r.Replayed {
		line += " (the key was used before: nothing changed)"
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}

// couponCSV prints coupons as CSV, one a row.
func (e *env) couponCSV(cs []core.CouponView) error {
	w := csv.NewWriter(e.stdout)
	w.Write([]string{"code", "kind", "value", "currency", "min_spend", "max_uses", "customer_id", "expires_at", "batch"})
	for _, c := range cs {
		value := retain.FormatAmount(c.Amount, c.Currency)
		switch c.Kind {
		case retain.CouponPercent:
			value = strconv.Itoa(c.Percent) + "%"
		case retain.CouponFreeItem:
			value = c.Item
		}
		w.Write([]string{c.Code, c.Kind, retain.CSVSafe(value), c.Currency, retain.FormatAmount(c.MinSpend, c.Currency), strconv.Itoa(c.MaxUses),
			retain.CSVSafe(c.Customer), dateOr(c.ExpiresAt, ""), retain.CSVSafe(c.Batch)})
	}
	w.Flush()
	return w.Error()
}

// describeCoupon says what a coupon gives, for the terminal.
func describeCoupon(c core.CouponView) string {
	s := retain.CouponSpec{Kind: c.Kind, Amount: c.Amount, Percent: c.Percent, Item: c.Item, Currency: c.Currency}.Terms()
	if c.Kind == retain.CouponStoreCredit {
		s += ", " + retain.FormatAmount(c.CreditLeft, c.Currency) + " left"
	}
	if c.MinSpend > 0 {
		s += ", min " + c.Currency + " " + retain.FormatAmount(c.MinSpend, c.Currency)
	}
	if c.Void {
		s += ", VOID"
	}
	return s
}

func uses(c core.CouponView) string {
	if c.MaxUses == 0 {
		return strconv.Itoa(c.Uses)
	}
	return fmt.Sprintf("%d/%d", c.Uses, c.MaxUses)
}

func dateOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.Format(time.DateOnly)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func freeItem(item string) string {
	if item == "" {
		return ""
	}
	return ", free: " + item
}
