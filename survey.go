package retain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SurveyResponse is one answer to an NPS, CSAT or CES question, with an
// optional comment and the staff member the customer named ("who helped you?").
type SurveyResponse struct {
	ExternalID  string
	CustomerRef string
	Kind        string // nps, csat, ces
	Score       int
	Comment     string
	StaffRef    string // staff external id of the named representative
	OrderRef    string
	TicketRef   string
	RespondedAt time.Time
}

// SurveyKinds and their score ranges.
var surveyRanges = map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "ces": {1, 7}}

// SurveyKinds lists the survey kinds.
var SurveyKinds = []string{"nps", "csat", "ces"}

// Validate checks r.
func (r *SurveyResponse) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", r.ExternalID, true)
	checkRef(p, "customer_id", r.CustomerRef, true)
	checkRef(p, "staff", r.StaffRef, false)
	checkRef(p, "order_id", r.OrderRef, false)
	checkRef(p, "ticket_id", r.TicketRef, false)
	rng, ok := surveyRanges[r.Kind]
	if !ok {
		p.Add("kind", "%q is not one of %v", r.Kind, SurveyKinds)
	} else if r.Score < rng[0] || r.Score > rng[1] {
		p.Add("score", "%d is outside %d–%d for %s", r.Score, rng[0], rng[1], r.Kind)
	}
	if r.RespondedAt.IsZero() {
		p.Add("responded_at", "is required")
	}
	if len(r.Comment) > 10000 {
		p.Add("comment", "is longer than %d characters", 10000)
	}
	return p
}

// Survey is a survey as data: what it measures (Kind), its questions in
// every language, and when it may be sent. Surveys are versioned like
// playbooks; an invitation keeps the version it was sent with, so its
// answers are read against the questions that were asked.
type Survey struct {
	Key  string            `json:"key"`
	Kind string            `json:"kind"` // one of SurveyDefKinds
	Name map[string]string `json:"name"` // per locale
	// Intro is the message that carries the invitation (per locale, a
	// template over the customer like a playbook message); the link and,
	// on SMS and WhatsApp, how to reply are added after it.
	Intro     map[string]string `json:"intro"`
	Questions []Question        `json:"questions"`
	// RecontactDays: a customer who was sent this survey is not sent it
	// again within this many days (the global limit in the survey settings
	// applies across surveys as well).
	RecontactDays int `json:"recontact_days,omitempty"`
	// ExpiresDays: the invitation's link and reply stop counting after this.
	ExpiresDays int `json:"expires_days,omitempty"`
	// RemindAfterDays: one reminder to a customer who has not answered
	// after this many days (0: none).
	RemindAfterDays int `json:"remind_after_days,omitempty"`
}

// Question is one question of a survey.
type Question struct {
	ID   string            `json:"id"`
	Type string            `json:"type"` // one of QuestionTypes
	Text map[string]string `json:"text"` // per locale
	// Scale: the range and what its ends mean.
	Min  int               `json:"min,omitempty"`
	Max  int               `json:"max,omitempty"`
	Low  map[string]string `json:"low,omitempty"`
	High map[string]string `json:"high,omitempty"`
	// Choice and multiple choice.
	Options  []Option `json:"options,omitempty"`
	Optional bool     `json:"optional,omitempty"`
}

// Option is one answer of a choice question.
type Option struct {
	ID   string            `json:"id"`
	Text map[string]string `json:"text"`
}

// The vocabularies of a survey definition.
var (
	SurveyDefKinds = []string{"nps", "csat", "ces", "custom"}
	QuestionTypes  = []string{"scale", "choice", "multi", "text", "staff"}
)

// MaxQuestions keeps a survey short: every question more loses answers.
const MaxQuestions = 8

// ScoreRange is the range of a survey kind's score.
func ScoreRange(kind string) (lo, hi int, ok bool) {
	r, ok := surveyRanges[kind]
	return r[0], r[1], ok
}

