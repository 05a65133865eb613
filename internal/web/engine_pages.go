package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/store"
)

type playbookView struct {
	core.PlaybookOutcome
	Def   *retain.Playbook
	Steps []stepView
}

// stepView is a playbook step in the reader's words: what it does and its
// detail (a wait's length, a message's text with its fields named, a
// branch's condition and where it goes).
type stepView struct {
	Type, Detail string
}

// describeSteps puts a playbook's steps in the reader's words, with no
// template syntax, step id or condition code left in them.
func describeSteps(v *view, p *retain.Playbook, surveys map[string]string, currency string) []stepView {
	pos := map[string]int{}
	for i, st := range p.Steps {
		pos[st.ID] = i + 1
	}
	label := func(f string) string { return v.L.T("tmplfield." + f) }
	goTo := func(id string, i int) string {
		if id == "" {
			return v.L.T("playbooks.to_step", "N", v.L.Int(int64(i+2)))
		}
		return v.L.T("playbooks.to_step", "N", v.L.Int(int64(pos[id])))
	}
	var out []stepView
	for i, st := range p.Steps {
		sv := stepView{Type: v.L.T("step." + st.Type)}
		switch st.Type {
		case "wait":
			days, dec := st.Days+st.Hours/24, 0
			if days != float64(int64(days)) {
				dec = 1
			}
			sv.Detail = v.L.T("playbooks.wait_for", "Days", v.L.Number(days, dec))
		case "message":
			sv.Detail = core.PreviewText(st.Text, v.L.Lang, label)
		case "survey":
			sv.Detail = surveys[st.Survey]
		case "task":
			sv.Detail = core.PreviewText(st.Title, v.L.Lang, label)
		case "branch":
			if st.If != nil {
				sv.Detail = v.L.T("playbooks.branch_if", "Field", v.L.T("condfield."+st.If.Field), "Op", st.If.Op,
					"Value", conditionValue(v, st.If), "Then", goTo(st.Then, i), "Else", goTo(st.Else, i))
			}
		case "set":
			sv.Detail = v.L.T("condfield."+st.Field) + " → " + v.Word("stage.", st.Value)
		case "coupon":
			if st.Coupon != nil {
				sv.Detail = couponOffer(v, *st.Coupon, currency)
			}
		case "points":
			sv.Detail = v.L.T("playbooks.points_step", "N", v.L.Int(st.Points))
		}
		out = append(out, sv)
	}
	return out
}

// conditionValue is a branch's value in the reader's words: a number in
// their digits, a segment, stage or language by its name.
func conditionValue(v *view, c *retain.Condition) string {
	if n, ok := c.Number(); ok {
		return v.L.Number(n, 2)
	}
	s := fmt.Sprint(c.Value)
	switch c.Field {
	case "segment":
		return v.Word("segment.", s)
	case "stage":
		return v.Word("stage.", s)
	case "locale":
		if name := i18n.Names[s]; name != "" {
			return name
		}
	}
	return s
}

type playbooksData struct {
	Playbooks []playbookView
	Recovery  core.Recovery
	CanToggle bool
}

// playbooks lists the playbooks with their enrollments and outcomes, and
// their steps; managers and admins can switch them on and off.
// playbookNames are the playbooks' names in lang, by key.
func (s *Server) playbookNames(ctx context.Context, lang string) (map[string]string, error) {
	rows, err := s.db.Playbooks(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, row := range rows {
		if p, err := retain.ParsePlaybook(row.Definition); err == nil {
			names[row.Key] = retain.Localized(p.Name, lang)
		}
	}
	return names, nil
}

func (s *Server) playbooks(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context() // serve installed the built-ins at start
	rec, err := core.Outcomes(ctx, s.db)
	if err != nil {
		return err
	}
	rows, err := s.db.Playbooks(ctx)
	if err != nil {
		return err
	}
	defs := map[string]*retain.Playbook{}
	for _, row := range rows {
		if p, err := retain.ParsePlaybook(row.Definition); err == nil {
			defs[row.Key] = p
		}
	}
	choices, err := s.surveyChoices(ctx, v.L.Lang)
	if err != nil {
		return err
	}
	surveys := map[string]string{}
	for _, c := range choices {
		surveys[c.Key] = c.Name
	}
	currency, err := s.programCurrency(ctx)
	if err != nil {
		return err
	}
	d := playbooksData{Recovery: rec, CanToggle: v.Actor.Can(retain.PermPlaybooksManage)}
	for _, p := range rec.Playbooks {
		pv := playbookView{PlaybookOutcome: p, Def: defs[p.Key]}
		if pv.Def != nil {
			pv.Steps = describeSteps(v, pv.Def, surveys, currency)
		}
		d.Playbooks = append(d.Playbooks, pv)
	}
	v.Title, v.Data = v.L.T("nav.playbooks"), d
	s.render(w, "playbooks", v)
	return nil
}

func (s *Server) playbookToggle(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.work().SetPlaybookEnabled(r.Context(), v.Actor, r.PathValue("key"), r.FormValue("enabled") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/playbooks", http.StatusSeeOther)
	return nil
}

type messagesData struct {
	Messages []store.MessageRow
	Status   retain.MessageStatus
	Channel  retain.Channel
	Statuses []retain.MessageStatus
	Channs   []retain.Channel
}

// messages is the message log with delivery status, filtered by status and
// channel.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := store.MessageFilter{Status: retain.MessageStatus(q.Get("status")), Channel: retain.Channel(q.Get("channel")), Limit: 200}
	msgs, err := s.db.Messages(r.Context(), f)
	if err != nil {
		return err
	}
	v.Title = v.L.T("nav.messages")
	v.Data = messagesData{Messages: msgs, Status: f.Status, Channel: f.Channel, Statuses: retain.MessageStatuses, Channs: retain.ChannelNames}
	s.render(w, "messages", v)
	return nil
}

// couponOffer says what a coupon gives in the reader's words: "10% off",
// "BDT 200 off", "Free: Tea", "BDT 500 store credit"; currency is the
// programme's, for a spec that names none.
func couponOffer(v *view, c retain.CouponSpec, currency string) string {
	if c.Currency != "" {
		currency = c.Currency
	}
	switch c.Kind {
	case retain.CouponPercent:
		return v.L.T("coupon.percent_off", "Percent", v.L.Int(int64(c.Percent)))
	case retain.CouponFreeItem:
		return v.L.T("coupon.free_item", "Item", c.Item)
	case retain.CouponStoreCredit:
		return v.L.T("coupon.store_credit", "Amount", v.L.Money(c.Amount, currency))
	}
	return v.L.T("coupon.amount_off", "Amount", v.L.Money(c.Amount, currency))
}
