package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/messaging/messagingtest"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskEmail, on SQLite and PostgreSQL, with a fake IMAP mailbox and a
// fake SMTP server: a customer's e-mail becomes a ticket on a new
// customer (the quoted thread trimmed, the photo kept); reading the
// mailbox again takes nothing twice; the agent's reply goes by e-mail
// threaded under theirs; their answer to it lands in the same ticket
// although its subject changed; an out-of-office reply is left out; a
// mail service's signed webhook files an e-mail too, an unsigned one is
// refused.
func TestDeskEmail(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
			f.db.Now = func() time.Time { return now }
			box, smtp := messagingtest.StartIMAP(t), messagingtest.StartSMTP(t)
			settings, _ := json.Marshal(messaging.Settings{BusinessName: "Pokhara Paper", InboundSecret: inboundSecret, AllowNetworks: []string{"127.0.0.0/8"},
				Email:      &messaging.EmailSettings{Host: smtp.Host, Port: smtp.Port, From: "Pokhara Paper <help@shop.example>", TLS: "none"},
				IMAP:       &messaging.IMAPSettings{Host: box.Host, Port: box.Port, Username: box.User, Password: box.Password, TLS: "none"},
				QuietHours: map[string]string{"email": "off"}, StrictQuiet: "off"})
			if err := f.db.SetSetting(ctx, messaging.SettingsKey, string(settings)); err != nil {
				t.Fatal(err)
			}
			box.Deliver(t, "From: Gita Thapa <gita@example.com>\r\nTo: help@shop.example\r\nSubject: 40 boxes to Pokhara\r\n"+
				"Message-ID: <c1@example.com>\r\nDate: Mon, 01 Jun 2026 09:30:00 +0545\r\nMIME-Version: 1.0\r\n"+
				"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
				"Can you deliver 40 boxes by Friday?\r\n\r\nOn Sun, 31 May 2026, Pokhara Paper <help@shop.example> wrote:\r\n> Our new catalogue\r\n"+
				"--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"order.png\"\r\n\r\nPNGDATA\r\n--B--\r\n")
			box.Deliver(t, "From: Gita Thapa <gita@example.com>\r\nSubject: Auto: away\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until Monday.")
			poll := func() core.MailStats {
				t.Helper()
				st, err := core.PollMail(ctx, f.db)
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			if st := poll(); st.Taken != 1 || st.Skipped != 1 || len(st.Passed) != 1 || !strings.Contains(st.Passed[0], "automatic") {
				t.Fatalf("first poll: %+v", st)
			}
			if st := poll(); st.Taken+st.Skipped != 0 {
				t.Fatalf("the mailbox read again: %+v", st)
			}
			code, out := f.call(t, f.key, "GET", "/api/v1/desk/tickets?view=all&channel=email", nil)
			list, _ := out["tickets"].([]any)
			if code != 200 || len(list) != 1 {
				t.Fatalf("e-mail tickets: %d %v", code, out)
			}
			tk := list[0].(map[string]any)
			id := tk["id"].(string)
			if tk["customer_id"] != "contact:gita@example.com" || tk["subject"] != "40 boxes to Pokhara" || tk["customer_name"] != "Gita Thapa" {
				t.Errorf("the ticket: %v", tk)
			}
			if th := thread(t, f, id); len(th) != 1 || th[0].(map[string]any)["body"] != "Can you deliver 40 boxes by Friday?" {
				t.Errorf("the thread: %v", th)
			}
			ticket, _ := f.db.TicketByRef(ctx, id)
			files, _ := f.db.Attachments(ctx, ticket.ID)
			if all := files["in:mail:c1@example.com"]; len(all) != 1 || all[0].Name != "order.png" || !all[0].Kept {
				t.Errorf("attachments: %v", files)
			}

			// The reply, threaded under her e-mail.
			if code, out := f.call(t, f.key, "POST", "/api/v1/tickets/"+id+"/replies", map[string]any{"body": "Yes, by Thursday."}); code != 200 {
				t.Fatalf("reply: %d %v", code, out)
			}
			if _, err := core.ConsumeDesk(ctx, f.db); err != nil {
				t.Fatal(err)
			}
			sender := &scheduler.Sender{DB: f.db, Owner: "test", Settings: (&core.LiveSettings{DB: f.db}).Sender}
			if _, err := sender.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			sent := smtp.Messages()
			if len(sent) != 1 || !strings.Contains(sent[0], "In-Reply-To: <c1@example.com>") || !strings.Contains(sent[0], "Subject: Re: 40 boxes to Pokhara") {
				t.Fatalf("the reply mail: %q", sent)
			}
			ours := regexp.MustCompile(`(?m)^Message-ID:\s*<([^>]+)>`).FindStringSubmatch(sent[0])
			if ours == nil {
				t.Fatalf("no Message-ID on the reply: %s", sent[0])
			}
			// Her answer, with another subject, threads by In-Reply-To.
			now = now.Add(time.Hour)
			box.Deliver(t, fmt.Sprintf("From: gita@example.com\r\nSubject: delivery address\r\nMessage-ID: <c2@example.com>\r\nIn-Reply-To: <%s>\r\n\r\n"+
				"Great, to Lakeside please.\r\n", ours[1]))
			if st := poll(); st.Taken != 1 {
				t.Fatalf("the answer: %+v", st)
			}
			if th := thread(t, f, id); len(th) != 3 || th[2].(map[string]any)["body"] != "Great, to Lakeside please." {
				t.Errorf("the thread after her answer: %v", th)
			}

			// A mail service's inbound webhook.
			raw, _ := json.Marshal(map[string]string{"raw": "From: Ram <ram@example.com>\r\nSubject: invoice\r\nMessage-ID: <r1@example.com>\r\n\r\nPlease send the invoice."})
			if code := postSigned(t, f, "/hooks/email", "em-1", now, string(raw)); code != http.StatusNoContent {
				t.Fatalf("the mail hook: %d", code)
			}
			if tk, err := f.db.TicketByRef(ctx, "in:mail:r1@example.com"); err != nil || tk.CustomerRef != "contact:ram@example.com" {
				t.Errorf("the hook's ticket: %+v %v", tk, err)
			}
			req, _ := http.NewRequest("POST", f.srv.URL+"/hooks/email", strings.NewReader(string(raw)))
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
				t.Errorf("an unsigned mail hook: %v %v", resp.StatusCode, err)
			}
			if c, err := f.db.GetCustomer(ctx, "contact:gita@example.com"); err != nil || c.Name != "Gita Thapa" {
				t.Errorf("the customer: %+v %v", c, err)
			}
		})
	}
}

// thread is a ticket's messages through the API.
func thread(t *testing.T, f *fixture, id string) []any {
	t.Helper()
	code, out := f.call(t, f.key, "GET", "/api/v1/tickets/"+id, nil)
	if code != 200 {
		t.Fatalf("ticket %s: %d %v", id, code, out)
	}
	return out["messages"].([]any)
}
