package core

import (
	"cmp"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
)

// DeskMetric is how the support desk did for one group of tickets (an
// agent, a team, a channel, a cause or a month). Times are business time
// on the desk's calendar — what the SLA targets count — in minutes.
type DeskMetric struct {
	Group            string  `json:"group" doc:"The agent, team, channel, cause or month; empty: none (unassigned, no cause)."`
	Total            bool    `json:"total,omitempty" doc:"The row of all the tickets."`
	Tickets          int     `json:"tickets"`
	Answered         int     `json:"answered" doc:"Tickets an agent answered."`
	Resolved         int     `json:"resolved"`
	FirstResponseP50 float64 `json:"first_response_p50_minutes"`
	FirstResponseP90 float64 `json:"first_response_p90_minutes"`
	ResolutionP50    float64 `json:"resolution_p50_minutes"`
	RepliesToResolve float64 `json:"replies_to_resolve" doc:"Mean agent replies in a resolved ticket."`
	FirstResponseMet float64 `json:"first_response_met" doc:"Share of answered tickets with a target answered in time."`
	ResolutionMet    float64 `json:"resolution_met" doc:"Share of resolved tickets with a target resolved in time."`
	CSAT             float64 `json:"csat" doc:"Mean CSAT answer (1–5) about these tickets after resolution; 0: none."`
	CSATAnswers      int     `json:"csat_answers"`
}

// deskTally gathers one group's tickets for its DeskMetric.
type deskTally struct {
	DeskMetric
	firstResponse, res []float64
	frTargets, frMet   int
	resTargets, resMet int
	replies, csatSum   float64
}

// DeskGroupings are what DeskReport groups tickets by.
var DeskGroupings = []string{"agent", "team", "channel", "cause", "month"}

// DeskReport measures the tickets opened in [from, to), grouped by by,
// and ends with the row of all of them (Total).
func DeskReport(ctx context.Context, db *store.DB, from, to time.Time, by string) ([]DeskMetric, error) {
	if !slices.Contains(DeskGroupings, by) {
		return nil, retain.FieldError("by", "%q is not one of %v", by, DeskGroupings)
	}
	if !from.Before(to) {
		return nil, retain.FieldError("since", "must be before until")
	}
	run, err := newDeskRun(ctx, db)
	if err != nil {
		return nil, err
	}
	groups, total := map[string]*deskTally{}, &deskTally{DeskMetric: DeskMetric{Total: true}}
	err = db.TicketFacts(ctx, from, to, func(f store.TicketFact) error {
		key := map[string]string{"agent": f.Agent, "team": f.Team, "channel": f.Channel, "cause": f.Cause, "month": f.Month}[by]
		m := groups[key]
		if m == nil {
			m = &deskTally{DeskMetric: DeskMetric{Group: key}}
			groups[key] = m
		}
		for _, m := range []*deskTally{m, total} {
			m.add(run.calFor(f.Team), f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]DeskMetric, 0, len(groups)+1)
	for _, m := range groups {
		out = append(out, m.finish())
	}
	slices.SortFunc(out, func(a, b DeskMetric) int { return cmp.Compare(a.Group, b.Group) })
	return append(out, total.finish()), nil
}

func (m *deskTally) add(cal *desk.Calendar, f store.TicketFact) {
	m.Tickets++
	if !f.FirstResponse.IsZero() {
		m.Answered++
		m.firstResponse = append(m.firstResponse, cal.Between(f.Opened, f.FirstResponse).Minutes())
		if !f.FirstResponseDue.IsZero() {
			m.frTargets++
			if !f.FirstResponse.After(f.FirstResponseDue) {
				m.frMet++
			}
		}
	}
	if !f.Resolved.IsZero() {
		m.Resolved++
		m.res = append(m.res, cal.Between(f.Opened, f.Resolved).Minutes())
		m.replies += float64(f.Replies)
		if !f.ResolutionDue.IsZero() {
			m.resTargets++
			if !f.Resolved.After(f.ResolutionDue) {
				m.resMet++
			}
		}
	}
	if f.CSATAnswers > 0 {
		m.csatSum += f.CSAT * float64(f.CSATAnswers)
		m.CSATAnswers += f.CSATAnswers
	}
}

func (m *deskTally) finish() DeskMetric {
	out := m.DeskMetric
	out.FirstResponseP50, out.FirstResponseP90 = quantile(m.firstResponse, 0.5), quantile(m.firstResponse, 0.9)
	out.ResolutionP50 = quantile(m.res, 0.5)
	out.RepliesToResolve = ratio(m.replies, float64(m.Resolved))
	out.FirstResponseMet, out.ResolutionMet = ratio(float64(m.frMet), float64(m.frTargets)), ratio(float64(m.resMet), float64(m.resTargets))
	out.CSAT = ratio(m.csatSum, float64(m.CSATAnswers))
	return out
}

// quantile is the q-quantile of xs (nearest rank); 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	i := int(q*float64(len(xs))+0.5) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// DeskCSVHeader is the header of WriteDeskCSV.
var DeskCSVHeader = []string{"group", "tickets", "answered", "resolved", "first_response_p50_minutes", "first_response_p90_minutes",
	"resolution_p50_minutes", "replies_to_resolve", "first_response_met", "resolution_met", "csat", "csat_answers"}

// WriteDeskCSV writes a desk report as CSV, the total row named "total";
// a group that a spreadsheet would run as a formula is defused.
func WriteDeskCSV(w io.Writer, rows []DeskMetric) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(DeskCSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		group := retain.CSVSafe(r.Group)
		if r.Total {
			group = "total"
		}
		if err := cw.Write([]string{group, strconv.Itoa(r.Tickets), strconv.Itoa(r.Answered), strconv.Itoa(r.Resolved), f(r.FirstResponseP50),
			f(r.FirstResponseP90), f(r.ResolutionP50), f(r.RepliesToResolve), f(r.FirstResponseMet), f(r.ResolutionMet), f(r.CSAT),
			strconv.Itoa(r.CSATAnswers)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
