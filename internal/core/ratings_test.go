package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestRatings: answers naming staff are counted per team, or per person,
// per month in the business's zone (an answer at 23:30 UTC on the last day
// of a month is the next month's in Dhaka); CSAT's good share comes with
// its Wilson interval, NPS is promoters less detractors, and a figure of
// fewer than MinRatingAnswers answers is not shown.
func TestRatings(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			dhaka, _ := time.LoadLocation("Asia/Dhaka")
			now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
			var b store.Batch
			b.Staff = append(b.Staff,
				store.Row[retain.Staff]{V: retain.Staff{ExternalID: "rider-1", Name: "Karim", Role: retain.RoleRepresentative, Team: "Riders"}},
				store.Row[retain.Staff]{V: retain.Staff{ExternalID: "rider-2", Name: "Rahim", Role: retain.RoleRepresentative, Team: "Riders"}},
				store.Row[retain.Staff]{V: retain.Staff{ExternalID: "shop-1", Name: "Mina", Role: retain.RoleRepresentative, Team: "Shop"}})
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "c1"}})
			n := 0
			answer := func(staff, kind string, score int, at time.Time) {
				n++
				b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: fmt.Sprintf("r%d", n),
					CustomerRef: "c1", StaffRef: staff, Kind: kind, Score: score, RespondedAt: at}})
			}
			march := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
			for i := range 8 { // Karim in March: 8 CSAT, 6 good
				answer("rider-1", "csat", map[bool]int{true: 5, false: 2}[i < 6], march)
			}
			for i := range 4 { // Rahim in March: 4 NPS, 2 promoters, 1 detractor
				answer("rider-2", "nps", []int{10, 9, 7, 3}[i], march)
			}
			answer("shop-1", "csat", 5, time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)) // 1 March in Dhaka
			answer("shop-1", "csat", 1, time.Date(2026, 2, 10, 8, 0, 0, 0, time.UTC))
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			teams, err := core.Ratings(ctx, db, core.RatingOptions{Period: "month", Periods: 2, Zone: dhaka, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if len(teams.Periods) != 2 || !teams.Periods[1].Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, dhaka)) || len(teams.Rows) != 2 {
				t.Fatalf("periods %v, %d rows", teams.Periods, len(teams.Rows))
			}
			riders, shop := teams.Rows[0], teams.Rows[1]
			if riders.Team != "Riders" || riders.Cells[1].Answers != 12 || !riders.Cells[1].Shown || riders.Cells[0].Answers != 0 {
				t.Errorf("riders: %+v", riders)
			}
			if c := riders.Cells[1]; c.CSATGood != 6 || c.CSATAnswers != 8 || c.NPS() != 25 || c.CSATLow >= 0.75 || c.CSATHigh <= 0.75 {
				t.Errorf("riders in March: %+v, NPS %v", c, c.NPS())
			}
			if shop.Cells[0].Answers != 1 || shop.Cells[1].Answers != 1 || shop.Cells[1].Shown {
				t.Errorf("the shop by month in Dhaka: %+v", shop.Cells)
			}
			people, err := core.Ratings(ctx, db, core.RatingOptions{Period: "quarter", ByStaff: true, Zone: dhaka, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if len(people.Rows) != 3 || people.Rows[0].Name != "Karim" || people.Rows[0].Cells[2].Shown || people.Rows[0].Total.Answers != 8 {
				t.Errorf("people: %+v", people.Rows)
			}
			if _, err := core.Ratings(ctx, db, core.RatingOptions{Period: "year"}); retain.ErrorCode(err) != retain.EINVALID {
				t.Errorf("an unknown period: %v", err)
			}
		})
	}
}
