package core

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"text/template"

	"github.com/retainhq/retain/internal/store"
)

// Playbook is a retention routine as data (docs/product.md: Playbooks): what starts it,
// who may enter, the steps, what ends it early and what counts as success.
// Playbooks are versioned; an enrollment keeps the version it started with.
type Playbook struct {
	Key         string            `json:"key"`
	Name        map[string]string `json:"name"` // per locale: en, bn, ne
	Description string            `json:"description,omitempty"`
	Trigger     Trigger           `json:"trigger"`
	Entry       []Condition       `json:"entry,omitempty"`    // all must hold
	OncePerDays int               `json:"once_per_days"`      // frequency rule: at most one enrollment per customer per N days
	Channels    []string          `json:"channels"`           // preference order for messages
	ExitOnOrder bool              `json:"exit_on_order"`      // a new order ends the enrollment (as a success)
	SuccessDays int               `json:"success_days"`       // success: an order within N days of enrolling
	Recovery    bool              `json:"recovery,omitempty"` // counts towards the recovery rate
	Steps       []Step            `json:"steps"`
}

// Trigger starts enrollments: alert reasons, an event, or a condition on
// the customer's scores checked after each scoring run.
type Trigger struct {
	Alerts []string   `json:"alerts,omitempty"` // alert reasons, e.g. detractor, chargeback
	Event  string     `json:"event,omitempty"`  // first_order, order_delivered, order_delayed
	Score  *Condition `json:"score,omitempty"`  // e.g. {"field": "health", "op": "<", "value": 40}
}

// Condition compares a customer fact with a value.
type Condition struct {
	Field string  `json:"field"` // orders, days_since_last_order, health, p_alive, clv, segment, locale, stage
	Op    string  `json:"op"`    // = != < <= > >=
	Value any     `json:"value"`
	num   float64 // Value as a number, when it is one
}

// Step is one thing a playbook does.
type Step struct {
	ID   string `json:"id"`
	Type string `json:"type"` // wait, message, task, branch, set, exit
	// wait
	Days  float64 `json:"days,omitempty"`
	Hours float64 `json:"hours,omitempty"`
	// message
	Purpose          string            `json:"purpose,omitempty"` // transactional (default) or marketing
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
	// set
	Field string `json:"field,omitempty"` // stage
	Value string `json:"value,omitempty"`
}

// Locales every message and task title must have.
var Locales = []string{"en", "bn", "ne"}

var (
	stepTypes  = []string{"wait", "message", "task", "branch", "set", "exit"}
	condFields = []string{"orders", "days_since_last_order", "health", "p_alive", "clv", "segment", "locale", "stage"}
	condOps    = []string{"=", "!=", "<", "<=", ">", ">="}
	events     = []string{"first_order", "order_delivered", "order_delayed"}
	channels   = []string{"sms", "whatsapp", "email", "webhook"}
)

// ParsePlaybook reads and checks a playbook; errors name the field.
func ParsePlaybook(b []byte) (*Playbook, error) {
	var p Playbook
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("playbook: %w", err)
	}
	return &p, p.Validate()
}

