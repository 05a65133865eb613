package retain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
)

// Playbook is a retention routine as data (docs/product.md: Playbooks):
// what starts it, who may enter, the steps, what ends it early and what
// counts as success. Playbooks are versioned; an enrollment keeps the
// version it started with. The engine that runs them is internal/core.
type Playbook struct {
	Key         string            `json:"key"`
	Name        map[string]string `json:"name"` // per locale: en, bn, ne
	Description string            `json:"description,omitempty"`
	Trigger     Trigger           `json:"trigger"`
	Entry       []Condition       `json:"entry,omitempty"`    // all must hold
	OncePerDays int               `json:"once_per_days"`      // frequency rule: at most one enrollment per customer per N days
	Channels    []Channel         `json:"channels"`           // preference order for messages
	ExitOnOrder bool              `json:"exit_on_order"`      // a new order ends the enrollment (as a success)
	SuccessDays int               `json:"success_days"`       // success: an order within N days of enrolling
	Recovery    bool              `json:"recovery,omitempty"` // counts towards the recovery rate
	Steps       []Step            `json:"steps"`
}

// Trigger starts enrollments: alert reasons, an event, or a condition on
// the customer's scores checked after each scoring run.
type Trigger struct {
	Alerts []string   `json:"alerts,omitempty"` // alert reasons, e.g. detractor, chargeback
	Event  string     `json:"event,omitempty"`  // one of TriggerEvents
	Score  *Condition `json:"score,omitempty"`  // e.g. {"field": "health", "op": "<", "value": 40}
}

// Condition compares a customer fact with a value.
type Condition struct {
	Field string `json:"field"` // one of ConditionFields
	Op    string `json:"op"`    // = != < <= > >=
	Value any    `json:"value"`
}

// Number is the condition's value as a number, when it is one.
func (c *Condition) Number() (float64, bool) {
	n, ok := c.Value.(float64)
	return n, ok
}

