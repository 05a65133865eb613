package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestSurveyReminder: an invitation nobody answered gets one reminder
// when its survey's days are up, and only one; an answered one gets none.
func TestSurveyReminder(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			var b store.Batch
			for _, id := range []string{"C1", "C2"} {
				b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: id, Phone: "+97798000000" + id[1:], Locale: "ne"}})
			}
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
				t.Fatal(err)
			}
			sv, row, err := core.CurrentSurvey(ctx, db, "csat") // one reminder after 2 days
			if err != nil || sv.RemindAfterDays != 2 {
				t.Fatalf("csat: %+v %v", sv, err)
			}
			ids := map[string]int64{}
			for _, ref := range []string{"C1", "C2"} {
				c, _ := db.GetCustomer(ctx, ref)
				f, _ := db.CustomerFacts(ctx, c.ID)
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					id, _, note, err := core.SendInvite(ctx, tx, core.Invite{Key: "t:" + ref, Survey: sv, Version: row.Version,
						Subject: core.Subject{Facts: f, Locale: "ne", Business: "Thamel Books"}, Channel: retain.ChannelSMS, To: f.Phone,
						PublicURL: "https://books.example", Due: now}, 7)
					ids[ref] = id
					if note != "" {
						t.Errorf("not sent: %s", note)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := core.SurveyReply(ctx, db, "+977980000002", retain.ChannelSMS, "५"); err != nil {
				t.Fatal(err)
			}
			reminders := func() []string {
				var out []string
				for _, ref := range []string{"C1", "C2"} {
					c, _ := db.GetCustomer(ctx, ref)
					ms, _ := db.Messages(ctx, store.MessageFilter{CustomerID: c.ID})
					for _, m := range ms {
						if m.Kind == "survey.reminder" {
							out = append(out, ref+": "+m.Body)
						}
					}
				}
				return out
			}
			fire := func() {
				if err := core.FireTimers(ctx, db, core.DetectOptions{}, &core.DetectStats{}); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(47 * time.Hour)
			fire()
			if r := reminders(); len(r) != 0 {
				t.Fatalf("reminded before the two days: %v", r)
			}
			now = now.Add(2 * time.Hour)
			fire()
			fire()
			r := reminders()
			if len(r) != 1 || !strings.HasPrefix(r[0], "C1: एउटा सम्झना") || !strings.Contains(r[0], "https://books.example/s/") {
				t.Errorf("reminders: %v", r)
			}
		})
	}
}

// TestInviteText: an e-mail of a five-point scale has a link per point
// (one tap is the score), WhatsApp a list of them; an NPS has eleven
// points, more than WhatsApp lists, so it asks for a reply and links.
func TestInviteText(t *testing.T) {
	ss, err := core.BuiltinSurveys()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*retain.Survey{}
	for _, s := range ss {
		by[s.Key] = s
	}
	subj := core.Subject{Facts: store.Facts{Name: "Asha Rai"}, Locale: "en", Business: "Thamel Books"}
	mail, menu := core.InviteText(by["csat"], subj, retain.ChannelEmail, "https://books.example/s/tok")
	if menu != nil || !strings.Contains(mail, "5 Very happy: https://books.example/s/tok?score=5") || !strings.Contains(mail, "1 Very unhappy: https://books.example/s/tok?score=1") {
		t.Errorf("the CSAT e-mail:\n%s", mail)
	}
	wa, menu := core.InviteText(by["csat"], subj, retain.ChannelWhatsApp, "https://books.example/s/tok")
	if menu == nil || len(menu.Options) != 5 || menu.Options[0].ID != "score:5" || !strings.Contains(wa, "Reply with a number from 1 to 5.") {
		t.Errorf("the CSAT on WhatsApp: %q %+v", wa, menu)
	}
	nps, menu := core.InviteText(by["nps"], subj, retain.ChannelWhatsApp, "https://books.example/s/tok")
	if menu != nil || !strings.Contains(nps, "from 0 to 10") || !strings.HasSuffix(nps, "Or answer here: https://books.example/s/tok") {
		t.Errorf("the NPS on WhatsApp: %q %+v", nps, menu)
	}
	if !strings.HasPrefix(nps, "Hi Asha, a quick question from Thamel Books.") {
		t.Errorf("the intro: %q", nps)
	}
}
