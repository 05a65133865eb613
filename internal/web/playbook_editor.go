package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
)

// editorData is the playbook editor: the definition being edited (saved or
// not), what was wrong with it by field path ("steps[2].text.bn", the same
// path the definition's own check names), and, for a chosen customer, what
// it would do.
type editorData struct {
	P        *retain.Playbook
	Enabled  bool
	Version  int
	Fields   fieldErrors
	Customer string // external id of the preview's customer
	Sim      []simLine
	SimError string
	Notice   string
	// The vocabularies the form offers.
	Reasons, Events, CondFields, Ops, StepTypes, Locales []string
	Channels                                             []retain.Channel
	Surveys                                              []surveyChoice
	CouponKinds                                          []string
	// Currency is the loyalty programme's: a coupon step's amounts are in
	// it unless the step names another.
	Currency string
	status   int
}

// simLine is one action of a simulation as the customer would get it.
type simLine struct {
	Day     string
	Type    string
	Channel retain.Channel
	Text    string
	Note    string
	Parts   int // SMS parts
	Unicode bool
	NotSent bool
	Subject string
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, v *view, d editorData) error {
	d.Reasons, d.Events, d.CondFields, d.Ops = alertReasons, retain.TriggerEvents, retain.ConditionFields, retain.ConditionOps
	d.StepTypes, d.Locales, d.Channels, d.CouponKinds = retain.StepTypes, retain.PlaybookLocales, retain.ChannelNames, retain.CouponKinds
	var err error
	if d.Currency, err = s.programCurrency(r.Context()); err != nil {
		return err
	}
	if d.Surveys, err = s.surveyChoices(r.Context(), v.L.Lang); err != nil {
		return err
	}
	name := d.P.Name[v.L.Lang]
	if name == "" {
		name = d.P.Name["en"]
	}
	v.Title, v.Data = v.L.T("editor.title", "Name", name), d
	s.renderStatus(w, d.status, "playbook_edit", v)
	return nil
}

// playbookEdit opens the editor on a playbook's current version.
func (s *Server) playbookEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	p, enabled, version, err := s.currentPlaybook(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	return s.renderEditor(w, r, v, editorData{P: p, Enabled: enabled, Version: version, Customer: r.FormValue("customer")})
}

func (s *Server) currentPlaybook(r *http.Request, key string) (*retain.Playbook, bool, int, error) {
	row, err := s.db.PlaybookHead(r.Context(), key)
	if err != nil {
		return nil, false, 0, err
	}
	p, err := retain.ParsePlaybook(row.Definition)
	return p, row.Enabled, row.Version, err
}

