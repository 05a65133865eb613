package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) reportCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Summarize what the database holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				s, err := db.Summary(ctx)
				if err != nil {
					return err
				}
				runs, err := db.ScoringRuns(ctx, 5)
				if err != nil {
					return err
				}
				eng, err := engineReport(ctx, db)
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(struct {
						*store.Summary
						Scores []store.ScoringRun `json:"scoring_runs"`
						Engine engineSummary      `json:"engine"`
					}{s, runs, eng})
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintf(w, "Database\t%s\n", db)
				fmt.Fprintf(w, "Customers\t%d\t(%d bought, %d bought again: repeat-purchase rate %.1f%%)\n",
					s.Customers, s.Buyers, s.RepeatCustomers, 100*s.RepeatRate)
				fmt.Fprintf(w, "Orders\t%d\t(%d lines, %d products)\n", s.Orders, s.OrderLines, s.Products)
				if s.FirstOrderAt != nil {
					fmt.Fprintf(w, "Order dates\t%s … %s\n", s.FirstOrderAt.Format("2006-01-02"), s.LastOrderAt.Format("2006-01-02"))
				}
				money := i18n.New("en", false) // grouped, with the currency's symbol: ৳14,708,600.00
				for _, r := range s.Revenue {
					fmt.Fprintf(w, "Revenue %s\t%s\t(%d orders)\n", r.Currency, money.Money(r.Minor, r.Currency), r.Orders)
				}
				fmt.Fprintf(w, "Order events\t%d\t%s\n", s.OrderEvents, byType(s.OrderEventsByType))
				fmt.Fprintf(w, "Tickets\t%d\t(%d open)\n", s.Tickets, s.OpenTickets)
				fmt.Fprintf(w, "Survey responses\t%d\n", s.SurveyResponses)
				fmt.Fprintf(w, "Subscriptions\t%d\n", s.Subscriptions)
				fmt.Fprintf(w, "Interactions\t%d\n", s.Interactions)
				fmt.Fprintf(w, "Staff\t%d\n", s.Staff)
				fmt.Fprintf(w, "API events\t%d\n", s.Events)
				if err := w.Flush(); err != nil {
					return err
				}
				if err := printRuns(e.stdout, runs); err != nil {
					return err
				}
				return printEngine(e.stdout, eng)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.AddCommand(e.reportRatingsCommand(), e.reportDeskCommand(), e.reportLoyaltyCommand())
	return cmd
}

// printRuns shows the latest scoring run and the trend over the last runs.
func printRuns(out io.Writer, runs []store.ScoringRun) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(out, "\nScores: none yet (run retain score)")
		return err
	}
	fmt.Fprintln(out, "\nScoring runs (newest first)")
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RUN\tSCORED\tDATA TO\tMODEL\tCUSTOMERS\tMEAN HEALTH\tAT RISK\tMEAN P(ALIVE)\tEXPECTED PURCHASES")
	for _, r := range runs {
		var s core.RunSummary
		if err := json.Unmarshal(r.Summary, &s); err != nil {
			return err
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%.1f\t%d\t%.3f\t%.1f in %d days\n", r.ID, r.StartedAt.Format("2006-01-02 15:04"),
			r.CalibrationEnd.Format(time.DateOnly), r.Model, s.Customers, s.MeanHealth, s.AtRisk, s.MeanPAlive, s.ExpectedPurchases, r.HorizonDays)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	var latest core.RunSummary
	json.Unmarshal(runs[0].Summary, &latest)
	_, err := fmt.Fprintf(out, "Latest segments: %s\nLatest rhythm flags: %s\n", countString(latest.Segments), countString(latest.Flags))
	return err
}

func byType(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s %d", k, m[k])
	}
	if out != "" {
		out = "(" + out + ")"
	}
	return out
}

// engineSummary is what the engine has done: alerts, tasks, the outbox and
// the playbooks' outcomes with the recovery rate.
type engineSummary struct {
	OpenAlerts       int            `json:"open_alerts"`
	AlertsByReason   map[string]int `json:"alerts_by_reason"`
	OpenTasks        int            `json:"open_tasks"`
	Messages         map[string]int `json:"messages"`
	SendsAfterOptOut int            `json:"sends_after_opt_out"`
	Recovery         core.Recovery  `json:"recovery"`
}

func engineReport(ctx context.Context, db *store.DB) (engineSummary, error) {
	var s engineSummary
	var err error
	if s.AlertsByReason, err = db.OpenAlertsByReason(ctx); err != nil {
		return s, err
	}
	for _, n := range s.AlertsByReason {
		s.OpenAlerts += n
	}
	if s.OpenTasks, err = db.OpenTasks(ctx); err != nil {
		return s, err
	}
	if s.Messages, err = db.MessageCounts(ctx); err != nil {
		return s, err
	}
	if s.SendsAfterOptOut, err = db.SendsAfterOptOut(ctx); err != nil {
		return s, err
	}
	s.Recovery, err = core.Outcomes(ctx, db)
	return s, err
}

