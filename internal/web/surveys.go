package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

// The surveys page lists every survey with its response rate; the editor
// changes one as a form (questions in three languages) beside a preview of
// the page its customers will see, in the language chosen. Saving stores
// a new version; invitations already sent keep theirs.

// surveyChoice is a survey as a playbook step offers it.
type surveyChoice struct{ Key, Name string }

func (s *Server) surveyChoices(ctx context.Context, lang string) ([]surveyChoice, error) {
	rows, err := s.db.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	var out []surveyChoice
	for _, r := range rows {
		var sv retain.Survey
		if err := json.Unmarshal(r.Definition, &sv); err != nil {
			return nil, fmt.Errorf("survey %s: %w", r.Key, err)
		}
		out = append(out, surveyChoice{Key: r.Key, Name: retain.Localized(sv.Name, lang)})
	}
	return out, nil
}

// surveyRow is one survey on the list.
type surveyRow struct {
	store.SurveyRow
	Def *retain.Survey
}

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request, v *view) error {
	rows, err := s.db.Surveys(r.Context())
	if err != nil {
		return err
	}
	recontact, err := core.RecontactDays(r.Context(), s.db)
	if err != nil {
		return err
	}
	var out []surveyRow
	for _, row := range rows {
		sv, err := retain.ParseSurvey(row.Definition)
		if err != nil {
			return err
		}
		out = append(out, surveyRow{SurveyRow: row, Def: sv})
	}
	v.Title = v.L.T("nav.surveys")
	v.Data = map[string]any{"Surveys": out, "Recontact": recontact, "CanManage": v.Actor.Can(retain.PermPlaybooksManage),
		"CanSettings": v.Actor.Can(retain.PermSettingsManage)}
	s.render(w, "surveys", v)
	return nil
}

func (s *Server) surveyToggle(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.db.SetSurveyEnabled(r.Context(), v.Actor, r.PathValue("key"), r.FormValue("enabled") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys", http.StatusSeeOther)
	return nil
}

// surveyRecontact saves the limit across surveys.
func (s *Server) surveyRecontact(w http.ResponseWriter, r *http.Request, v *view) error {
	days, err := strconv.Atoi(strings.TrimSpace(r.FormValue("recontact_days")))
	if err != nil || days < 0 || days > 365 {
		return problem(v, http.StatusBadRequest, "surveys.recontact_bad")
	}
	if err := core.SetRecontactDays(r.Context(), s.db, v.Actor, days); err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys", http.StatusSeeOther)
	return nil
}

// surveyEditor is what the editor shows.
type surveyEditor struct {
	S       *retain.Survey
	Version int
	Enabled bool
	Fields  fieldErrors
	Notice  string
	Lang    string     // the preview's language
	Preview surveyPage // the first question, or the one asked for
	// The vocabularies the form offers.
	Kinds, Types, Locales []string
	status                int
}

func (s *Server) surveyEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	sv, row, err := core.CurrentSurvey(r.Context(), s.db, r.PathValue("key"))
	if err != nil {
		return err
	}
	return s.renderSurveyEditor(w, r, v, surveyEditor{S: sv, Version: row.Version, Enabled: row.Enabled})
}

func (s *Server) renderSurveyEditor(w http.ResponseWriter, r *http.Request, v *view, d surveyEditor) error {
	d.Kinds, d.Types, d.Locales = retain.SurveyDefKinds, retain.QuestionTypes, retain.PlaybookLocales
	d.Lang = cmp.Or(r.FormValue("preview_lang"), v.L.Lang)
	if !slices.Contains(i18n.Languages, d.Lang) {
		d.Lang = "en"
	}
	p := surveyPage{Survey: d.S, Lang: d.Lang, State: "question", Preview: true, Values: map[string]bool{}}
	if m, err := s.live.Messaging(r.Context()); err == nil {
		p.Business = m.Settings.BusinessName
	}
	p.Index, _ = strconv.Atoi(r.FormValue("preview_q"))
	if len(d.S.Questions) > 0 {
		p.Index = min(max(p.Index, 0), len(d.S.Questions)-1)
		p.Q = d.S.Questions[p.Index]
		if p.Q.Type == "staff" {
			var err error
			if p.Staff, err = s.staffChoices(r); err != nil {
				return err
			}
		}
	}
	d.Preview = p
	v.Title, v.Data = v.L.T("surveys.edit_title", "Name", retain.Localized(d.S.Name, v.L.Lang)), d
	s.renderStatus(w, d.status, "survey_edit", v)
	return nil
}

