package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestTwoServesShareTheJobs runs two serve processes on one PostgreSQL for
// a minute with scoring due: there is one scoring run, no job's runs
// overlap and no job runs more often than its period (the two processes
// do not each do the work). After 35 s the one running the jobs is
// killed: the other takes them over once their leases run out.
func TestTwoServesShareTheJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two servers for a minute; skipped with -short")
	}
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clock, clockEnv := storetest.ChildClock(t) // the servers read it too
	db.Now = clock
	var b store.Batch
	now := clock()
	for i := range 3000 {
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: fmt.Sprint("o", i), CustomerRef: fmt.Sprint("c", i%300),
			Currency: "BDT", Total: int64(1000 + i%700*10), HasTotal: true, PlacedAt: now.AddDate(0, 0, -(i*37)%400)}})
	}
	if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var servers []*exec.Cmd
	var logs []*bytes.Buffer
	for range 2 {
		cmd := exec.Command(exe, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1", clockEnv)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		logs = append(logs, &log)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		servers = append(servers, cmd)
	}
	time.Sleep(35 * time.Second)
	// Kill the one that ran the latest job.
	host, _ := os.Hostname()
	owner := func(cmd *exec.Cmd) string { return fmt.Sprintf("%s/%d", host, cmd.Process.Pid) }
	sofar, err := db.JobRuns(ctx)
	if err != nil || len(sofar) == 0 {
		t.Fatalf("no job ran in 35 s (%v)", err)
	}
	victim, other := servers[0], servers[1]
	if sofar[len(sofar)-1].Owner == owner(other) {
		victim, other = other, victim
	}
	victim.Process.Kill()
	victim.Wait()
	killedAt := clock()
	time.Sleep(25 * time.Second)
	other.Process.Kill()
	other.Wait()
	survivor := owner(other)

	runs, err := db.ScoringRuns(ctx, 10)
	if err != nil || len(runs) != 1 {
		t.Errorf("%d scoring runs (%v), want 1", len(runs), err)
	}
	history, err := db.JobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	every := map[string]time.Duration{"score": 10 * time.Minute, "owners": 15 * time.Second, "detect": 15 * time.Second,
		"timers": 15 * time.Second, "score-alerts": 15 * time.Second, "playbooks": 15 * time.Second, "send": 5 * time.Second,
		"imports": 2 * time.Second, "dashboard": 5 * time.Minute, "prune": time.Hour, "desk": 2 * time.Second, "mail": 30 * time.Second,
		"loyalty": 5 * time.Second}
	byJob := map[string][]store.JobRunRecord{}
	owners := map[string]bool{}
	tookOver := 0
	for _, r := range history {
		byJob[r.Name] = append(byJob[r.Name], r)
		owners[r.Owner] = true
		if r.Owner == survivor && r.Started.After(killedAt) {
			tookOver++
		}
	}
	if len(byJob) != len(every) {
		t.Errorf("jobs that ran: %d, want %d", len(byJob), len(every))
	}
	for name, rs := range byJob {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Started.Before(rs[j].Started) })
		for i := 1; i < len(rs); i++ {
			if rs[i].Started.Before(rs[i-1].Finished) {
				t.Errorf("%s: a run on %s started at %v, before the run on %s ended at %v", name, rs[i].Owner, rs[i].Started,
					rs[i-1].Owner, rs[i-1].Finished)
			}
			// Due again a period after the last run started; a second of
			// slack for the two processes' clocks and polling.
			if gap := rs[i].Started.Sub(rs[i-1].Started); gap < every[name]-time.Second {
				t.Errorf("%s ran %v after its previous run, period %v", name, gap, every[name])
			}
		}
		if limit := int(time.Minute/every[name]) + 2; len(rs) > limit {
			t.Errorf("%s ran %d times in a minute, at most %d expected", name, len(rs), limit)
		}
	}
	if tookOver == 0 {
		t.Errorf("no job ran on the surviving server after the other was killed (runs by %v)\n%s\n%s", owners, logs[0], logs[1])
	}
	t.Logf("%d job runs by %d processes, %d by the survivor after the kill; per job: %v", len(history), len(owners), tookOver, counts(byJob))
}

func counts(m map[string][]store.JobRunRecord) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}
