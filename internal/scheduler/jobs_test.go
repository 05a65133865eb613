package scheduler_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestJobsRecordRunsAndFailures: runs and failures are counted on the
// metrics and kept in the jobs table; a job held by another process is
// skipped; a panicking job fails without taking the others down.
func TestJobsRecordRunsAndFailures(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			reg := prometheus.NewRegistry()
			j := scheduler.NewJobs(db, "me", nil, reg)
			ran := 0
			j.Add(scheduler.Job{Name: "ok", Every: time.Minute, Run: func(context.Context) (string, error) { ran++; return "did it", nil }})
			j.Add(scheduler.Job{Name: "bad", Every: time.Minute, Run: func(context.Context) (string, error) { return "", errors.New("the gateway is down") }})
			j.Add(scheduler.Job{Name: "panics", Every: time.Minute, Run: func(context.Context) (string, error) { panic("oops") }})
			out, err := j.RunOnce(ctx)
			if err != nil || len(out) != 3 || !out[0].Ran || out[1].Err == nil || out[2].Err == nil || !strings.Contains(out[2].Err.Error(), "panicked") {
				t.Fatalf("run once: %+v %v", out, err)
			}
			for _, c := range []struct {
				job, result string
				want        float64
			}{{"ok", "ok", 1}, {"bad", "failed", 1}, {"panics", "failed", 1}} {
				if got := jobRuns(t, reg, c.job, c.result); got != c.want {
					t.Errorf("retain_job_runs_total{job=%q,result=%q} = %v, want %v", c.job, c.result, got, c.want)
				}
			}
			rows, err := db.Jobs(ctx)
			if err != nil || len(rows) != 3 {
				t.Fatalf("jobs: %+v %v", rows, err)
			}
			for _, r := range rows {
				if r.Runs != 1 || (r.Name == "bad") != (r.LastError == "the gateway is down") || r.LeaseOwner != "" {
					t.Errorf("job row %+v", r)
				}
				if !r.NextDueAt.After(db.Now().Add(50 * time.Second)) {
					t.Errorf("%s next due %v, want a minute after its run", r.Name, r.NextDueAt)
				}
			}
			// Another process holds "ok": it is skipped, not run twice.
			if _, held, err := db.AcquireJob(ctx, "ok", "other", time.Minute, true); err != nil || !held {
				t.Fatalf("acquire: %v %v", held, err)
			}
			out, err = j.RunOnce(ctx, "ok")
			if err != nil || out[0].Ran || ran != 1 {
				t.Errorf("a held job ran: %+v %v (ran %d)", out, err, ran)
			}
			if _, err := j.RunOnce(ctx, "nope"); err == nil {
				t.Error("an unknown job name was accepted")
			}
		})
	}
}

// jobRuns reads retain_job_runs_total{job, result} from reg.
func jobRuns(t *testing.T, reg *prometheus.Registry, job, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "retain_job_runs_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["job"] == job && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
