package core

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

// "Who helped you?" ratings: the survey answers that name a staff member,
// counted per team or per person and per week, month or quarter in the
// business's time zone. A CSAT answer of 4 or 5 (of 5) is a good one; its
// share comes with a 95% Wilson interval. NPS is promoters (9–10) less
// detractors (0–6), per hundred answers.

// RatingPeriods are the periods ratings are counted by.
var RatingPeriods = []string{"week", "month", "quarter"}

// MinRatingAnswers is the number of answers under which a figure is not
// shown: a share of three answers says little and would single someone out.
const MinRatingAnswers = 10

// RatingOptions choose a ratings table.
type RatingOptions struct {
	Period  string         // week (from Monday), month or quarter
	Periods int            // how many, the current one last (default 3)
	ByStaff bool           // one row per person instead of per team
	Zone    *time.Location // the business's (default UTC)
	Now     time.Time
}

// A RatingCell is one team's or person's answers in one period.
type RatingCell struct {
	Answers                           int
	CSATAnswers, CSATGood             int
	CSATLow, CSATHigh                 float64 // the good share's 95% interval
	NPSAnswers, Promoters, Detractors int
	// Shown: enough answers (MinRatingAnswers) for the figures to be shown.
	Shown bool
}

// CSATShare is the share of good CSAT answers.
func (c RatingCell) CSATShare() float64 { return share(c.CSATGood, c.CSATAnswers) }

// NPS is promoters less detractors per hundred NPS answers.
func (c RatingCell) NPS() float64 { return 100 * share(c.Promoters-c.Detractors, c.NPSAnswers) }

func share(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// A RatingRow is a team's or a person's cells, one per period.
type RatingRow struct {
	Team    string // "" for staff in no team
	StaffID int64  // 0 in a team's row
	Name    string // the person's name; "" in a team's row
	Cells   []RatingCell
	Total   RatingCell // every period together
}

// RatingTable is the periods (their first instants, in the zone) and the
// rows, teams or people by name.
type RatingTable struct {
	Period  string
	Periods []time.Time
	Rows    []RatingRow
}

// Ratings counts the answers naming staff into a table.
func Ratings(ctx context.Context, db *store.DB, o RatingOptions) (RatingTable, error) {
	if !slices.Contains(RatingPeriods, o.Period) {
		return RatingTable{}, retain.FieldError("period", "%q is not one of %v", o.Period, RatingPeriods)
	}
	if o.Periods <= 0 {
		o.Periods = 3
	}
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	t := RatingTable{Period: o.Period}
	start := periodStart(o.Now.In(o.Zone), o.Period)
	for range o.Periods - 1 {
		start = periodStart(start.Add(-time.Hour), o.Period)
	}
	for p := start; len(t.Periods) < o.Periods; p = nextPeriod(p, o.Period) {
		t.Periods = append(t.Periods, p)
	}
	answers, err := db.StaffAnswers(ctx, start, nextPeriod(t.Periods[len(t.Periods)-1], o.Period))
	if err != nil {
		return RatingTable{}, err
	}
	rows := map[[2]any]*RatingRow{}
	for _, a := range answers {
		key := [2]any{a.Team, int64(0)}
		if o.ByStaff {
			key = [2]any{a.Team, a.StaffID}
		}
		r := rows[key]
		if r == nil {
			r = &RatingRow{Team: a.Team, Cells: make([]RatingCell, o.Periods)}
			if o.ByStaff {
				r.StaffID, r.Name = a.StaffID, a.Name
			}
			rows[key] = r
		}
		at := a.RespondedAt.In(o.Zone)
		i := len(t.Periods) - 1
		for i > 0 && at.Before(t.Periods[i]) {
			i--
		}
		count(&r.Cells[i], a)
		count(&r.Total, a)
	}
	for _, r := range rows {
		for i := range r.Cells {
			finish(&r.Cells[i])
		}
		finish(&r.Total)
		t.Rows = append(t.Rows, *r)
	}
	slices.SortFunc(t.Rows, func(a, b RatingRow) int {
		return strings.Compare(a.Team+"\x00"+a.Name, b.Team+"\x00"+b.Name)
	})
	return t, nil
}

func count(c *RatingCell, a store.StaffAnswer) {
	c.Answers++
	switch a.Kind {
	case "csat":
		c.CSATAnswers++
		if a.Score >= 4 {
			c.CSATGood++
		}
	case "nps":
		c.NPSAnswers++
		if a.Score >= 9 {
			c.Promoters++
		} else if a.Score <= 6 {
			c.Detractors++
		}
	}
}

func finish(c *RatingCell) {
	c.Shown = c.Answers >= MinRatingAnswers
	c.CSATLow, c.CSATHigh = analytics.Wilson(c.CSATGood, c.CSATAnswers, 1.96)
}

// periodStart is the first instant of t's week (Monday), month or quarter.
func periodStart(t time.Time, period string) time.Time {
	y, m, d := t.Date()
	switch period {
	case "week":
		return time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, t.Location())
	case "quarter":
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
}

func nextPeriod(p time.Time, period string) time.Time {
	switch period {
	case "week":
		return p.AddDate(0, 0, 7)
	case "quarter":
		return p.AddDate(0, 3, 0)
	}
	return p.AddDate(0, 1, 0)
}
