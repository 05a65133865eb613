package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

type customerData struct {
	Facts       store.Facts
	Customer    retain.Customer // consents
	History     []store.ScorePoint
	Timeline    []store.TimelineItem
	Score       *retain.Score
	Alerts      []retain.Alert
	Tasks       []retain.Task
	Enrollments []retain.Enrollment
	Playbooks   map[string]string // the playbooks' names in the viewer's language, by key
	Factors     []factorView
	Flags       []flagView
	Points      store.LoyaltyAccount
	Coupons     []counterCoupon
	Tier        *core.TierView
	Deliveries  core.DeliveryView // every order placed with the customer's phone number
}

type factorView struct {
	Name, Why string
	Points    string
	Width     float64
}

type flagView struct{ Name, Kind, Evidence string }

func (s *Server) customer(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no such page")
	}
	ctx := r.Context()
	f, err := s.work().Customer(ctx, v.Actor, id) // outside the viewer's scope: not found
	if err != nil {
		return err
	}
	d := customerData{Facts: f}
	if sc, _, err := s.db.LatestScore(ctx, f.ExternalID); err == nil {
		d.Score = &sc
		d.Factors, d.Flags = explain(sc, v)
	}
	if d.Alerts, err = s.db.Alerts(ctx, store.AlertFilter{CustomerID: id, Limit: 50}); err != nil {
		return err
	}
	if d.Tasks, err = s.db.Tasks(ctx, store.TaskFilter{CustomerID: id, Limit: 50}); err != nil {
		return err
	}
	if d.Enrollments, err = s.db.Enrollments(ctx, id); err != nil {
		return err
	}
	if d.Playbooks, err = s.playbookNames(ctx, v.L.Lang); err != nil {
		return err
	}
	if d.Customer, err = s.db.GetCustomer(ctx, f.ExternalID); err != nil {
		return err
	}
	if d.History, err = s.db.ScoreHistory(ctx, id); err != nil {
		return err
	}
	if d.Timeline, err = s.db.Timeline(ctx, id, 100); err != nil {
		return err
	}
	if d.Points, err = s.db.LoyaltyAccount(ctx, id); err != nil {
		return err
	}
	program, err := core.LoyaltyProgram(ctx, s.db)
	if err != nil {
		return err
	}
	if d.Tier, err = s.work().CustomerTier(ctx, v.Actor, id, v.L.Lang); err != nil {
		return err
	}
	if d.Deliveries, err = s.work().Deliveries(ctx, v.Actor, f.ExternalID); err != nil {
		return err
	}
	coupons, err := s.work().Coupons(ctx, v.Actor, f.ExternalID, "", 20)
	if err != nil {
		return err
	}
	for _, c := range coupons {
		d.Coupons = append(d.Coupons, counterCoupon{CouponView: c, Offer: couponOffer(v, c.Spec(), program.Currency)})
	}
	v.Title, v.Data = nameOf(f), d
	s.render(w, "customer", v)
	return nil
}

func nameOf(f store.Facts) string {
	if f.Name != "" {
		return f.Name
	}
	return f.ExternalID
}

// logTouch records a call, visit or note on the customer's timeline.
func (s *Server) logTouch(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no such page")
	}
	if err := s.work().LogTouch(r.Context(), v.Actor, id, r.FormValue("kind"), r.FormValue("summary")); err != nil {
		if retain.ErrorCode(err) == retain.EINVALID {
			return problem(v, http.StatusBadRequest, "error.touch")
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d", id), http.StatusSeeOther)
	return nil
}

// addNote adds a manual task (a note to follow up) for the customer.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no such page")
	}
	days, _ := strconv.Atoi(r.FormValue("due_days"))
	if err := s.work().AddNote(r.Context(), v.Actor, id, r.FormValue("title"), max(days, 0)); err != nil {
		if retain.ErrorCode(err) == retain.EINVALID {
			return problem(v, http.StatusBadRequest, "error.title")
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d", id), http.StatusSeeOther)
	return nil
}
