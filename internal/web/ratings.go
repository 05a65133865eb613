package web

import (
	"net/http"
	"slices"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

// ratingsData is the "who helped you?" page: a table of teams (or, for
// those who may see it, people) by week, month or quarter.
type ratingsData struct {
	Table    core.RatingTable
	Period   string
	Periods  []string
	ByStaff  bool
	CanStaff bool
	Min      int
}

// ratingsPage shows the ratings: by team for everyone who sees the
// dashboard, person by person for managers and admins.
func (s *Server) ratingsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := ratingsData{Period: q.Get("period"), Periods: core.RatingPeriods, ByStaff: q.Get("by") == "staff",
		CanStaff: v.Can(string(retain.PermRatingsStaff)), Min: core.MinRatingAnswers}
	if !slices.Contains(core.RatingPeriods, d.Period) {
		d.Period = "month"
	}
	if d.ByStaff && !d.CanStaff {
		return problem(v, http.StatusForbidden, "error.forbidden")
	}
	var err error
	d.Table, err = core.Ratings(r.Context(), s.db, core.RatingOptions{Period: d.Period, Periods: 3, ByStaff: d.ByStaff, Zone: v.L.Zone, Now: s.db.Now()})
	if err != nil {
		return err
	}
	v.Title, v.Data = v.L.T("ratings.title"), d
	s.render(w, "ratings", v)
	return nil
}
