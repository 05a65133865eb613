package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/importer"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
)

// jobs is the one list of Retain's background work: serve runs it, run-due
// and `retain jobs run` run it once. Each job takes its lease in the
// database, so several serve processes on one PostgreSQL run each once per
// period. reg counts the runs on /metrics (nil: not counted).
func (e *env) jobs(db *store.DB, reg prometheus.Registerer) *scheduler.Jobs {
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s/%d", host, os.Getpid())
	live := &core.LiveSettings{DB: db}
	runner := core.NewRunner(db, live, owner, e.log)
	sender := &scheduler.Sender{DB: db, Log: e.log, Owner: owner, Settings: live.Sender}
	j := scheduler.NewJobs(db, owner, e.log, reg)
	j.Add(scheduler.Job{Name: "score", Every: 10 * time.Minute, Lease: 30 * time.Second, Run: func(ctx context.Context) (string, error) {
		due, why := scoreDue(ctx, db)
		if !due {
			return "", nil
		}
		res, err := core.Score(ctx, db, e.scoring)
		if err != nil {
			return "", fmt.Errorf("scoring (%s): %w", why, err)
		}
		return fmt.Sprintf("run %d (%s): %s, %d customers", res.RunID, why, res.Model, res.Customers), nil
	}})
	j.Add(scheduler.Job{Name: "owners", Every: 15 * time.Second, Run: func(ctx context.Context) (string, error) {
		rules, ok, err := core.StoredOwnerRules(ctx, db)
		if err != nil || !ok {
			return "", err
		}
		n, err := core.AssignOwners(ctx, db, rules)
		return counted(n, "customers assigned"), err
	}})
	j.Add(scheduler.Job{Name: "detect", Every: 15 * time.Second, Run: func(ctx context.Context) (string, error) {
		var st core.DetectStats
		err := core.ConsumeChanges(ctx, db, core.DetectOptions{}, &st)
		return detected(st), err
	}})
	j.Add(scheduler.Job{Name: "desk", Every: 2 * time.Second, Run: func(ctx context.Context) (string, error) {
		n, err := core.ConsumeDesk(ctx, db)
		if n == 0 {
			return "", err
		}
		return counted(n, "changes read"), err
	}})
	j.Add(scheduler.Job{Name: "loyalty", Every: 5 * time.Second, Run: func(ctx context.Context) (string, error) {
		n, err := core.ConsumeLoyalty(ctx, db)
		if err != nil {
			return "", err
		}
		born, err := core.GiveBirthdayBonuses(ctx, db) // once a day; the other passes read one setting
		var parts []string
		if n > 0 {
			parts = append(parts, counted(n, "changes read"))
		}
		if born > 0 {
			parts = append(parts, counted(born, "birthday bonuses"))
		}
		return strings.Join(parts, ", "), err
	}})
	j.Add(scheduler.Job{Name: "mail", Every: 30 * time.Second, Lease: 3 * time.Second, Run: func(ctx context.Context) (string, error) {
		st, err := core.PollMail(ctx, db)
		if st.Taken+st.Skipped == 0 {
			return "", err
		}
		out := fmt.Sprintf("%d e-mails filed, %d passed over", st.Taken, st.Skipped)
		if len(st.Passed) > 0 {
			out += " (" + strings.Join(st.Passed, "; ") + ")"
		}
		return out, err
	}})
	j.Add(scheduler.Job{Name: "timers", Every: 15 * time.Second, Run: func(ctx context.Context) (string, error) {
		var st core.DetectStats
		err := core.FireTimers(ctx, db, core.DetectOptions{}, &st)
		if st.Timers == 0 {
			return "", err
		}
		return fmt.Sprintf("%d timers fired; %s", st.Timers, detected(st)), err
	}})
	j.Add(scheduler.Job{Name: "score-alerts", Every: 15 * time.Second, Run: func(ctx context.Context) (string, error) {
		st, err := core.DetectFromScores(ctx, db)
		return detected(st), err
	}})
	j.Add(scheduler.Job{Name: "playbooks", Every: 15 * time.Second, Run: func(ctx context.Context) (string, error) {
		st, err := runner.RunDue(ctx)
		if st.Steps == 0 {
			return "", err
		}
		return fmt.Sprintf("%d steps, %d messages, %d tasks, %d ended", st.Steps, st.Messages, st.Tasks, st.Ended), err
	}})
	j.Add(scheduler.Job{Name: "send", Every: 5 * time.Second, Run: func(ctx context.Context) (string, error) {
		st, err := sender.RunOnce(ctx)
		if st.Claimed+st.Released == 0 {
			return "", err
		}
		return fmt.Sprintf("%d claimed, %d sent, %d to retry, %d deferred, %d waiting for a channel, %d released, %d suppressed, %d capped, %d failed, %d dead, %d expired",
			st.Claimed, st.Sent, st.Retried, st.Deferred, st.Waiting, st.Released, st.Suppressed, st.Capped, st.Failed, st.Dead, st.Expired), err
	}})
	// Imports started in the browser; a lease of 30 s covers a process that
	// is gone mid-import, whose import the next run fails as interrupted.
	j.Add(scheduler.Job{Name: "imports", Every: 2 * time.Second, Lease: 30 * time.Second, Run: func(ctx context.Context) (string, error) {
		return importer.RunQueued(ctx, db)
	}})
	j.Add(scheduler.Job{Name: "dashboard", Every: 5 * time.Minute, Run: func(ctx context.Context) (string, error) {
		return "", core.RefreshDashboard(ctx, db)
	}})
	j.Add(scheduler.Job{Name: "prune", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		n, err := db.PruneChangeLog(ctx, store.KeepChanges)
		if err != nil {
			return "", err
		}
		files, err := importer.ExpireRejects(ctx, db)
		var said []string
		for _, s := range []string{counted(int(n), "changes and fired timers pruned"), counted(files, "old rejects files removed")} {
			if s != "" {
				said = append(said, s)
			}
		}
		return strings.Join(said, "; "), err
	}})
	return j
}

