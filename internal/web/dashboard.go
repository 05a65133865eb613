package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

type kpi struct {
	Label, Value, Href string
	Note               string // says why a value is missing
	// Long: a value too long for the card in the large type (money in
	// two currencies), shown smaller instead of running over the edge.
	Long bool
}

type dashboardData struct {
	AsOf                                    string
	KPIs                                    []kpi
	NPS, CSAT, CES, Health, Causes, Cohorts template.HTML
	HasCES                                  bool
	// Responses: invitations answered by month; RecoveryByCause: how the
	// unhappy whom a recovery playbook took on bought again, by cause.
	Responses, RecoveryByCause template.HTML
	// FirstAnswers: the share of first answers given in time, by channel.
	FirstAnswers template.HTML
	// SupportCSAT: the mean CSAT after resolution, by agent (for those who
	// may see each person's ratings).
	SupportCSAT template.HTML
	// Loyalty: the programme's cost and use, once it has members.
	Loyalty []kpi
	// Liability: what the live points are worth, by the month they expire.
	Liability template.HTML
	// Effect: members against comparable non-members, with the method.
	Effect, EffectMethod string
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, v *view) error {
	cached, ok, err := s.db.LoadDashboard(r.Context())
	if err == nil && !ok { // the first visit before serve's first refresh
		if err = s.db.RefreshDashboard(r.Context()); err == nil {
			cached, _, err = s.db.LoadDashboard(r.Context())
		}
	}
	if err != nil {
		return err
	}
	d := cached.Dashboard
	m, err := s.live.Messaging(r.Context())
	switch {
	case err != nil: // the figures still show, the main currency by revenue
		s.log.Error("settings", "err", err)
	case m.Settings.Currency != "":
		d.MainCurrency = m.Settings.Currency // the business said which
	}
	rec, err := core.Outcomes(r.Context(), s.db)
	if err != nil {
		return err
	}
	l := v.L
	recovery, recoveryNote := "–", l.T("kpi.recovery_none", "Days", l.Int(90))
	if rec.Ended > 0 {
		recovery, recoveryNote = l.Percent(rec.Rate), ""
	}
	data := dashboardData{AsOf: l.DateTime(cached.At, nil), KPIs: []kpi{
		{l.T("kpi.active"), l.Int(int64(d.Active)), "/customers", "", false},
		{l.T("kpi.repeat_rate"), l.Percent(d.RepeatRate), "/customers?sort=-clv", "", false},
		{l.T("kpi.revenue"), moneyAll(l, d.Revenue, d.MainCurrency), "/customers?sort=-clv", "", false},
		{l.T("kpi.revenue_at_risk"), moneyAll(l, d.RevenueAtRisk, d.MainCurrency), "/customers?at_risk=1&sort=-clv", "", false},
		{l.T("kpi.at_risk"), l.Int(int64(d.AtRisk)), "/customers?at_risk=1", "", false},
		{l.T("kpi.recovery_rate"), recovery, "/customers?unhappy=1", recoveryNote, false},
		{l.T("kpi.alerts_due"), l.Int(int64(d.AlertsDue)), "/inbox", "", false},
		{l.T("kpi.tasks_due"), l.Int(int64(d.TasksDue)), "/inbox", "", false},
	}}
	if err := s.deskKPIs(r, v, &data); err != nil {
		return err
	}
	if err := s.loyaltyKPIs(r, v, d.Loyalty, &data); err != nil {
		return err
	}
	for i := range data.KPIs {
		data.KPIs[i].Long = utf8.RuneCountInString(data.KPIs[i].Value) > 12
	}
	var nps []Bar
	for _, m := range d.NPS {
		n := m.Promoters + m.Passives + m.Detractors
		b := Bar{Label: l.Month(m.Month), Value: m.Score(), Text: l.Number(m.Score(), 0), Href: "/customers?survey=nps&month=" + m.Month.Format("2006-01"), Class: "nps"}
		if n == 0 {
			b.Text = "–"
		}
		nps = append(nps, b)
	}
	data.NPS = bars(l.T("chart.nps"), nps)
	var health []Bar
	for i, n := range d.Health {
		health = append(health, Bar{Label: l.Int(int64(i*10)) + "–" + l.Int(int64(i*10+10)), Value: float64(n), Text: l.Int(int64(n)),
			Href: fmt.Sprintf("/customers?health_min=%d&health_max=%d", i*10, i*10+10), Class: healthClass(i)})
	}
	data.Health = bars(l.T("chart.health"), health)
	var csat []Bar
	for _, m := range d.CSAT {
		b := Bar{Label: l.Month(m.Month), Value: m.Mean(), Text: l.Number(m.Mean(), 1), Href: "/customers?survey=csat&month=" + m.Month.Format("2006-01"), Class: "nps"}
		if m.Answers == 0 {
			b.Text = "–"
		}
		csat = append(csat, b)
	}
	data.CSAT = bars(l.T("chart.csat"), csat)
	var ces []Bar
	for _, m := range d.CES {
		data.HasCES = data.HasCES || m.Answers > 0 // a business that never asks about effort sees no empty chart
		b := Bar{Label: l.Month(m.Month), Value: m.Mean(), Text: l.Number(m.Mean(), 1), Href: "/answers?kind=ces&month=" + m.Month.Format("2006-01"), Class: "nps"}
		if m.Answers == 0 {
			b.Text = "–"
		}
		ces = append(ces, b)
	}
	data.CES = bars(l.T("chart.ces"), ces)
	if len(d.Responses) > 0 {
		var resp []Bar
		for _, m := range d.Responses {
			b := Bar{Label: l.Month(m.Month), Value: 100 * m.Rate(), Text: l.Percent(m.Rate()), Href: "/surveys", Class: "nps",
				Title: l.T("chart.responses_cell", "Answered", l.Int(int64(m.Answered)), "Sent", l.Int(int64(m.Sent)))}
			if m.Sent == 0 {
				b.Text = "–"
			}
			resp = append(resp, b)
		}
		data.Responses = bars(l.T("chart.responses"), resp)
	}
	if len(rec.ByCause) > 0 {
		var byCause []Bar
		for _, c := range rec.ByCause {
			label := l.T("cause.none")
			if c.Cause != "" {
				label = l.T("cause." + c.Cause)
			}
			byCause = append(byCause, Bar{Label: label, Value: 100 * c.Rate(), Text: l.Percent(c.Rate()), Href: "/customers?unhappy=1&cause=" + c.Cause,
				Class: "nps", Title: l.T("chart.recovered_cell", "Recovered", l.Int(int64(c.Recovered)), "Ended", l.Int(int64(c.Ended)))})
		}
		data.RecoveryByCause = bars(l.T("chart.recovery_by_cause"), byCause)
	}
	// Root causes by month: a row per cause, a cell per month, darker = more.
	byCell, most := map[string]int{}, 1
	var months []time.Time
	for m := time.Date(s.db.Now().Year(), s.db.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -5, 0); len(months) < 6; m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	for _, c := range d.Causes {
		k := c.Cause + c.Month.Format("2006-01")
		byCell[k] += c.Count
		most = max(most, byCell[k])
	}
	var causeLabels []string
	var causeRows [][]Cell
	for _, c := range classify.Causes {
		causeLabels = append(causeLabels, l.T("cause."+c))
		var row []Cell
		for _, m := range months {
			n := byCell[c+m.Format("2006-01")]
			row = append(row, Cell{Share: float64(n) / float64(most), Text: l.Int(int64(n)), Href: "/customers?cause=" + c + "&cause_month=" + m.Format("2006-01"),
				Title: l.T("cause."+c) + " · " + l.Month(m)})
		}
		causeRows = append(causeRows, row)
	}
	var monthLabels []string
	for _, m := range months {
		monthLabels = append(monthLabels, l.Month(m))
	}
	data.Causes = heatmap(l.T("chart.causes"), causeLabels, monthLabels, causeRows)
	var labels []string
	var rows [][]Cell
	for _, c := range d.Cohorts {
		if c.Size == 0 {
			continue
		}
		labels = append(labels, l.Month(c.Month)+" ("+l.Int(int64(c.Size))+")")
		var row []Cell
		for k, n := range c.Retained {
			share := float64(n) / float64(c.Size)
			row = append(row, Cell{Share: share, Text: l.Number(100*share, 0), Href: "/customers?cohort=" + c.Month.Format("2006-01"),
				Title: l.T("chart.cohort_cell", "Month", k, "Share", l.Percent(share))})
		}
		rows = append(rows, row)
	}
	var since []string
	for k := range 12 {
		since = append(since, "+"+l.Int(int64(k)))
	}
	data.Cohorts = heatmap(l.T("chart.cohorts"), labels, since, rows)
	v.Title, v.Data = l.T("nav.dashboard"), data
	s.render(w, "dashboard", v)
	return nil
}