// playbookEditPost reads the whole form back into a definition, applies
// the button pressed (move, remove or add a step; preview; save) and shows
// the result: problems at their fields, and the simulation for the chosen
// customer. Nothing is stored until "save as a new version" on a
// definition with no problems.
func (s *Server) playbookEditPost(w http.ResponseWriter, r *http.Request, v *view) error {
	cur, enabled, version, err := s.currentPlaybook(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	currency, err := s.programCurrency(r.Context())
	if err != nil {
		return err
	}
	p, typed := readPlaybookForm(r, cur.Key, currency)
	op := editItems(r, &p.Steps, func() (retain.Step, bool) { return newStep(r.FormValue("add_type"), p.Steps), true })
	d := editorData{P: p, Enabled: enabled, Version: version, Customer: strings.TrimSpace(r.FormValue("customer")), Fields: fieldErrors{}}
	// The definition's own check, by field path; an added step's empty
	// texts are the reader's to fill, not a complaint yet.
	if op != "add" {
		problems := p.Validate()
		if op == "save" || op == "preview" { // the steps as typed, not moved: an amount that did not read is named where it was typed
			for field, why := range typed {
				problems[field] = why
			}
		}
		d.Fields = definitionProblems(v, problems)
	}
	if op == "save" && len(d.Fields) == 0 {
		norm, err := json.Marshal(p)
		if err != nil {
			return err
		}
		// Both checked, so both carry the same defaults: the form sent back
		// unchanged is the same definition, not a new version.
		was, _ := json.Marshal(cur)
		ver, created := version, false
		if !bytes.Equal(norm, was) {
			ver, created, err = s.db.SavePlaybook(r.Context(), p.Key, norm, enabled)
		}
		if err != nil {
			return err
		}
		if created {
			if err := s.db.Audit(r.Context(), v.Actor, "playbook.save", p.Key, fmt.Sprintf("version %d", ver)); err != nil {
				return err
			}
		}
		d.Version, d.Notice = ver, savedNotice(v, "editor.saved", ver, created)
	} else if len(d.Fields) > 0 && r.Header.Get("HX-Request") == "" {
		// Not for the live preview: htmx swaps only a 2xx answer, and the
		// preview must say that the definition has problems.
		d.status = http.StatusBadRequest
	}
	if d.Customer != "" && len(d.Fields) == 0 {
		d.Sim, d.SimError = s.simulate(r, v, p, d.Customer)
	}
	return s.renderEditor(w, r, v, d)
}

// editorProblem is the catalog key that says what is wrong with a field of
// a playbook, by the kind of field the path ends in ("" for the rest).
func editorProblem(path string) string {
	last := path[strings.LastIndexAny(path, ".]")+1:]
	switch {
	case last == "en" || last == "bn" || last == "ne":
		return "editor.text_needed"
	case last == "days":
		return "editor.wait_needed"
	case last == "value":
		return "editor.value_bad"
	case last == "then" || last == "else":
		return "form.choose"
	case path == "trigger":
		return "editor.trigger_needed"
	case path == "steps":
		return "editor.steps_needed"
	}
	return ""
}

// newStep is a blank step of a type, with an id no other step has.
func newStep(typ string, steps []retain.Step) retain.Step {
	if !slices.Contains(retain.StepTypes, typ) {
		typ = "message"
	}
	taken := map[string]bool{}
	for _, st := range steps {
		taken[st.ID] = true
	}
	id := typ
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s_%d", typ, n)
	}
	st := retain.Step{ID: id, Type: typ}
	switch typ {
	case "wait":
		st.Days = 1
	case "message":
		st.Text = map[string]string{}
	case "survey":
		st.Survey, st.MaxLatenessHours = "csat", 24
	case "task":
		st.Title, st.DueHours = map[string]string{}, 24
	case "branch":
		st.If = &retain.Condition{Field: "orders", Op: ">", Value: float64(0)}
	case "set":
		st.Field, st.Value = "stage", retain.StageActive
	case "coupon":
		st.Coupon = &retain.CouponSpec{Kind: retain.CouponPercent, Percent: 10, ValidDays: 30}
	case "points":
		st.Points = 100
	}
	return st
}

// programCurrency is the loyalty programme's currency.
func (s *Server) programCurrency(ctx context.Context) (string, error) {
	p, err := core.LoyaltyProgram(ctx, s.db)
	return p.Currency, err
}

// readPlaybookForm is the definition the editor's form describes. Field
// names are the definition's own paths, so a problem the check reports
// lands next to the field it is about.
// An amount that does not read as one is left 0 in the definition and
// named in the problems returned.
func readPlaybookForm(r *http.Request, key, currency string) (*retain.Playbook, retain.Problems) {
	typed := retain.Problems{}
	r.ParseForm()
	f := func(name string) string { return strings.TrimSpace(r.FormValue(name)) }
	num := func(name string) float64 { n, _ := strconv.ParseFloat(f(name), 64); return n }
	texts := func(prefix string) map[string]string {
		m := map[string]string{}
		for _, l := range retain.PlaybookLocales {
			if t := strings.TrimSpace(r.FormValue(prefix + "." + l)); t != "" {
				m[l] = t
			}
		}
		return m
	}
	cond := func(prefix string) *retain.Condition {
		if f(prefix+".field") == "" {
			return nil
		}
		c := &retain.Condition{Field: f(prefix + ".field"), Op: f(prefix + ".op"), Value: f(prefix + ".value")}
		if n, err := strconv.ParseFloat(f(prefix+".value"), 64); err == nil {
			c.Value = n
		}
		return c
	}
	p := &retain.Playbook{Key: key, Name: texts("name"), Description: f("description"), OncePerDays: int(num("once_per_days")),
		SuccessDays: int(num("success_days")), ExitOnOrder: f("exit_on_order") == "1", Recovery: f("recovery") == "1"}
	p.Trigger.Alerts = r.Form["trigger.alerts"]
	p.Trigger.Event = f("trigger.event")
	p.Trigger.Score = cond("trigger.score")
	for i := 0; i < 20; i++ {
		if c := cond(fmt.Sprintf("entry[%d]", i)); c != nil {
			p.Entry = append(p.Entry, *c)
		}
	}
	for i := 0; i < len(retain.ChannelNames); i++ {
		if c := f(fmt.Sprintf("channels[%d]", i)); c != "" {
			p.Channels = append(p.Channels, retain.Channel(c))
		}
	}
	n, _ := strconv.Atoi(f("steps"))
	for i := 0; i < n && i < 100; i++ {
		at := fmt.Sprintf("steps[%d]", i)
		st := retain.Step{ID: f(at + ".id"), Type: f(at + ".type")}
		switch st.Type {
		case "wait":
			st.Days, st.Hours = num(at+".days"), num(at+".hours")
		case "message":
			st.Purpose, st.Kind, st.Text = retain.Purpose(f(at+".purpose")), f(at+".kind"), texts(at+".text")
			st.MaxLatenessHours = int(num(at + ".max_lateness_hours"))
		case "survey":
			st.Survey, st.MaxLatenessHours = f(at+".survey"), int(num(at+".max_lateness_hours"))
		case "task":
			st.Title, st.DueHours = texts(at+".title"), num(at+".due_hours")
		case "branch":
			st.If, st.Then, st.Else = cond(at+".if"), f(at+".then"), f(at+".else")
		case "set":
			st.Field, st.Value = "stage", f(at+".value")
		case "coupon":
			c := &retain.CouponSpec{Kind: f(at + ".coupon.kind"), Percent: int(num(at + ".coupon.percent")), Item: f(at + ".coupon.item"),
				Currency: f(at + ".coupon.currency"), ValidDays: int(num(at + ".coupon.valid_days")), MaxUses: int(num(at + ".coupon.max_uses"))}
			cur := c.Currency
			if cur == "" {
				cur = currency
			}
			// Amounts are typed as the shop says them (200, ২০০), stored in
			// minor units.
			for name, into := range map[string]*int64{"amount_minor": &c.Amount, "min_spend_minor": &c.MinSpend} {
				field := at + ".coupon." + name
				if text := f(field); text != "" {
					n, err := retain.ParseAmount(text, cur)
					if err != nil {
						typed.Add(field, "%v", err)
					}
					*into = n
				}
			}
			st.Coupon = c
		case "points":
			st.Points, st.Reason = int64(num(at+".points")), f(at+".reason")
		}
		p.Steps = append(p.Steps, st)
	}
	return p, typed
}

