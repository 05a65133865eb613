package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/loyalty"
)

// The public refer-a-friend page (/r/{code}): a friend opens the link a
// customer shared, reads the offer and signs up with their name and phone
// or e-mail. Lookups of codes and sign-ups are limited per address; the
// page names only the referrer's first name, and a refused sign-up reads
// the same whatever the reason (it is recorded for the staff), so the form
// cannot be used to learn who shops here.

type referralPage struct {
	Code, Lang, Business, Referrer string
	FriendOffer                    string // the welcome coupon, in words
	FriendPoints, ReferrerPoints   int64
	Name, Phone, Email             string
	Marketing                      bool
	Fields                         map[string]string
	Done                           *core.ReferralResult
	Invalid                        bool
}

// referralFields are the form's fields; a problem elsewhere shows at phone.
var referralFields = []string{"name", "phone", "email"}

func (s *Server) referralLanding(w http.ResponseWriter, r *http.Request) {
	ctx, ip, now := r.Context(), s.clientIP(r), s.db.Now()
	l := visitorLocale(r)
	if q := r.FormValue("lang"); slices.Contains(i18n.Languages, q) {
		l = i18n.New(q, true)
	}
	v := s.visitor(r, l)
	p := referralPage{Lang: l.Lang, Code: r.PathValue("code")}
	v.Title = l.T("referral.title")
	w.Header().Set("Cache-Control", "no-store")
	invalid := func(status int) {
		p.Invalid, v.Data = true, p
		s.renderStatus(w, status, "referral", v)
	}
	if !s.surveyGuess.Take("referral:"+ip, surveyLookups, now) {
		invalid(http.StatusTooManyRequests)
		return
	}
	program, err := core.LoyaltyProgram(ctx, s.db)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	code, err := loyalty.NormalizeCode(p.Code)
	if err != nil || !program.ReferralOn() {
		invalid(http.StatusNotFound)
		return
	}
	_, referrer, err := s.db.ReferrerOf(ctx, code)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		invalid(http.StatusNotFound)
		return
	}
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	s.surveyGuess.Forgive("referral:"+ip, now)
	c, err := s.db.GetCustomer(ctx, referrer)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	p.Referrer, _, _ = strings.Cut(strings.TrimSpace(c.Name), " ")
	if m, err := s.live.Messaging(ctx); err == nil {
		p.Business = m.Settings.BusinessName
	}
	v.Brand = p.Business
	p.FriendPoints, p.ReferrerPoints = program.Referral.FriendPoints, program.Referral.ReferrerPoints
	if fc := program.Referral.FriendCoupon; fc != nil {
		p.FriendOffer = couponOffer(v, *fc, program.Currency)
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		p.Name, p.Phone, p.Email, p.Marketing = r.FormValue("name"), r.FormValue("phone"), r.FormValue("email"), r.FormValue("marketing") == "on"
		if !s.widgetSends.Take("referral:"+ip, widgetMessages, now) {
			p.Fields, status = map[string]string{"phone": l.T("widget.busy")}, http.StatusTooManyRequests
		} else {
			res, err := core.SignUpReferred(ctx, s.db, code, core.Signup{Name: p.Name, Phone: p.Phone, Email: p.Email, Locale: l.Lang,
				Country: langCountry[l.Lang], Marketing: p.Marketing})
			var e *retain.Error
			switch {
			case errors.As(err, &e) && e.Code == retain.EINVALID:
				p.Fields, status = map[string]string{}, http.StatusBadRequest
				for _, f := range e.Fields.Fields() {
					if !slices.Contains(referralFields, f) {
						f = "phone"
					}
					p.Fields[f] = l.T("referral.bad_" + f)
				}
			case errors.As(err, &e) && e.Code == retain.ECONFLICT:
				p.Done = &core.ReferralResult{Status: loyalty.ReferralRefused, Reason: "referred"}
			case err != nil:
				s.errorPage(w, v, err)
				return
			default:
				p.Done = &res
			}
		}
	}
	v.Data = p
	s.renderStatus(w, status, "referral", v)
}