func healthClass(decile int) string {
	switch {
	case decile < 4:
		return "bad"
	case decile < 7:
		return "mid"
	}
	return "good"
}

// moneyAll shows an amount per currency, the business's main currency
// first and then the larger amounts: a shop selling in taka and rupees
// sees both, never one of them dropped.
func moneyAll(l *i18n.Localizer, amounts map[string]int64, main string) string {
	curs := make([]string, 0, len(amounts))
	for c, v := range amounts {
		if v != 0 || c == main {
			curs = append(curs, c)
		}
	}
	if len(curs) == 0 {
		return l.Money(0, main)
	}
	sort.Slice(curs, func(i, j int) bool {
		if (curs[i] == main) != (curs[j] == main) {
			return curs[i] == main
		}
		if amounts[curs[i]] != amounts[curs[j]] {
			return amounts[curs[i]] > amounts[curs[j]]
		}
		return curs[i] < curs[j]
	})
	parts := make([]string, len(curs))
	for i, c := range curs {
		parts[i] = l.Money(amounts[c], c)
	}
	return strings.Join(parts, " · ")
}

// deskKPIs adds the support desk's figures: the tickets waiting for an
// agent, and the share of the last 30 days' first answers given in time.
func (s *Server) deskKPIs(r *http.Request, v *view, data *dashboardData) error {
	l, ctx := v.L, r.Context()
	counts, err := s.db.TicketCounts(ctx, v.Actor.ID, v.Actor.TeamID, time.Hour)
	if err != nil {
		return err
	}
	now := s.db.Now()
	rows, err := core.DeskReport(ctx, s.db, now.AddDate(0, 0, -30), now, "channel")
	if err != nil {
		return err
	}
	all := rows[len(rows)-1]
	inTime, note := "–", l.T("kpi.first_answer_none")
	if all.Answered > 0 {
		inTime, note = l.Percent(all.FirstResponseMet), l.T("kpi.first_answer_p50", "Minutes", l.Number(all.FirstResponseP50, 0))
	}
	csat, csatNote := "–", l.T("kpi.support_csat_none")
	if all.CSATAnswers > 0 {
		csat, csatNote = l.Number(all.CSAT, 1)+" / "+l.Int(5), l.N("kpi.support_csat_answers", int64(all.CSATAnswers))
	}
	data.KPIs = append(data.KPIs,
		kpi{l.T("kpi.tickets_open"), l.Int(int64(counts["open"])), "/desk", l.N("kpi.tickets_breaching", int64(counts["breaching"])), false},
		kpi{l.T("kpi.first_answer_in_time"), inTime, "/desk/report", note, false},
		kpi{l.T("kpi.support_csat"), csat, "/desk/report", csatNote, false})
	if v.Actor.Can(retain.PermRatingsStaff) {
		agents, err := core.DeskReport(ctx, s.db, now.AddDate(0, 0, -30), now, "agent")
		if err != nil {
			return err
		}
		var rated []Bar
		for _, a := range agents[:len(agents)-1] {
			if a.CSATAnswers > 0 {
				rated = append(rated, Bar{Label: cmp.Or(a.Group, l.T("desk.unassigned")), Value: 20 * a.CSAT, Text: l.Number(a.CSAT, 1),
					Href: "/desk/report?by=agent", Class: "nps", Title: l.N("kpi.support_csat_answers", int64(a.CSATAnswers))})
			}
		}
		if len(rated) > 0 {
			data.SupportCSAT = bars(l.T("chart.support_csat_by_agent"), rated)
		}
	}
	var answered []Bar
	for _, c := range rows[:len(rows)-1] {
		if c.Answered == 0 {
			continue
		}
		answered = append(answered, Bar{Label: l.T("channel." + c.Group), Value: 100 * c.FirstResponseMet, Text: l.Percent(c.FirstResponseMet),
			Href: "/desk/report?by=channel", Class: "nps", Title: l.N("chart.answered_cell", int64(c.Answered))})
	}
	if len(answered) > 0 {
		data.FirstAnswers = bars(l.T("chart.first_answer_by_channel"), answered)
	}
	return nil
}