// simulate runs the edited definition for a customer, sending nothing.
func (s *Server) simulate(r *http.Request, v *view, p *retain.Playbook, customer string) ([]simLine, string) {
	c, err := s.db.GetCustomer(r.Context(), customer)
	if err != nil {
		return nil, v.L.T("editor.no_customer", "ID", customer)
	}
	runner := core.NewRunner(s.db, s.live, "web", s.log)
	reason := ""
	if len(p.Trigger.Alerts) > 0 {
		reason = p.Trigger.Alerts[0]
	}
	steps, err := core.Simulate(r.Context(), runner, p, c.ID, reason)
	if err != nil || len(steps) == 0 {
		s.log.Error("simulate", "playbook", p.Key, "err", err)
		return nil, v.L.T("error.internal")
	}
	start := steps[0].At
	var out []simLine
	for _, st := range steps {
		l := simLine{Day: v.L.Number(st.At.Sub(start).Hours()/24, 0), Type: v.L.T("step." + st.Type), Channel: st.Channel, Text: st.Text,
			NotSent: (st.Type == "message" || st.Type == "survey") && st.Channel == ""}
		switch st.Type {
		case "survey":
			if st.Channel == "" {
				l.Note = v.L.T("editor.not_sent")
			}
		case "message":
			if st.Channel == retain.ChannelSMS || st.Channel == "" {
				l.Parts, l.Unicode = messaging.SMSSegments(st.Text)
			}
			switch {
			case st.Note == core.HeldForRecovery:
				l.Note = v.L.T("editor.held_recovery")
			case st.Channel == "":
				l.Note = v.L.T("editor.not_sent")
			}
		case "wait":
			l.Text = v.L.T("playbooks.wait_for", "Days", v.L.Number(st.Wait.Hours()/24, 1))
		case "branch", "set", "exit", "end":
			l.Text = ""
		}
		out = append(out, l)
	}
	return out, ""
}

// playbookDuplicate copies a playbook (a built-in as a starting point)
// under a new key, switched off, and opens the copy in the editor.
func (s *Server) playbookDuplicate(w http.ResponseWriter, r *http.Request, v *view) error {
	p, _, _, err := s.currentPlaybook(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	key, err := copyKey(p.Key, func(k string) error { _, err := s.db.PlaybookHead(r.Context(), k); return err })
	if err != nil {
		return err
	}
	p.Key = key
	for l, name := range p.Name {
		p.Name[l] = name + " (2)"
	}
	norm, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, _, err := s.db.SavePlaybook(r.Context(), key, norm, false); err != nil {
		return err
	}
	if err := s.db.Audit(r.Context(), v.Actor, "playbook.save", key, "copy of "+r.PathValue("key")); err != nil {
		return err
	}
	http.Redirect(w, r, "/playbooks/"+key+"/edit", http.StatusSeeOther)
	return nil
}
