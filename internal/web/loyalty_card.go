package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/loyalty"
)

// The customer's public loyalty card (/card/{token}): no account, the
// link's token guards it, guesses are limited per address as a survey
// link's are. It reads in the customer's language, or the one they pick.

type cardPage struct {
	Token, Lang, Business, Name string
	Points                      core.Points
	SoonestPoints               int64
	SoonestAt                   time.Time
	Cards                       []core.StampCardView
	Tier                        *core.TierView
	Rewards                     []counterReward
	Coupons                     []counterCoupon
	QR                          template.HTML
	Invalid                     bool
	// Referral is the customer's refer-a-friend link, when the programme
	// takes referrals, and what it gives them.
	Referral       *core.ReferralView
	ReferrerPoints int64
	program        loyalty.Program // read once for the page
}

func (s *Server) loyaltyCard(w http.ResponseWriter, r *http.Request) {
	token, ip, now := r.PathValue("token"), s.clientIP(r), s.db.Now()
	l := visitorLocale(r)
	v := s.visitor(r, l)
	if !s.surveyGuess.Take("card:"+ip, surveyLookups, now) {
		v.Title, v.Data = l.T("card.title"), cardPage{Invalid: true, Lang: l.Lang}
		s.renderStatus(w, http.StatusTooManyRequests, "card", v)
		return
	}
	id, err := core.CardCustomer(r.Context(), s.db, token)
	if err != nil {
		if retain.ErrorCode(err) != retain.ENOTFOUND {
			s.errorPage(w, v, err)
			return
		}
		v.Title, v.Data = l.T("card.title"), cardPage{Invalid: true, Lang: l.Lang}
		s.renderStatus(w, http.StatusNotFound, "card", v)
		return
	}
	s.surveyGuess.Forgive("card:"+ip, now)
	p, err := s.cardPage(r, id, token)
	if err != nil {
		s.errorPage(w, v, err)
		return
	}
	v = s.visitor(r, i18n.New(p.Lang, true))
	if p.Rewards, p.Coupons, err = s.cardOffers(r, v, p.program, p.Points); err != nil {
		s.errorPage(w, v, err)
		return
	}
	v.Title, v.Brand, v.Data = v.L.T("card.title"), p.Business, p
	s.render(w, "card", v)
}

// cardPage reads the card's customer, in their language (or the one asked
// for), with the QR code of the card's own link.
func (s *Server) cardPage(r *http.Request, id int64, token string) (cardPage, error) {
	ctx := r.Context()
	f, err := s.db.CustomerFacts(ctx, id)
	if err != nil {
		return cardPage{}, err
	}
	p := cardPage{Token: token, Name: nameOf(f), Lang: core.LocaleOf(f.Locale)}
	if q := r.FormValue("lang"); slices.Contains(i18n.Languages, q) {
		p.Lang = q
	}
	m, err := s.live.Messaging(ctx)
	if err != nil {
		return p, err
	}
	p.Business = m.Settings.BusinessName
	actor := retain.System("card")
	if p.Points, err = s.work().CustomerPointsIn(ctx, actor, f.ExternalID, p.Lang); err != nil {
		return p, err
	}
	if len(p.Points.Lots) > 0 && p.Points.Lots[0].ExpiresAt != nil {
		p.SoonestPoints, p.SoonestAt = p.Points.Lots[0].Points, *p.Points.Lots[0].ExpiresAt
	}
	p.Cards, p.Tier = p.Points.Stamps, p.Points.Tier
	if p.program, err = core.LoyaltyProgram(ctx, s.db); err != nil {
		return p, err
	}
	if p.program.ReferralOn() && m.Settings.PublicURL != "" {
		ref, err := s.work().ReferralCode(ctx, actor, s.live, f.ExternalID)
		if err != nil {
			return p, err
		}
		p.Referral, p.ReferrerPoints = &ref, p.program.Referral.ReferrerPoints
	}
	// The till scans the card's own link: typed into the counter's search,
	// it finds the customer.
	p.QR, err = qrSVG(core.CardURL(m.Settings.PublicURL, token))
	return p, err
}

// cardOffers are the rewards (what the balance affords) and the usable
// coupons, in the reader's words.
func (s *Server) cardOffers(r *http.Request, v *view, program loyalty.Program, points core.Points) ([]counterReward, []counterCoupon, error) {
	ctx := r.Context()
	var rewards []counterReward
	for _, rw := range program.Rewards {
		rewards = append(rewards, counterReward{Key: rw.Key, Name: core.RewardName(rw.Name, v.L.Lang), Offer: couponOffer(v, rw.Coupon, program.Currency),
			Points: rw.Points, Affordable: rw.Points <= points.Balance})
	}
	cs, err := s.work().Coupons(ctx, retain.System("card"), points.Customer, "", 50)
	if err != nil {
		return nil, nil, err
	}
	var coupons []counterCoupon
	for _, c := range cs {
		if c.Usable(s.db.Now()) {
			coupons = append(coupons, counterCoupon{CouponView: c, Offer: couponOffer(v, c.Spec(), program.Currency)})
		}
	}
	return rewards, coupons, nil
}

// qrSVG draws a QR code as an SVG of squares: sharp at any size, a few
// kilobytes, no image to fetch.
func qrSVG(content string) (template.HTML, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bits := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="qr" role="img" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, len(bits), len(bits))
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built here from numbers only
}
