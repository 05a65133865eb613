package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Job is a named piece of background work that runs every Every.
type Job struct {
	Name  string
	Every time.Duration
	// Lease is how long a run may hold the job without renewing (default
	// 10 s); a running job renews it every Lease/3, so a lease only runs
	// out when its process is gone, and then soon.
	Lease time.Duration
	// Run does the work and says in a few words what it did ("" when it
	// had nothing to do).
	Run func(ctx context.Context) (string, error)
}

// Jobs is the registry of background jobs: serve runs it, run-due and
// `retain jobs run` run it once. Every run takes the job's lease in the
// database first, so any number of processes can share one database.
type Jobs struct {
	DB    *store.DB
	Owner string // names this process in leases
	Log   *slog.Logger
	// Quiet leaves what each run did out of the log (errors stay), for
	// callers that print the outcomes themselves (run-due, jobs run).
	Quiet bool

	jobs    []Job
	runs    *prometheus.CounterVec
	seconds *prometheus.HistogramVec
}

// NewJobs makes an empty registry whose runs are counted in reg (nil: not
// counted).
func NewJobs(db *store.DB, owner string, log *slog.Logger, reg prometheus.Registerer) *Jobs {
	j := &Jobs{DB: db, Owner: owner, Log: log,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "retain_job_runs_total", Help: "Background job runs by job and result (ok, failed).",
		}, []string{"job", "result"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "retain_job_duration_seconds", Help: "Background job run time by job.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60, 300},
		}, []string{"job"}),
	}
	if reg != nil {
		reg.MustRegister(j.runs, j.seconds)
	}
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	return j
}

// Add registers a job.
func (j *Jobs) Add(job Job) {
	if job.Lease == 0 {
		job.Lease = 10 * time.Second
	}
	j.jobs = append(j.jobs, job)
}

// List returns the jobs in the order they were added.
func (j *Jobs) List() []Job { return slices.Clone(j.jobs) }

// Names returns the jobs' names.
func (j *Jobs) Names() []string {
	out := make([]string, len(j.jobs))
	for i, job := range j.jobs {
		out[i] = job.Name
	}
	return out
}

// Outcome is what one job did in RunOnce.
type Outcome struct {
	Job     string
	Ran     bool // false: another process holds it
	Result  string
	Err     error
	Seconds float64
}

// RunOnce runs the named jobs (all when names is empty) once each, in
// order, now, whatever their period; a job another process is running is
// skipped. An unknown name is an error before anything runs.
func (j *Jobs) RunOnce(ctx context.Context, names ...string) ([]Outcome, error) {
	todo := j.jobs
	if len(names) > 0 {
		todo = nil
		for _, n := range names {
			i := slices.IndexFunc(j.jobs, func(job Job) bool { return job.Name == n })
			if i < 0 {
				return nil, retain.Errorf(retain.EINVALID, "no job %q (jobs: %v)", n, j.Names())
			}
			todo = append(todo, j.jobs[i])
		}
	}
	if err := j.DB.EnsureJobs(ctx, j.Names()); err != nil {
		return nil, err
	}
	var out []Outcome
	for _, job := range todo {
		o, err := j.run(ctx, job, true)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Serve runs every job whenever it is due until ctx ends: one goroutine per
// job, which reads (without writing) when its job is next due and free —
// another process may have run it meanwhile — and sleeps until then, but
// never longer than a few seconds.
func (j *Jobs) Serve(ctx context.Context) error {
	if err := j.DB.EnsureJobs(ctx, j.Names()); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, job := range j.jobs {
		wg.Go(func() {
			for ctx.Err() == nil {
				wait, err := j.DB.JobDueIn(ctx, job.Name)
				if err == nil && wait <= 0 {
					_, err = j.run(ctx, job, false)
					wait = job.Every
				}
				if err != nil && ctx.Err() == nil {
					j.Log.Error("job bookkeeping", "job", job.Name, "err", err)
				}
				t := time.NewTimer(min(max(wait, 200*time.Millisecond), 5*time.Second))
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
		})
	}
	wg.Wait()
	return nil
}

// run runs job once if it is due (or force) and free. The error is the
// bookkeeping's; the job's own error is in the Outcome.
func (j *Jobs) run(ctx context.Context, job Job, force bool) (Outcome, error) {
	o := Outcome{Job: job.Name}
	fence, ok, err := j.DB.AcquireJob(ctx, job.Name, j.Owner, job.Lease, force)
	if err != nil || !ok {
		return o, err
	}
	o.Ran = true
	started := j.DB.Now()
	runCtx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() { // keep the lease while the job runs
		defer close(renewed)
		t := time.NewTicker(job.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				held, err := j.DB.ExtendJob(runCtx, job.Name, fence, job.Lease)
				switch {
				case err != nil && runCtx.Err() == nil: // tried again at the next tick, while the lease lasts
					j.Log.Error("renewing the job's lease", "job", job.Name, "err", err)
				case err == nil && !held:
					j.Log.Error("job lease lost; stopping the run", "job", job.Name)
					cancel()
					return
				}
			}
		}
	}()
	o.Result, o.Err = safeRun(runCtx, job)
	cancel()
	<-renewed
	o.Seconds = j.DB.Now().Sub(started).Seconds()
	run := store.JobRun{Owner: j.Owner, Started: started, Next: started.Add(job.Every), Result: o.Result}
	result := "ok"
	if o.Err != nil {
		run.Err, result = o.Err.Error(), "failed"
		if ctx.Err() == nil {
			j.Log.Error("job failed", "job", job.Name, "err", o.Err)
		}
	} else if o.Result != "" && !j.Quiet {
		j.Log.Info(job.Name, "result", o.Result, "seconds", o.Seconds)
	}
	j.runs.WithLabelValues(job.Name, result).Inc()
	j.seconds.WithLabelValues(job.Name).Observe(o.Seconds)
	// Recorded even when ctx ended (a shutdown mid-run), so the lease is
	// released for the next process instead of running out.
	return o, j.DB.FinishJob(context.WithoutCancel(ctx), job.Name, fence, run)
}

// safeRun turns a job's panic into its error, so one bad job cannot stop
// the others or leave its lease held until it runs out.
func safeRun(ctx context.Context, job Job) (res string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Name, p)
		}
	}()
	return job.Run(ctx)
}
