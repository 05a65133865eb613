package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/store"
)

// answersPageSize is how many answers a page lists.
const answersPageSize = 50

// answersData is the answers page: survey answers as customers gave them,
// newest first, with the cause each comment names and the words that
// named it.
type answersData struct {
	Rows  []answerRow
	Total int
	ListPager
	Query        url.Values
	Kinds, Bands []string
	Staff        []store.Member // anyone an answer can be about, riders and shop staff too
}

type answerRow struct {
	store.Answer
	Cause string
	Words []string
}

// answersPage lists survey answers, filtered by kind, band, month, staff
// member named and whether they have a comment, within the viewer's scope.
func (s *Server) answersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := store.AnswerFilter{Kind: q.Get("kind"), Band: q.Get("band"), WithComments: q.Get("comments") == "1", Size: answersPageSize}
	if !slices.Contains(retain.SurveyKinds, f.Kind) {
		f.Kind = ""
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.StaffID, _ = strconv.ParseInt(q.Get("staff"), 10, 64)
	if m, err := time.ParseInLocation("2006-01", q.Get("month"), v.L.Zone); err == nil {
		f.From, f.To = m, m.AddDate(0, 1, 0) // the month in the reader's zone
	}
	scope, err := s.work().Scope(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	f.Scope = &scope
	answers, total, err := s.db.Answers(r.Context(), f)
	if err != nil {
		return err
	}
	staff, err := s.db.Members(r.Context())
	if err != nil {
		return err
	}
	d := answersData{Total: total, ListPager: pagerFor("/answers", q, f.Page, total, answersPageSize), Query: q, Kinds: retain.SurveyKinds,
		Bands: []string{"low", "high"}, Staff: staff}
	for _, a := range answers {
		row := answerRow{Answer: a}
		if a.Comment != "" {
			res := classify.Classify(a.Comment)
			row.Cause, row.Words = res.Cause, res.Evidence
		}
		d.Rows = append(d.Rows, row)
	}
	v.Title, v.Data = v.L.T("answers.title"), d
	s.render(w, "answers", v)
	return nil
}
