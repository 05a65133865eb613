package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestMailKilled: `retain jobs run mail` reads 600 customers' e-mails
// from an IMAP mailbox and is killed with SIGKILL at random 4 times (each after the last kill's job lease, 3 s, ran out), then
// run to the end: every e-mail is filed once — none lost, no ticket twice
// — because each is filed in one transaction with the mailbox's cursor.
func TestMailKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "r.db")
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			mailKillHarness(t, dsn)
		})
	}
}

func mailKillHarness(t *testing.T, dsn string) {
	const mails, kills = 600, 4
	ctx := context.Background()
	box := messagingtest.StartIMAP(t)
	for i := range mails {
		box.Deliver(t, fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nSubject: order %d\r\nMessage-ID: <m%d@example.com>\r\n\r\nWhere is order %d?\r\n",
			i, i, i, i, i))
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(messaging.Settings{AllowNetworks: []string{"127.0.0.0/8"},
		IMAP: &messaging.IMAPSettings{Host: box.Host, Port: box.Port, Username: box.User, Password: box.Password, TLS: "none"}})
	if err := db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	job := func() *exec.Cmd {
		cmd := exec.Command(exe, "jobs", "run", "mail", "--db", dsn)
		cmd.Env = append(os.Environ(), "RETAIN_TEST_AS_CLI=1")
		return cmd
	}
	src := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	killed := 0
	for killed < kills {
		cmd := job()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+src.IntN(300)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			killed++
		}
		cmd.Wait()
		time.Sleep(3100 * time.Millisecond) // the killed run's lease ends
	}
	filed := func() (messages, tickets int64, last uint32) {
		t.Helper()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for offset := 0; ; offset += 500 {
			rows, err := db.Tickets(ctx, store.TicketFilter{View: "all", Limit: 500, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				messages += int64(r.Messages)
			}
			if tickets += int64(len(rows)); len(rows) < 500 {
				break
			}
		}
		_, last, err = db.MailCursor(ctx, box.User+"@"+box.Host+"/INBOX")
		if err != nil {
			t.Fatal(err)
		}
		return messages, tickets, last
	}
	atKills, _, _ := filed()
	for pass := 0; ; pass++ {
		if out, err := job().CombinedOutput(); err != nil {
			t.Fatalf("jobs run mail: %v\n%s", err, out)
		}
		if _, _, last := filed(); last >= mails || pass > 10 {
			break
		}
		time.Sleep(time.Second)
	}
	messages, tickets, last := filed()
	t.Logf("%d kills; %d e-mails filed before the last run, %d after; cursor at %d", killed, atKills, messages, last)
	if messages != mails || tickets != mails || last != mails {
		t.Errorf("%d messages in %d tickets, cursor %d: want %d of each", messages, tickets, last, mails)
	}
}