// ParseSurvey reads and checks a definition; a bad one is an EINVALID
// error naming every problem by its path ("questions[2].text.bn").
func ParseSurvey(b []byte) (*Survey, error) {
	var s Survey
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, JSONProblem(err)
	}
	if dec.More() {
		return nil, FieldError("", "one JSON object, nothing after it")
	}
	return &s, s.Validate().Err()
}

// Validate checks the definition. An NPS, CSAT or CES survey asks its
// score first, on the kind's scale: that first answer is the survey's
// score, the one a reply of a single digit gives.
func (s *Survey) Validate() Problems {
	pr := Problems{}
	if s.Key == "" || strings.ContainsAny(s.Key, " /") {
		pr.Add("key", "a name without spaces or slashes is required")
	}
	if !slices.Contains(SurveyDefKinds, s.Kind) {
		pr.Add("kind", "%q is not one of %v", s.Kind, SurveyDefKinds)
	}
	checkTexts(pr, "name", s.Name)
	checkLocales(pr, "intro", s.Intro)
	if s.RecontactDays < 0 || s.ExpiresDays < 0 || s.RemindAfterDays < 0 {
		pr.Add("expires_days", "days cannot be negative")
	}
	if len(s.Questions) == 0 || len(s.Questions) > MaxQuestions {
		pr.Add("questions", "from 1 to %d questions", MaxQuestions)
	}
	ids := map[string]bool{}
	for i := range s.Questions {
		s.Questions[i].check(pr, fmt.Sprintf("questions[%d]", i), ids)
	}
	if lo, hi, ok := ScoreRange(s.Kind); ok && len(s.Questions) > 0 {
		if q := s.Questions[0]; q.Type != "scale" || q.Min != lo || q.Max != hi {
			pr.Add("questions[0]", "a %s survey asks its %d–%d score first", s.Kind, lo, hi)
		}
	}
	return pr
}

func (q *Question) check(pr Problems, at string, ids map[string]bool) {
	if q.ID == "" || ids[q.ID] || strings.ContainsAny(q.ID, " /") {
		pr.Add(at+".id", "missing or repeated")
	}
	ids[q.ID] = true
	if !slices.Contains(QuestionTypes, q.Type) {
		pr.Add(at+".type", "%q is not one of %v", q.Type, QuestionTypes)
	}
	checkTexts(pr, at+".text", q.Text)
	switch q.Type {
	case "scale":
		if q.Min < 0 || q.Max <= q.Min || q.Max-q.Min > 10 {
			pr.Add(at+".max", "a scale of 2 to 11 points, from 0 or more")
		}
	case "choice", "multi":
		if len(q.Options) < 2 || len(q.Options) > 10 {
			pr.Add(at+".options", "from 2 to 10 options")
		}
		seen := map[string]bool{}
		for j, o := range q.Options {
			if o.ID == "" || seen[o.ID] {
				pr.Add(fmt.Sprintf("%s.options[%d].id", at, j), "missing or repeated")
			}
			seen[o.ID] = true
			checkTexts(pr, fmt.Sprintf("%s.options[%d].text", at, j), o.Text)
		}
	}
}

// checkTexts wants a plain text (no template) in every language.
func checkTexts(pr Problems, at string, m map[string]string) {
	for _, l := range PlaybookLocales {
		if strings.TrimSpace(m[l]) == "" {
			pr.Add(at+"."+l, "the %s text is missing", l)
		}
	}
}

// Scored reports the survey's score question, if it has one.
func (s *Survey) Scored() (Question, bool) {
	if _, _, ok := ScoreRange(s.Kind); ok && len(s.Questions) > 0 {
		return s.Questions[0], true
	}
	return Question{}, false
}

// Question returns the question with this id.
func (s *Survey) Question(id string) (Question, bool) {
	for _, q := range s.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Localized picks a text in locale, falling back to English.
func Localized(m map[string]string, locale string) string {
	if t := m[locale]; t != "" {
		return t
	}
	return m["en"]
}
