package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestSenderKilled is the messaging crash harness (docs/reliability.md M2, M3):
// `retain run-due` sends 10,000 messages to a fake gateway and is killed
// with SIGKILL at random 20 times, then run to the end. With a gateway that
// honours idempotency keys: every message delivered exactly once. Without:
// none lost, and no more repeats than calls in flight at the kills.
func TestSenderKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, idempotent := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/idempotent=%v", backend, idempotent), func(t *testing.T) {
				dsn := filepath.Join(t.TempDir(), "r.db")
				if backend == "postgres" {
					dsn = storetest.PostgresDSN(t) // a fresh schema, or skip
				}
				killHarness(t, dsn, idempotent)
			})
		}
	}
}

func killHarness(t *testing.T, dsn string, idempotent bool) {
	const customers, per, kills, workers = 1000, 10, 20, 8
	ctx := context.Background()
	log := filepath.Join(t.TempDir(), "gateway.log")
	gw, err := messagingtest.New(log)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gw.Idempotent = idempotent

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	for i := range customers {
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: fmt.Sprint("c", i), TimeZone: "Asia/Dhaka"}})
	}
	if _, err := db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	cfg := gw.Config()
	settings, _ := json.Marshal(messaging.Settings{SMS: &cfg, AllowNetworks: []string{"127.0.0.0/8"},
		QuietHours: map[string]string{"sms": "off"}, TimeoutSecs: 2, LeaseSecs: 3})
	if err := db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
		t.Fatal(err)
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for c := range customers {
			cust, err := db.GetCustomer(ctx, fmt.Sprint("c", c))
			if err != nil {
				return err
			}
			for i := range per {
				if _, _, err := tx.EnqueueMessage(ctx, retain.Message{IdempotencyKey: fmt.Sprintf("m-%d-%d", c, i), CustomerID: cust.ID,
					Channel: "sms", Purpose: "transactional", Kind: "test", Recipient: fmt.Sprintf("+8801711%06d", c), Body: fmt.Sprintf("m-%d-%d", c, i)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	runDue := func() *exec.Cmd {
		cmd := exec.Command(exe, "run-due", "--db", dsn)
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
		return cmd
	}
	src := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	start := time.Now()
	killed := 0
	for killed < kills {
		cmd := runDue()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+src.IntN(400)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			killed++
		}
		cmd.Wait()
	}
	// Then to the end: abandoned claims come back when their lease ends.
	for pass := 0; ; pass++ {
		out, err := runDue().CombinedOutput()
		if err != nil {
			t.Fatalf("run-due: %v\n%s", err, out)
		}
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := db.MessageCounts(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if counts[string(retain.MsgQueued)]+counts[string(retain.MsgSending)] == 0 {
			if counts[string(retain.MsgSent)] != customers*per {
				t.Fatalf("statuses %v, want %d sent", counts, customers*per)
			}
			break
		}
		if pass > 40 {
			t.Fatalf("not done after %d passes: %v", pass, counts)
		}
		time.Sleep(time.Second)
	}
	ds, err := messagingtest.Deliveries(log)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range ds {
		seen[d.Body]++
	}
	dups := len(ds) - len(seen)
	lost := 0
	for c := range customers {
		for i := range per {
			if seen[fmt.Sprintf("m-%d-%d", c, i)] == 0 {
				lost++
			}
		}
	}
	t.Logf("%d kills; %d deliveries of %d messages, %d lost, %d repeated; %.1fs", killed, len(ds), customers*per, lost, dups, time.Since(start).Seconds())
	if lost != 0 {
		t.Errorf("%d messages lost", lost)
	}
	if idempotent && dups != 0 {
		t.Errorf("%d duplicate deliveries through an idempotent gateway", dups)
	}
	if !idempotent && dups > kills*workers {
		t.Errorf("%d duplicates, more than the %d calls that can be in flight at %d kills", dups, kills*workers, kills)
	}
	if strings.Contains(dsn, "://") {
		return
	}
	raw := storetest.RawSQLite(t, dsn)
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
}