// Step is one thing a playbook does.
type Step struct {
	ID   string `json:"id"`
	Type string `json:"type"` // one of StepTypes
	// wait
	Days  float64 `json:"days,omitempty"`
	Hours float64 `json:"hours,omitempty"`
	// message
	Purpose          Purpose           `json:"purpose,omitempty"` // transactional (default) or marketing
	Kind             string            `json:"kind,omitempty"`
	Text             map[string]string `json:"text,omitempty"` // per locale; a template over the customer
	MaxLatenessHours int               `json:"max_lateness_hours,omitempty"`
	// task
	Title    map[string]string `json:"title,omitempty"`
	DueHours float64           `json:"due_hours,omitempty"`
	// branch
	If   *Condition `json:"if,omitempty"`
	Then string     `json:"then,omitempty"` // step ids; "" = the next step
	Else string     `json:"else,omitempty"`
	// survey: sends the survey's invitation on the playbook's channels
	// (its key), about what started the enrollment (the delivered order,
	// the resolved ticket, the visit) and whoever served it.
	Survey string `json:"survey,omitempty"`
	// set
	Field string `json:"field,omitempty"` // stage
	Value string `json:"value,omitempty"`
	// coupon: issues the customer a coupon of their own on these terms (a
	// goodwill offer, a win-back incentive); later messages show its code
	// as {{.CouponCode}}. Store credit is a coupon of kind store_credit.
	Coupon *CouponSpec `json:"coupon,omitempty"`
	// points: gives the customer this many points, with the reason.
	Points int64  `json:"points,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// PlaybookLocales are the languages every message and task title must have.
var PlaybookLocales = []string{"en", "bn", "ne"}

// The vocabularies of a playbook definition.
var (
	StepTypes       = []string{"wait", "message", "survey", "task", "branch", "set", "coupon", "points", "exit"}
	ConditionFields = []string{"orders", "days_since_last_order", "health", "p_alive", "clv", "segment", "locale", "stage"}
	ConditionOps    = []string{"=", "!=", "<", "<=", ">", ">="}
	TriggerEvents   = []string{"first_order", "order_placed", "order_paid", "order_shipped", "order_out_for_delivery", "order_delivered", "order_delayed",
		"ticket_resolved", "store_visit", "points_earned", "tier_up", "tier_down", "referral_completed"}
)

// ParsePlaybook reads and checks a definition. A bad one is an EINVALID
// error whose Fields name every problem by its path in the document
// ("steps[3].text.bn", "trigger.score.op").
func ParsePlaybook(b []byte) (*Playbook, error) {
	var p Playbook
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, JSONProblem(err)
	}
	if dec.More() {
		return nil, FieldError("", "one JSON object, nothing after it")
	}
	return &p, p.Validate().Err()
}

// JSONProblem turns an encoding/json decoding error into an EINVALID
// error naming the field it is about.
func JSONProblem(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return FieldError(te.Field, "must be of type %s, not %s", te.Type, te.Value)
	case errors.As(err, &se):
		return FieldError("", "not JSON: %v at byte %d", se, se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldError(name, "unknown field")
	}
	return FieldError("", "%v", err)
}

// Validate checks the definition and returns every problem by field path.
func (p *Playbook) Validate() Problems {
	pr := Problems{}
	if p.Key == "" || strings.ContainsAny(p.Key, " /") {
		pr.Add("key", "a name without spaces or slashes is required")
	}
	if strings.TrimSpace(p.Name["en"]) == "" {
		pr.Add("name.en", "is required")
	}
	if len(p.Trigger.Alerts) == 0 && p.Trigger.Event == "" && p.Trigger.Score == nil {
		pr.Add("trigger", "give alerts, an event or a score condition")
	}
	if p.Trigger.Score != nil {
		p.Trigger.Score.check(pr, "trigger.score")
	}
	if p.Trigger.Event != "" && !slices.Contains(TriggerEvents, p.Trigger.Event) {
		pr.Add("trigger.event", "%q is not one of %v", p.Trigger.Event, TriggerEvents)
	}
	for i := range p.Entry {
		p.Entry[i].check(pr, fmt.Sprintf("entry[%d]", i))
	}
	for i, c := range p.Channels {
		if !slices.Contains(ChannelNames, c) {
			pr.Add(fmt.Sprintf("channels[%d]", i), "%q is not one of %v", c, ChannelNames)
		}
	}
	if p.OncePerDays < 0 || p.SuccessDays < 0 {
		pr.Add("once_per_days", "days cannot be negative")
	}
	if len(p.Steps) == 0 {
		pr.Add("steps", "at least one step")
	}
	ids := map[string]bool{}
	for i, s := range p.Steps {
		if s.ID == "" || ids[s.ID] {
			pr.Add(fmt.Sprintf("steps[%d].id", i), "missing or repeated")
		}
		ids[s.ID] = true
	}
	for i := range p.Steps {
		p.Steps[i].check(pr, fmt.Sprintf("steps[%d]", i), ids)
	}
	return pr
}

func (s *Step) check(pr Problems, at string, ids map[string]bool) {
	if !slices.Contains(StepTypes, s.Type) {
		pr.Add(at+".type", "%q is not one of %v", s.Type, StepTypes)
		return
	}
	switch s.Type {
	case "wait":
		if s.Days <= 0 && s.Hours <= 0 {
			pr.Add(at+".days", "a wait needs days or hours")
		}
	case "message":
		if s.Purpose == "" {
			s.Purpose = PurposeTransactional
		}
		if s.Purpose != PurposeTransactional && s.Purpose != PurposeMarketing {
			pr.Add(at+".purpose", "transactional or marketing")
		}
		checkLocales(pr, at+".text", s.Text)
	case "survey":
		if s.Survey == "" {
			pr.Add(at+".survey", "is required")
		}
	case "task":
		checkLocales(pr, at+".title", s.Title)
	case "branch":
		if s.If == nil {
			pr.Add(at+".if", "a branch needs a condition")
		} else {
			s.If.check(pr, at+".if")
		}
		for field, to := range map[string]string{"then": s.Then, "else": s.Else} {
			if to != "" && !ids[to] {
				pr.Add(at+"."+field, "no step %q to go to", to)
			}
		}
	case "set":
		if s.Field != "stage" {
			pr.Add(at+".field", "only stage can be set")
		}
	case "coupon":
		if s.Coupon == nil {
			pr.Add(at+".coupon", "is required")
		} else {
			s.Coupon.Check(pr, at+".coupon.")
		}
	case "points":
		if s.Points <= 0 || s.Points > 1_000_000 {
			pr.Add(at+".points", "must be a positive whole number")
		}
		if len(s.Reason) > 500 {
			pr.Add(at+".reason", "is longer than %d characters", 500)
		}
	}
}

// checkLocales wants a text in every playbook language, each a template
// that parses.
func checkLocales(pr Problems, at string, m map[string]string) {
	for _, l := range PlaybookLocales {
		if strings.TrimSpace(m[l]) == "" {
			pr.Add(at+"."+l, "the %s text is missing", l)
		} else if _, err := template.New("").Parse(m[l]); err != nil {
			pr.Add(at+"."+l, "%v", err)
		}
	}
}

func (c *Condition) check(pr Problems, at string) {
	if !slices.Contains(ConditionFields, c.Field) {
		pr.Add(at+".field", "%q is not one of %v", c.Field, ConditionFields)
	}
	if !slices.Contains(ConditionOps, c.Op) {
		pr.Add(at+".op", "%q is not one of %v", c.Op, ConditionOps)
	}
	if _, ok := c.Number(); !ok && c.Op != "=" && c.Op != "!=" {
		pr.Add(at+".value", "%s needs a number", c.Op)
	}
}

// UsesRecommendations reports whether any message shows {{.Recommendations}}.
func (p *Playbook) UsesRecommendations() bool { return p.Uses("Recommendations") }

// Uses reports whether any message or task text shows the template field.
func (p *Playbook) Uses(field string) bool {
	for _, st := range p.Steps {
		for _, t := range st.Text {
			if strings.Contains(t, "."+field) {
				return true
			}
		}
		for _, t := range st.Title {
			if strings.Contains(t, "."+field) {
				return true
			}
		}
	}
	return false
}
