package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

// The public survey page (/s/{token}): what a customer opens from an
// invitation. It works without JavaScript and on a small phone: one
// question a screen, a score a tap (the invitation's links carry the score,
// ?score=4, so the mail or message itself is the first tap), then the
// comment and the rest, a thank-you. Guarded by the token alone (128
// random bits); guessing is limited per address.

// surveyLookups is how many unknown tokens one address may try a minute.
const surveyLookups = 20

// surveyPage is what the page shows.
type surveyPage struct {
	Token    string
	Business string
	Survey   *retain.Survey
	Lang     string
	State    string // question, thanks, done, expired, invalid
	Index    int    // the question shown, from 0
	Q        retain.Question
	Value    string            // its answer so far
	Values   map[string]bool   // a multiple choice's answers so far
	Staff    []store.Member    // a staff question's choices
	Fields   map[string]string // a bad answer, by question id
	Review   string            // the business's public review link
	Preview  bool              // the editor's preview: no form posts
}

// Total is the number of questions, for the progress line.
func (p surveyPage) Total() int { return len(p.Survey.Questions) }

// Points are a scale's answers, highest first on a phone's first row.
func (p surveyPage) Points() []int {
	var out []int
	for n := p.Q.Min; n <= p.Q.Max; n++ {
		out = append(out, n)
	}
	return out
}

// LangURL is this page in another language.
func (p surveyPage) LangURL(lang string) string {
	return fmt.Sprintf("/s/%s?q=%d&lang=%s", url.PathEscape(p.Token), p.Index, lang)
}

func (s *Server) surveyPublic(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ip := s.clientIP(r)
	now := s.db.Now()
	l := visitorLocale(r)
	v := s.visitor(r, l)
	// Every lookup reserves one of the address's tries; a token that
	// exists gives it back, so only guesses count.
	if !s.surveyGuess.Take("survey:"+ip, surveyLookups, now) {
		v.Title, v.Data = l.T("survey.page_title"), surveyPage{State: "limited", Lang: l.Lang}
		s.renderStatus(w, http.StatusTooManyRequests, "survey", v)
		return
	}
	inv, err := s.db.InvitationByToken(r.Context(), core.SurveyTokenHash(token))
	if err != nil {
		if retain.ErrorCode(err) != retain.ENOTFOUND {
			s.errorPage(w, v, err)
			return
		}
		v.Title, v.Data = l.T("survey.page_title"), surveyPage{State: "invalid", Lang: l.Lang}
		s.renderStatus(w, http.StatusNotFound, "survey", v)
		return
	}
	s.surveyGuess.Forgive("survey:"+ip, now)
	sv, err := core.SurveyVersion(r.Context(), s.db, inv.SurveyKey, inv.SurveyVersion)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	lang := inv.Locale
	if q := r.FormValue("lang"); slices.Contains(i18n.Languages, q) {
		lang = q
	}
	l = i18n.New(lang, true)
	v = s.visitor(r, l)
	p := surveyPage{Token: token, Survey: sv, Lang: lang}
	if m, err := s.live.Messaging(r.Context()); err == nil {
		p.Business, p.Review = m.Settings.BusinessName, m.Settings.ReviewURL
	}
	v.Title, v.Brand = retain.Localized(sv.Name, lang), p.Business
	status := http.StatusOK
	index, _ := strconv.Atoi(r.FormValue("q"))
	answer := core.Answer{}
	switch {
	case inv.Status == store.InvitationDone:
		p.State = "done"
		if r.FormValue("thanks") == "1" {
			p.State = "thanks"
		}
	case inv.Expired(now):
		p.State, status = "expired", http.StatusGone
	case r.Method == http.MethodPost && index >= 0 && index < len(sv.Questions):
		q := sv.Questions[index]
		answer[q.ID] = strings.Join(r.Form["a"], ",")
		if r.FormValue("skip") != "" {
			answer[q.ID] = ""
		}
	case r.Method == http.MethodGet && r.FormValue("score") != "":
		// One tap from the message: the score in the link is the answer.
		if q, ok := sv.Scored(); ok {
			answer[q.ID], index = r.FormValue("score"), 0
		}
	}
	if len(answer) > 0 {
		last := index == len(sv.Questions)-1
		saved, err := core.AnswerSurvey(r.Context(), s.db, inv, sv, answer, last)
		switch {
		case retain.ErrorCode(err) == retain.EINVALID:
			p.Fields, status = map[string]string{}, http.StatusBadRequest
			var e *retain.Error
			if errors.As(err, &e) {
				for _, f := range e.Fields.Fields() {
					p.Fields[f] = l.T("survey.bad_answer")
				}
			}
		case err != nil:
			s.errorPage(w, v, err)
			return
		default:
			next := fmt.Sprintf("/s/%s?q=%d&lang=%s", url.PathEscape(token), index+1, lang)
			if saved.Status == store.InvitationDone {
				next = fmt.Sprintf("/s/%s?thanks=1&lang=%s", url.PathEscape(token), lang)
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	if p.State == "" {
		p.State = "question"
		p.Index = min(max(index, 0), len(sv.Questions)-1)
		p.Q = sv.Questions[p.Index]
		p.Value = inv.Answers[p.Q.ID]
		p.Values = map[string]bool{}
		for _, id := range strings.Split(p.Value, ",") {
			p.Values[id] = true
		}
		if p.Q.Type == "staff" {
			if p.Staff, err = s.staffChoices(r); err != nil {
				s.errorPage(w, v, err)
				return
			}
		}
	}
	v.Data = p
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token stays out of other sites' logs
	s.renderStatus(w, status, "survey", v)
}

// staffChoices is the directory a "who helped you?" question offers:
// everyone active, riders and shop staff who never sign in included.
func (s *Server) staffChoices(r *http.Request) ([]store.Member, error) {
	all, err := s.db.Members(r.Context())
	if err != nil {
		return nil, err
	}
	var out []store.Member
	for _, m := range all {
		if m.Active {
			out = append(out, m)
		}
	}
	return out, nil
}