func printEngine(out io.Writer, s engineSummary) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nEngine")
	fmt.Fprintf(w, "Open alerts\t%d\t%s\n", s.OpenAlerts, byType(toInt64(s.AlertsByReason)))
	fmt.Fprintf(w, "Open tasks\t%d\n", s.OpenTasks)
	if len(s.Messages) == 0 {
		fmt.Fprintln(w, "Messages\tnone")
	} else {
		fmt.Fprintf(w, "Messages\t%s\n", byType(toInt64(s.Messages)))
	}
	fmt.Fprintf(w, "Sends after an opt-out\t%d\t(must be 0)\n", s.SendsAfterOptOut)
	r := s.Recovery
	if r.Ended > 0 {
		fmt.Fprintf(w, "Recovery rate\t%.1f%%\t(%d of %d unhappy customers bought again in time; %d still in recovery)\n", 100*r.Rate, r.Recovered, r.Ended, r.Active)
	} else {
		fmt.Fprintf(w, "Recovery rate\t–\t(no recovery enrollment has ended yet; %d in recovery)\n", r.Active)
	}
	for _, p := range r.Playbooks {
		if p.Active+len(p.Outcomes) == 0 {
			continue
		}
		outcomes := "no outcomes yet"
		if len(p.Outcomes) > 0 {
			outcomes = fmt.Sprintf("%s; conversion %.0f%%", byType(toInt64(p.Outcomes)), 100*p.Conversion)
		}
		fmt.Fprintf(w, "Playbook %s\t%d active\t%s\n", p.Key, p.Active, outcomes)
	}
	return w.Flush()
}

func toInt64(m map[string]int) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out
}

func (e *env) reportRatingsCommand() *cobra.Command {
	var period, asOf string
	var periods int
	var byStaff, asJSON bool
	cmd := &cobra.Command{
		Use:   "ratings",
		Short: `"Who helped you?" ratings by team or person: CSAT share with its 95% interval, NPS, answers`,
		Long: fmt.Sprintf(`Counts the survey answers that name a staff member, per team (or --staff, per person) and per
week, month or quarter in the business's time zone, the current one last. A figure of fewer than %d
answers is shown as "-" with its count.`, core.MinRatingAnswers),
		Example: `  retain report ratings --period month --periods 6
  retain report ratings --staff --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				zone, err := core.BusinessZone(ctx, db)
				if err != nil {
					return err
				}
				now := db.Now()
				if asOf != "" {
					if now, err = time.ParseInLocation(time.DateOnly, asOf, zone); err != nil {
						return retain.Errorf(retain.EINVALID, "--as-of %q: use YYYY-MM-DD", asOf)
					}
				}
				t, err := core.Ratings(ctx, db, core.RatingOptions{Period: period, Periods: periods, ByStaff: byStaff, Zone: zone, Now: now})
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(t)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprint(w, "TEAM\tPERSON")
				for _, p := range t.Periods {
					fmt.Fprintf(w, "\t%s", p.Format(time.DateOnly))
				}
				fmt.Fprintln(w)
				for _, r := range t.Rows {
					fmt.Fprintf(w, "%s\t%s", cmp.Or(r.Team, "-"), cmp.Or(r.Name, "-"))
					for _, c := range r.Cells {
						fmt.Fprintf(w, "\t%s", ratingCell(c))
					}
					fmt.Fprintln(w)
				}
				return w.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&period, "period", "month", "week (from Monday), month or quarter")
	cmd.Flags().IntVar(&periods, "periods", 3, "how many periods, the current one last")
	cmd.Flags().BoolVar(&byStaff, "staff", false, "one row per person instead of per team")
	cmd.Flags().StringVar(&asOf, "as-of", "", "the day whose period is the last one, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// ratingCell is a period's figures in a few characters: CSAT share and
// interval, NPS, answers.
func ratingCell(c core.RatingCell) string {
	if !c.Shown {
		return fmt.Sprintf("- (%d)", c.Answers)
	}
	var parts []string
	if c.CSATAnswers > 0 {
		parts = append(parts, fmt.Sprintf("CSAT %.0f%% [%.0f–%.0f]", 100*c.CSATShare(), 100*c.CSATLow, 100*c.CSATHigh))
	}
	if c.NPSAnswers > 0 {
		parts = append(parts, fmt.Sprintf("NPS %+.0f", c.NPS()))
	}
	return strings.Join(append(parts, fmt.Sprintf("(%d)", c.Answers)), " ")
}

func (e *env) reportDeskCommand() *cobra.Command {
	var by, since, until string
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "desk",
		Short: "The support desk: first response and resolution times, SLA attainment, replies to resolve, CSAT after resolution",
		Long: `Measures the tickets opened in a period (default the last 30 days), by agent, team, channel, cause
or month, with a last row for them all. Times are business time on the desk's calendar (retain desk
show), in minutes: what the SLA targets count.`,
		Example: `  retain report desk --by channel
  retain report desk --by agent --since 2026-11-01 --csv > agents.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				zone, err := core.BusinessZone(ctx, db)
				if err != nil {
					return err
				}
				to := db.Now()
				if until != "" {
					if to, err = time.ParseInLocation(time.DateOnly, until, zone); err != nil {
						return retain.FieldError("until", "%q: use YYYY-MM-DD", until)
					}
					to = to.AddDate(0, 0, 1)
				}
				from := to.AddDate(0, 0, -30)
				if since != "" {
					if from, err = time.ParseInLocation(time.DateOnly, since, zone); err != nil {
						return retain.FieldError("since", "%q: use YYYY-MM-DD", since)
					}
				}
				rows, err := core.DeskReport(ctx, db, from, to, by)
				if err != nil {
					return err
				}
				switch {
				case asJSON:
					return e.printJSON(rows)
				case asCSV:
					return core.WriteDeskCSV(e.stdout, rows)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, strings.ToUpper(by)+"\tTICKETS\tANSWERED\tRESOLVED\tFIRST RESPONSE p50/p90\tRESOLUTION p50\tREPLIES\tFR MET\tRES MET\tCSAT")
				for _, r := range rows {
					group := cmp.Or(r.Group, "-")
					if r.Total {
						group = "all"
					}
					csat := "-"
					if r.CSATAnswers > 0 {
						csat = fmt.Sprintf("%.2f (%d)", r.CSAT, r.CSATAnswers)
					}
					fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s / %s\t%s\t%.1f\t%.0f%%\t%.0f%%\t%s\n", group, r.Tickets, r.Answered, r.Resolved,
						minutes(r.FirstResponseP50), minutes(r.FirstResponseP90), minutes(r.ResolutionP50), r.RepliesToResolve,
						100*r.FirstResponseMet, 100*r.ResolutionMet, csat)
				}
				return w.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", "agent", "agent, team, channel, cause or month")
	cmd.Flags().StringVar(&since, "since", "", "the first day, YYYY-MM-DD (default 30 days before --until)")
	cmd.Flags().StringVar(&until, "until", "", "the last day, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV")
	return cmd
}

