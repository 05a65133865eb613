package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

// The desk's measures: first response and resolution times in business
// hours, SLA attainment, replies to resolve and CSAT after resolution, by
// agent, team, channel, cause or month over the last 30, 90 or 365 days,
// as a table and as CSV. Figures person by person are for those who may
// see each person's ratings (managers and admins).

type deskReportData struct {
	Rows      []core.DeskMetric
	By        string
	Days      int
	Groupings []string
	CSVHref   string
}

// deskReportQuery reads and checks the report's choices.
func (s *Server) deskReportQuery(r *http.Request, v *view) (by string, days int, rows []core.DeskMetric, err error) {
	q := r.URL.Query()
	by = q.Get("by")
	if !slices.Contains(core.DeskGroupings, by) {
		by = "channel"
	}
	if by == "agent" && !v.Actor.Can(retain.PermRatingsStaff) {
		return "", 0, nil, retain.Errorf(retain.EFORBIDDEN, "figures by agent are for managers")
	}
	days = map[string]int{"30": 30, "90": 90, "365": 365}[q.Get("days")]
	if days == 0 {
		days = 30
	}
	to := s.db.Now()
	rows, err = core.DeskReport(r.Context(), s.db, to.AddDate(0, 0, -days), to, by)
	return by, days, rows, err
}

func (s *Server) deskReport(w http.ResponseWriter, r *http.Request, v *view) error {
	by, days, rows, err := s.deskReportQuery(r, v)
	if err != nil {
		return err
	}
	groupings := core.DeskGroupings
	if !v.Actor.Can(retain.PermRatingsStaff) {
		groupings = slices.DeleteFunc(slices.Clone(groupings), func(g string) bool { return g == "agent" })
	}
	v.Title = v.L.T("desk.report")
	v.Data = deskReportData{Rows: rows, By: by, Days: days, Groupings: groupings,
		CSVHref: "/desk/report.csv?" + r.URL.Query().Encode()}
	s.render(w, "desk_report", v)
	return nil
}

func (s *Server) deskReportCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	by, days, rows, err := s.deskReportQuery(r, v)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := core.WriteDeskCSV(&buf, rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="desk-`+by+`-`+s.db.Now().Format(time.DateOnly)+`-`+strconv.Itoa(days)+`d.csv"`)
	_, err = w.Write(buf.Bytes())
	return err
}
