package cli_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/cli"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// consumeUntilDone is the child of TestDetectionKilled: it runs the
// detection consumer over the change log until the parent has written a
// done file next to the database and nothing is left to consume.
func consumeUntilDone(path string) int {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	db.Now = cli.Clock // the parent's pinned clock (TestMain)
	for {
		_, doneErr := os.Stat(path + ".done")
		var st core.DetectStats
		// Small batches: many commits, so kills land between a batch's
		// effects and its cursor advance often, were they not one commit.
		if err := core.ConsumeChanges(ctx, db, core.DetectOptions{Batch: 25}, &st); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if doneErr == nil && st.Signals == 0 {
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDetectionKilled kills the detection consumer (SIGKILL) 10 times while
// 100,000 changes flow into the change log (50,000 new customers, each with
// a detractor's survey answer), then lets it finish: every answer has
// exactly one alert with one occurrence, and one enrollment. A batch's
// effects and its cursor advance commit together; were they two
// transactions, a kill between them would count an answer twice or lose it.
func TestDetectionKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	const customers, perBatch, kills = 50000, 1000, 10
	path := filepath.Join(t.TempDir(), "r.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPlaybookEnabled(ctx, retain.System("test"), "service_recovery", true); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	clock, clockEnv := storetest.ChildClock(t)
	db.Now = clock
	child := func() *exec.Cmd {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "RETAIN_TEST_CONSUMER_DB="+path, clockEnv)
		return cmd
	}

	written := make(chan error, 1)
	go func() { // the flow: the child process consumes while this writes
		now := clock() // the child reads the same pinned clock
		for start := 0; start < customers; start += perBatch {
			var b store.Batch
			for i := start; i < start+perBatch; i++ {
				b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{
					ExternalID: fmt.Sprint("nps-", i), CustomerRef: fmt.Sprint("c", i), Kind: "nps", Score: 3, Comment: "late again",
					RespondedAt: now.Add(-time.Duration(customers-i) * time.Second)}})
			}
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&b)); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	for killed := 0; killed < kills; {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			killed++
		}
		cmd.Wait()
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	var consumed int64
	if raw := storetest.RawSQLite(t, path); raw != nil {
		raw.QueryRow(`SELECT position FROM consumer_cursors WHERE name = 'detect'`).Scan(&consumed)
		raw.Close()
	}
	t.Logf("killed %d times; the cursor had reached change %d", kills, consumed)
	if err := os.WriteFile(path+".done", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("the last consumer: %v\n%s", err, out)
	}

	raw := storetest.RawSQLite(t, path)
	defer raw.Close()
	var alerts, occurrences, enrollments, changes, cursor int64
	for _, q := range []struct {
		sql string
		v   *int64
	}{
		{`SELECT COUNT(*), COALESCE(SUM(occurrences), 0) FROM alerts WHERE reason = 'detractor'`, nil},
		{`SELECT COUNT(*) FROM enrollments WHERE playbook_key = 'service_recovery'`, &enrollments},
		{`SELECT COUNT(*) FROM changes`, &changes},
		{`SELECT position FROM consumer_cursors WHERE name = 'detect'`, &cursor},
	} {
		var err error
		if q.v == nil {
			err = raw.QueryRow(q.sql).Scan(&alerts, &occurrences)
		} else {
			err = raw.QueryRow(q.sql).Scan(q.v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var last int64
	raw.QueryRow(`SELECT MAX(id) FROM changes`).Scan(&last)
	if alerts != customers || occurrences != customers || enrollments != customers {
		t.Errorf("%d alerts with %d occurrences and %d enrollments for %d detractors: want exactly one each", alerts, occurrences, enrollments, customers)
	}
	if changes != 2*customers || cursor != last {
		t.Errorf("%d changes (want %d), cursor at %d of %d", changes, 2*customers, cursor, last)
	}
	var ok string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
}
