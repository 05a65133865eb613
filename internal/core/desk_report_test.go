package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskReport: first response and resolution times, SLA attainment,
// replies to resolve and CSAT after resolution, per agent and in all.
func TestDeskReport(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			start := storetest.ClockStart(t)
			now := start
			db.Now = func() time.Time { return now }
			p := desk.DefaultPolicy()
			p.Week, p.TimeZone = "always", "UTC"
			p.Targets["normal"] = desk.Target{FirstResponse: 60, Resolution: 600}
			if err := core.SaveDeskPolicy(ctx, db, retain.System("test"), p); err != nil {
				t.Fatal(err)
			}
			u, err := db.AddUser(ctx, retain.System("test"), store.User{Email: "rina@shop.test", Name: "Rina", Role: "agent", Team: "Dhaka"}, "x")
			if err != nil {
				t.Fatal(err)
			}
			rina := retain.StaffActor(u.ID, u.Email, retain.RoleAgent, 0)
			work := core.Work{DB: db}
			open := func(id, channel, phone string) int64 {
				t.Helper()
				ref, err := core.TakeInbound(ctx, db, core.Inbound{ID: id, Channel: channel, Phone: phone, Text: "help " + id, At: now})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
				tk, _ := db.TicketByRef(ctx, ref)
				return tk.ID
			}
			reply := func(id int64, status string) {
				t.Helper()
				if err := work.ReplyTicket(ctx, rina, id, "on it", false, core.TicketChange{Status: status}); err != nil {
					t.Fatal(err)
				}
				if _, err := core.ConsumeDesk(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			a := open("a", "sms", "+8801700000001")
			b := open("b", "whatsapp", "+8801700000002")
			open("c", "sms", "+8801700000003")
			now = start.Add(30 * time.Minute)
			reply(a, "") // in time
			now = start.Add(2 * time.Hour)
			reply(b, "") // an hour late
			now = start.Add(5 * time.Hour)
			reply(a, "resolved")
			var batch store.Batch
			batch.SurveyResponses = append(batch.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "csat-a",
				CustomerRef: "contact:+8801700000001", Kind: "csat", Score: 4, TicketRef: "in:a", RespondedAt: now}})
			if _, err := core.Ingest(ctx, db, retain.System("test"), core.Rows(&batch)); err != nil {
				t.Fatal(err)
			}
			rows, err := core.DeskReport(ctx, db, start.Add(-time.Hour), start.Add(24*time.Hour), "agent")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]core.DeskMetric{}
			for _, r := range rows {
				if r.Total {
					r.Group = "total"
				}
				got[r.Group] = r
			}
			r := got["Rina"]
			if r.Tickets != 2 || r.Answered != 2 || r.FirstResponseP50 != 30 || r.FirstResponseP90 != 120 || r.FirstResponseMet != 0.5 ||
				r.Resolved != 1 || r.ResolutionP50 != 300 || r.ResolutionMet != 1 || r.RepliesToResolve != 2 || r.CSAT != 4 || r.CSATAnswers != 1 {
				t.Errorf("Rina: %+v", r)
			}
			if all := got["total"]; all.Tickets != 3 || all.Answered != 2 || all.Resolved != 1 {
				t.Errorf("all: %+v", all)
			}
			if none := got[""]; none.Tickets != 1 || none.Answered != 0 {
				t.Errorf("unassigned: %+v", none)
			}
			if len(rows) != 3 || !rows[2].Total {
				t.Errorf("rows: %+v (unassigned, Rina, the total last)", rows)
			}
			if _, err := core.DeskReport(ctx, db, start, start.Add(time.Hour), "weekday"); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("a bad grouping: %v", err)
			}
		})
	}
}