// loyaltyKPIs are the programme's figures: members, what the live points
// are worth (the liability, at the programme's point value) and when they
// expire, the share of points earned that were spent, coupons used.
func (s *Server) loyaltyKPIs(r *http.Request, v *view, f store.LoyaltyFigures, data *dashboardData) error {
	if f.Members == 0 {
		return nil
	}
	program, err := core.LoyaltyProgram(r.Context(), s.db)
	if err != nil {
		return err
	}
	l := v.L
	rate := "–"
	if f.Earned > 0 {
		rate = l.Percent(float64(f.Redeemed) / float64(f.Earned))
	}
	data.Loyalty = []kpi{
		{l.T("kpi.members"), l.Int(int64(f.Members)), "/customers", "", false},
		{l.T("kpi.liability"), l.Money(f.Live*program.PointValue, program.Currency), "/counter", l.T("kpi.liability_note", "Points", l.Int(f.Live)), false},
		{l.T("kpi.redemption_rate"), rate, "/counter", l.T("kpi.redemption_note", "Redeemed", l.Int(f.Redeemed), "Earned", l.Int(f.Earned)), false},
		{l.T("kpi.coupons_used"), l.Int(int64(f.CouponsUsed)), "/counter", l.T("kpi.coupons_note", "Issued", l.Int(int64(f.CouponsIssued)),
			"Off", moneyAll(l, f.Discounts, program.Currency)), false},
	}
	if f.Referrals > 0 {
		refused := 0
		for _, n := range f.ReferralsRefused {
			refused += n
		}
		data.Loyalty = append(data.Loyalty, kpi{l.T("kpi.referrals"), l.Percent(float64(f.ReferralsCompleted) / float64(f.Referrals)), "/referrals",
			l.T("kpi.referrals_note", "Completed", l.Int(int64(f.ReferralsCompleted)), "Made", l.Int(int64(f.Referrals)), "Refused", l.Int(int64(refused))), false})
	}
	for i := range data.Loyalty {
		data.Loyalty[i].Long = utf8.RuneCountInString(data.Loyalty[i].Value) > 12
	}
	var bs []Bar
	for _, m := range f.ByExpiry {
		label := l.T("chart.never_expires")
		if !m.Month.IsZero() {
			label = l.Month(m.Month)
		}
		worth := m.Points * program.PointValue
		bs = append(bs, Bar{Label: label, Value: float64(worth), Text: l.Money(worth, program.Currency), Href: "/counter", Class: "nps",
			Title: l.T("chart.liability_cell", "Points", l.Int(m.Points))})
	}
	data.Liability = bars(l.T("chart.liability"), bs)
	e, ok, err := core.StoredEffect(r.Context(), s.db)
	if err != nil || !ok {
		return err
	}
	if e.Members < core.EffectMinMembers {
		data.Effect = l.T("dashboard.effect_too_few", "N", l.Int(int64(e.Members)), "Min", l.Int(core.EffectMinMembers))
		return nil
	}
	data.Effect = l.T("dashboard.effect", "Days", l.Int(int64(e.WindowDays)), "Members", l.Percent(e.MemberRate), "Matched", l.Percent(e.MatchedRate),
		"MemberSpend", l.Money(int64(e.MemberSpend), program.Currency), "MatchedSpend", l.Money(int64(e.MatchedSpend), program.Currency))
	data.EffectMethod = l.T("dashboard.effect_method", "N", l.Int(int64(e.Members)), "YearBefore", l.Int(int64(e.YearBefore)),
		"Unmatched", l.Int(int64(e.Unmatched)))
	return nil
}
