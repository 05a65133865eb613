package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestSettingsApplyLive: playbook messages that fell due while no channel
// was set up wait (shown as waiting in the message log); an admin sets up
// SMS in the settings page of the running server, and the same runner and
// sender — no restart — send them and the next steps' messages.
func TestSettingsApplyLive(t *testing.T) {
	s := newSite(t, storetest.SQLite) // its playbooks ran with no channel set up
	ctx := context.Background()
	counts, err := s.db.MessageCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := s.db.Messages(ctx, store.MessageFilter{Status: retain.MsgWaiting})
	if err != nil || len(waiting) == 0 {
		t.Fatalf("no message waits for a channel (%v; counts %v)", err, counts)
	}
	bySMS := 0 // those SMS can carry (the rest wait for e-mail)
	for _, m := range waiting {
		if strings.Contains(","+m.WaitingFor+",", ",sms,") {
			bySMS++
		}
	}
	if bySMS == 0 {
		t.Fatalf("no waiting message could go by SMS: %+v", waiting[0])
	}
	gwLog := filepath.Join(t.TempDir(), "gateway.log")
	gw, err := messagingtest.New(gwLog)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	live := &core.LiveSettings{DB: s.db}
	sender := &scheduler.Sender{DB: s.db, Owner: "test", Settings: live.Sender}
	runner := core.NewRunner(s.db, live, "test", nil)
	if st, err := sender.RunOnce(ctx); err != nil || st.Sent != 0 {
		t.Fatalf("sent %+v before any channel was set up (%v)", st, err)
	}

	c := s.client(t)
	if code := c.login("admin@shop.example", password); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	if _, body := c.get("/messages?status=waiting"); !strings.Contains(body, "status-waiting") {
		t.Error("the message log does not show the waiting messages")
	}
	doc, _ := json.Marshal(messaging.Settings{BusinessName: "Dhaka Tea House", SMS: ptr(gw.Config()), AllowNetworks: []string{"127.0.0.0/8"},
		QuietHours: map[string]string{"sms": "off"}, StrictQuiet: "off"})
	if code, body := c.post("/settings/messaging", url.Values{"document": {string(doc)}}, ""); code >= 400 {
		t.Fatalf("save settings: %d %s", code, body)
	}
	if m, err := live.Messaging(ctx); err != nil || m.Channels["sms"] == nil {
		t.Fatalf("live settings after the save: %+v %v", m, err)
	}
	if _, err := runner.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := sender.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	delivered, err := messagingtest.Deliveries(gwLog)
	if err != nil || st.Released != bySMS || st.Sent < bySMS || len(delivered) != st.Sent {
		t.Fatalf("after the settings changed: %+v, gateway delivered %d (%v); %d were waiting for SMS", st, len(delivered), err, bySMS)
	}
	left, _ := s.db.Messages(ctx, store.MessageFilter{Status: retain.MsgWaiting})
	for _, m := range left {
		if strings.Contains(m.WaitingFor, "sms") {
			t.Errorf("message %d still waits for %s", m.ID, m.WaitingFor)
		}
	}
}

func ptr[T any](v T) *T { return &v }