// surveyEditPost reads the form back into a definition, applies the
// button pressed (add, move or remove a question; preview; save) and shows
// problems at their fields. Nothing is stored until a save with none.
func (s *Server) surveyEditPost(w http.ResponseWriter, r *http.Request, v *view) error {
	cur, row, err := core.CurrentSurvey(r.Context(), s.db, r.PathValue("key"))
	if err != nil {
		return err
	}
	sv := readSurveyForm(r, cur.Key)
	op := editItems(r, &sv.Questions, func() (retain.Question, bool) {
		return newQuestion(r.FormValue("add_type"), sv.Questions), len(sv.Questions) < retain.MaxQuestions
	})
	d := surveyEditor{S: sv, Version: row.Version, Enabled: row.Enabled, Fields: fieldErrors{}}
	if op != "add" {
		d.Fields = definitionProblems(v, sv.Validate())
	}
	if op == "save" && len(d.Fields) == 0 {
		norm, _ := json.Marshal(sv)
		was, _ := json.Marshal(cur)
		ver, created := row.Version, false
		if !bytes.Equal(norm, was) {
			if ver, created, err = core.SaveSurvey(r.Context(), s.db, v.Actor, sv); err != nil {
				return err
			}
		}
		d.Version, d.Notice = ver, savedNotice(v, "surveys.saved", ver, created)
	} else if len(d.Fields) > 0 && r.Header.Get("HX-Request") == "" {
		d.status = http.StatusBadRequest
	}
	return s.renderSurveyEditor(w, r, v, d)
}

// surveyDuplicate copies a survey (a built-in as a starting point) under
// a new key and opens the copy in the editor.
func (s *Server) surveyDuplicate(w http.ResponseWriter, r *http.Request, v *view) error {
	sv, _, err := core.CurrentSurvey(r.Context(), s.db, r.PathValue("key"))
	if err != nil {
		return err
	}
	key, err := copyKey(sv.Key, func(k string) error { _, err := s.db.SurveyHead(r.Context(), k); return err })
	if err != nil {
		return err
	}
	sv.Key = key
	for l, name := range sv.Name {
		sv.Name[l] = name + " (2)"
	}
	if _, _, err := core.SaveSurvey(r.Context(), s.db, v.Actor, sv); err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys/"+key+"/edit", http.StatusSeeOther)
	return nil
}

// newQuestion is an added question of a type, with an id not yet taken.
func newQuestion(typ string, qs []retain.Question) retain.Question {
	if !slices.Contains(retain.QuestionTypes, typ) {
		typ = "text"
	}
	id := typ
	for n := 2; slices.ContainsFunc(qs, func(q retain.Question) bool { return q.ID == id }); n++ {
		id = fmt.Sprintf("%s_%d", typ, n)
	}
	q := retain.Question{ID: id, Type: typ, Text: map[string]string{}, Optional: typ != "scale"}
	switch typ {
	case "scale":
		q.Min, q.Max = 1, 5
	case "choice", "multi":
		q.Options = []retain.Option{{ID: "a", Text: map[string]string{}}, {ID: "b", Text: map[string]string{}}}
	}
	return q
}

// readSurveyForm is the definition the editor's form describes; field
// names are the definition's own paths ("questions[1].text.bn").
func readSurveyForm(r *http.Request, key string) *retain.Survey {
	r.ParseForm()
	f := func(name string) string { return strings.TrimSpace(r.FormValue(name)) }
	num := func(name string) int { n, _ := strconv.Atoi(f(name)); return n }
	texts := func(prefix string) map[string]string {
		m := map[string]string{}
		for _, l := range retain.PlaybookLocales {
			if t := f(prefix + "." + l); t != "" {
				m[l] = t
			}
		}
		return m
	}
	sv := &retain.Survey{Key: key, Kind: f("kind"), Name: texts("name"), Intro: texts("intro"), RecontactDays: num("recontact_days"),
		ExpiresDays: num("expires_days"), RemindAfterDays: num("remind_after_days")}
	n := num("questions")
	for i := 0; i < n && i < retain.MaxQuestions; i++ {
		at := fmt.Sprintf("questions[%d]", i)
		q := retain.Question{ID: f(at + ".id"), Type: f(at + ".type"), Text: texts(at + ".text"), Optional: f(at+".optional") == "1"}
		switch q.Type {
		case "scale":
			q.Min, q.Max, q.Low, q.High = num(at+".min"), num(at+".max"), texts(at+".low"), texts(at+".high")
		case "choice", "multi":
			// The rows on the form, and one empty row to add an option:
			// a row left empty is no option.
			for j := 0; j <= num(at+".options") && j < 10; j++ {
				o := retain.Option{ID: f(fmt.Sprintf("%s.options[%d].id", at, j)), Text: texts(fmt.Sprintf("%s.options[%d].text", at, j))}
				if len(o.Text) == 0 {
					continue
				}
				if o.ID == "" {
					o.ID = fmt.Sprintf("o%d", j+1)
				}
				q.Options = append(q.Options, o)
			}
		}
		sv.Questions = append(sv.Questions, q)
	}
	return sv
}