// minutes writes a business-time duration in minutes as hours and minutes.
func minutes(m float64) string {
	d := time.Duration(m * float64(time.Minute)).Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func (e *env) reportLoyaltyCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "loyalty",
		Short: "The loyalty programme's cost and use: members, points outstanding and their worth by expiry month, redemption, coupons",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				f, err := db.LoyaltyFigures(ctx, db.Now())
				if err != nil {
					return err
				}
				program, err := core.LoyaltyProgram(ctx, db)
				if err != nil {
					return err
				}
				effect, err := core.ProgramEffect(ctx, db)
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(struct {
						store.LoyaltyFigures
						Liability int64          `json:"liability_minor"`
						Currency  string         `json:"currency"`
						Effect    loyalty.Effect `json:"effect"`
					}{f, f.Live * program.PointValue, program.Currency, effect})
				}
				money := i18n.New("en", false)
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintf(w, "Members\t%d\n", f.Members)
				fmt.Fprintf(w, "Points outstanding\t%d\tworth %s at %s a point\n", f.Live, money.Money(f.Live*program.PointValue, program.Currency),
					money.Money(program.PointValue, program.Currency))
				for _, m := range f.ByExpiry {
					month := "never"
					if !m.Month.IsZero() {
						month = m.Month.Format("2006-01")
					}
					fmt.Fprintf(w, "  expiring %s\t%d\t%s\n", month, m.Points, money.Money(m.Points*program.PointValue, program.Currency))
				}
				rate := 0.0
				if f.Earned > 0 {
					rate = 100 * float64(f.Redeemed) / float64(f.Earned)
				}
				fmt.Fprintf(w, "Last 12 months\tearned %d, redeemed %d (%.1f%%), expired %d, taken back by refunds %d\n", f.Earned, f.Redeemed, rate, f.Expired, f.Reversed)
				fmt.Fprintf(w, "Coupons (12 months)\t%d issued (%d rewards bought with points), %d used\n", f.CouponsIssued, f.RewardsBought, f.CouponsUsed)
				for cur, off := range f.Discounts {
					fmt.Fprintf(w, "  taken off orders\t%s\n", money.Money(off, cur))
				}
				if f.Referrals > 0 {
					fmt.Fprintf(w, "Referrals (12 months)\t%d friends signed up, %d kept a first order (%.1f%%)\n", f.Referrals, f.ReferralsCompleted,
						100*float64(f.ReferralsCompleted)/float64(f.Referrals))
					for _, why := range slices.Sorted(maps.Keys(f.ReferralsRefused)) {
						fmt.Fprintf(w, "  refused: %s\t%d\n", why, f.ReferralsRefused[why])
					}
				}
				fmt.Fprintf(w, "Effect (%d days after joining)\t%d members compared (%d a year before joining), %d left out for want of comparable customers\n",
					effect.WindowDays, effect.Members, effect.YearBefore, effect.Unmatched)
				if effect.Members > 0 {
					fmt.Fprintf(w, "  bought again\tmembers %.1f%%, comparable customers %.1f%%\n", 100*effect.MemberRate, 100*effect.MatchedRate)
					fmt.Fprintf(w, "  spent\tmembers %s, comparable customers %s\n", money.Money(int64(effect.MemberSpend), program.Currency),
						money.Money(int64(effect.MatchedSpend), program.Currency))
				}
				return w.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