func detected(st core.DetectStats) string {
	if st.Signals == 0 {
		return ""
	}
	return fmt.Sprintf("%d signals, %d alerts raised, %d repeats, %d enrollments", st.Signals, st.Raised, st.Repeated, st.Enrolled)
}

func counted(n int, what string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d %s", n, what)
}

func (e *env) jobsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "jobs", Short: "Show and run the background jobs (serve runs them all the time)"}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Each job's period, last run, duration, result or error, and next due time; the change log's consumers and pending timers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				reg := e.jobs(db, nil)
				if err := db.EnsureJobs(ctx, reg.Names()); err != nil {
					return err
				}
				rows, err := db.Jobs(ctx)
				if err != nil {
					return err
				}
				lags, err := db.ConsumerLags(ctx)
				if err != nil {
					return err
				}
				timers, err := db.PendingTimers(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return e.printJSON(map[string]any{"jobs": rows, "consumers": lags, "pending_timers": timers})
				}
				every := map[string]time.Duration{}
				for _, j := range reg.List() {
					every[j.Name] = j.Every
				}
				now := db.Now()
				w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(w, "JOB\tEVERY\tLAST RUN\tTOOK\tRUNS\tFAILED\tNEXT DUE\tLAST RESULT")
				for _, name := range reg.Names() {
					for _, r := range rows {
						if r.Name != name {
							continue
						}
						result := r.LastResult
						if r.LastError != "" {
							result = "error: " + r.LastError
						}
						if r.LeaseOwner != "" && r.LeaseUntil.After(now) {
							result = "running on " + r.LeaseOwner
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%.2fs\t%d\t%d\t%s\t%s\n", r.Name, every[r.Name], ago(now, r.LastStartedAt), r.LastSeconds, r.Runs,
							r.Failures, until(now, r.NextDueAt), oneLine(result))
					}
				}
				w.Flush()
				for _, l := range lags {
					fmt.Fprintf(e.stdout, "consumer %s: at change %d, %d behind\n", l.Name, l.Position, l.Behind)
				}
				if len(timers) > 0 {
					fmt.Fprintf(e.stdout, "pending timers: %s\n", formatCounts(timers))
				}
				return nil
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	run := &cobra.Command{
		Use:   "run NAME…",
		Short: "Run the named jobs once, now (a job another process is running is skipped)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				return e.runJobs(ctx, db, args, asJSON)
			})
		},
	}
	run.Flags().BoolVar(&asJSON, "json", false, "print the outcomes as JSON")
	cmd.AddCommand(list, run)
	return cmd
}

// runJobs runs the named jobs (all: nil) once and prints what each did;
// any job's failure is the command's.
func (e *env) runJobs(ctx context.Context, db *store.DB, names []string, asJSON bool) error {
	reg := e.jobs(db, nil)
	reg.Quiet = true // the outcomes are printed below
	out, err := reg.RunOnce(ctx, names...)
	if err != nil {
		return err
	}
	if asJSON {
		type outcome struct {
			Job     string  `json:"job"`
			Ran     bool    `json:"ran"`
			Result  string  `json:"result"`
			Error   string  `json:"error,omitempty"`
			Seconds float64 `json:"seconds"`
		}
		var rows []outcome
		for _, o := range out {
			r := outcome{Job: o.Job, Ran: o.Ran, Result: o.Result, Seconds: o.Seconds}
			if o.Err != nil {
				r.Error = o.Err.Error()
			}
			rows = append(rows, r)
		}
		if err := json.NewEncoder(e.stdout).Encode(rows); err != nil {
			return err
		}
	}
	var failed []string
	for _, o := range out {
		switch {
		case asJSON:
		case !o.Ran:
			fmt.Fprintf(e.stdout, "%s: skipped, another process is running it\n", o.Job)
		case o.Err != nil:
			fmt.Fprintf(e.stdout, "%s: error: %v\n", o.Job, o.Err)
		case o.Result == "":
			fmt.Fprintf(e.stdout, "%s: nothing to do (%.2fs)\n", o.Job, o.Seconds)
		default:
			fmt.Fprintf(e.stdout, "%s: %s (%.2fs)\n", o.Job, o.Result, o.Seconds)
		}
		if o.Err != nil {
			failed = append(failed, o.Job)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("jobs failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func until(now, t time.Time) string {
	if !t.After(now) {
		return "now"
	}
	return "in " + t.Sub(now).Round(time.Second).String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		return s[:117] + "…"
	}
	return s
}

// formatCounts writes counts by key, sorted: "a 1, b 2".
func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