// Validate checks the playbook.
func (p *Playbook) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("playbook %s: %s: %s", p.Key, field, fmt.Sprintf(format, args...))
	}
	if p.Key == "" || strings.ContainsAny(p.Key, " /") {
		return bad("key", "a name without spaces or slashes is required")
	}
	if p.Name["en"] == "" {
		return bad("name.en", "required")
	}
	if len(p.Trigger.Alerts) == 0 && p.Trigger.Event == "" && p.Trigger.Score == nil {
		return bad("trigger", "give alerts, an event or a score condition")
	}
	if p.Trigger.Score != nil {
		if err := p.Trigger.Score.check(); err != nil {
			return bad("trigger.score", "%v", err)
		}
	}
	if p.Trigger.Event != "" && !slices.Contains(events, p.Trigger.Event) {
		return bad("trigger.event", "%q is not one of %v", p.Trigger.Event, events)
	}
	for i := range p.Entry {
		if err := p.Entry[i].check(); err != nil {
			return bad(fmt.Sprintf("entry[%d]", i), "%v", err)
		}
	}
	for _, c := range p.Channels {
		if !slices.Contains(channels, c) {
			return bad("channels", "%q is not one of %v", c, channels)
		}
	}
	if len(p.Steps) == 0 {
		return bad("steps", "at least one step")
	}
	ids := map[string]bool{}
	for i, s := range p.Steps {
		if s.ID == "" || ids[s.ID] {
			return bad(fmt.Sprintf("steps[%d].id", i), "missing or repeated")
		}
		ids[s.ID] = true
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		f := fmt.Sprintf("steps[%d] (%s)", i, s.ID)
		if !slices.Contains(stepTypes, s.Type) {
			return bad(f+".type", "%q is not one of %v", s.Type, stepTypes)
		}
		switch s.Type {
		case "wait":
			if s.Days <= 0 && s.Hours <= 0 {
				return bad(f, "a wait needs days or hours")
			}
		case "message":
			if s.Purpose == "" {
				s.Purpose = "transactional"
			}
			if s.Purpose != "transactional" && s.Purpose != "marketing" {
				return bad(f+".purpose", "transactional or marketing")
			}
			if err := checkLocales(s.Text); err != nil {
				return bad(f+".text", "%v", err)
			}
		case "task":
			if err := checkLocales(s.Title); err != nil {
				return bad(f+".title", "%v", err)
			}
		case "branch":
			if s.If == nil {
				return bad(f+".if", "a branch needs a condition")
			}
			if err := s.If.check(); err != nil {
				return bad(f+".if", "%v", err)
			}
			for _, to := range []string{s.Then, s.Else} {
				if to != "" && !ids[to] {
					return bad(f, "no step %q to go to", to)
				}
			}
		case "set":
			if s.Field != "stage" {
				return bad(f+".field", "only stage can be set")
			}
		}
	}
	return nil
}

// usesRecommendations reports whether any message shows {{.Recommendations}}.
func (p *Playbook) usesRecommendations() bool {
	for _, st := range p.Steps {
		for _, t := range st.Text {
			if strings.Contains(t, ".Recommendations") {
				return true
			}
		}
	}
	return false
}

func checkLocales(m map[string]string) error {
	for _, l := range Locales {
		if strings.TrimSpace(m[l]) == "" {
			return fmt.Errorf("the %s text is missing", l)
		}
		if _, err := template.New("").Parse(m[l]); err != nil {
			return fmt.Errorf("%s: %v", l, err)
		}
	}
	return nil
}

func (c *Condition) check() error {
	if !slices.Contains(condFields, c.Field) {
		return fmt.Errorf("field %q is not one of %v", c.Field, condFields)
	}
	if !slices.Contains(condOps, c.Op) {
		return fmt.Errorf("op %q is not one of %v", c.Op, condOps)
	}
	if n, ok := c.Value.(float64); ok {
		c.num = n
	} else if c.Op != "=" && c.Op != "!=" {
		return fmt.Errorf("%s needs a number", c.Op)
	}
	return nil
}

// CurrentPlaybook reads and parses a playbook's current version.
func CurrentPlaybook(ctx context.Context, db *store.DB, key string) (*Playbook, error) {
	b, err := db.CurrentPlaybook(ctx, key)
	if err != nil {
		return nil, err
	}
	return ParsePlaybook(b)
}

//go:embed playbooks/*.json
var builtinFS embed.FS

// Builtins are the shipped playbook templates (docs/product.md: Playbooks).
func Builtins() ([]*Playbook, error) {
	files, err := fs.Glob(builtinFS, "playbooks/*.json")
	if err != nil {
		return nil, err
	}
	var out []*Playbook
	for _, f := range files {
		b, _ := builtinFS.ReadFile(f)
		p, err := ParsePlaybook(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, p)
	}
	return out, nil
}
