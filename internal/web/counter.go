package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// The counter: a shop's staff look a customer up by phone (typed in any
// digits), see their points and coupons, and in one more tap give a
// reward or take a coupon off the sale. Made for a cheap phone's browser:
// plain forms, no script needed. Like the desk, the counter is shared: a
// walk-in customer is anyone's.

type counterData struct {
	Query    string
	Matches  []store.CustomerRow // more than one customer answers the query
	Customer *retain.Customer
	Points   core.Points
	// SoonestPoints expire first, at SoonestAt (zero: none expire).
	SoonestPoints int64
	SoonestAt     time.Time
	Coupons       []counterCoupon // the customer's own coupons that can still be used
	Rewards       []counterReward
	Cards         []core.StampCardView
	Tier          *core.TierView
	Referral      *core.ReferralView // the customer's refer-a-friend code, when the programme takes referrals
	Deliveries    core.DeliveryView  // the orders placed with their phone number
	Currency      string
	Nonce         string // this page's forms': a double tap is one redemption
	Notice        string
	NoMatch       bool
}

type counterCoupon struct {
	core.CouponView
	Offer string
}

type counterReward struct {
	Key, Name, Offer string
	Points           int64
	Affordable       bool
}

func (s *Server) counter(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	program, err := core.LoyaltyProgram(ctx, s.db)
	if err != nil {
		return err
	}
	d := counterData{Query: strings.TrimSpace(q.Get("q")), Notice: s.counterNotice(r, v, program)}
	d.Currency = program.Currency
	ref := q.Get("customer")
	if token := cardToken(d.Query); ref == "" && token != "" { // the card's QR code, scanned into the search
		if id, err := core.CardCustomer(ctx, s.db, token); err == nil {
			f, err := s.db.CustomerFacts(ctx, id)
			if err != nil {
				return err
			}
			ref = f.ExternalID
		}
	}
	if ref == "" && d.Query != "" {
		rows, _, err := s.db.Customers(ctx, store.CustomerFilter{Query: retain.LatinDigits(d.Query), Size: 10})
		if err != nil {
			return err
		}
		switch len(rows) {
		case 0:
			d.NoMatch = true
		case 1:
			ref = rows[0].ExternalID
		default:
			d.Matches = rows
		}
	}
	if ref != "" {
		if err := s.counterCustomer(r, v, &d, program, ref); err != nil {
			return err
		}
	}
	v.Title, v.Data = v.L.T("counter.title"), d
	s.render(w, "counter", v)
	return nil
}

// counterCustomer fills in the customer's card: points, coupons, rewards.
func (s *Server) counterCustomer(r *http.Request, v *view, d *counterData, program loyalty.Program, ref string) error {
	ctx := r.Context()
	c, err := s.db.GetCustomer(ctx, ref)
	if err != nil {
		return err
	}
	d.Customer = &c
	if d.Points, err = s.work().CustomerPointsIn(ctx, v.Actor, ref, v.L.Lang); err != nil {
		return err
	}
	if len(d.Points.Lots) > 0 && d.Points.Lots[0].ExpiresAt != nil {
		d.SoonestPoints, d.SoonestAt = d.Points.Lots[0].Points, *d.Points.Lots[0].ExpiresAt
	}
	coupons, err := s.work().Coupons(ctx, v.Actor, ref, "", 50)
	if err != nil {
		return err
	}
	for _, cv := range coupons {
		if cv.Usable(s.db.Now()) {
			d.Coupons = append(d.Coupons, counterCoupon{CouponView: cv, Offer: couponOffer(v, cv.Spec(), program.Currency)})
		}
	}
	d.Cards, d.Tier = d.Points.Stamps, d.Points.Tier
	if c.Phone != "" && v.Actor.Can(retain.PermCustomersRead) {
		if d.Deliveries, err = s.work().DeliveriesByPhone(ctx, v.Actor, c.Phone); err != nil {
			return err
		}
	}
	if program.ReferralOn() {
		ref, err := s.work().ReferralCode(ctx, v.Actor, s.live, c.ExternalID)
		if err != nil {
			return err
		}
		d.Referral = &ref
	}
	for _, rw := range program.Rewards {
		name := rw.Name[v.L.Lang]
		if name == "" {
			name = rw.Name["en"]
		}
		d.Rewards = append(d.Rewards, counterReward{Key: rw.Key, Name: name, Offer: couponOffer(v, rw.Coupon, program.Currency), Points: rw.Points,
			Affordable: rw.Points <= d.Points.Balance})
	}
	var nonce [12]byte
	rand.Read(nonce[:]) // never fails (crypto/rand)
	d.Nonce = hex.EncodeToString(nonce[:])
	return nil
}

// cardToken is the token of a card link pasted or scanned into the search
// (the link, or the token alone), "" for anything else.
func cardToken(q string) string {
	if _, after, ok := strings.Cut(q, "/card/"); ok {
		q = after
	}
	if len(q) != 22 || strings.ContainsFunc(q, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return ""
	}
	return q
}

// counterCard sends the customer a new link to their loyalty card (or, with
// nowhere to send it, shows it).
func (s *Server) counterCard(w http.ResponseWriter, r *http.Request, v *view) error {
	ref := r.FormValue("customer")
	link, channel, err := s.work().CardLink(r.Context(), v.Actor, s.live, ref, true)
	if err != nil {
		return workForm(v, err, "counter.failed")
	}
	q := url.Values{"done": {"card"}, "channel": {string(channel)}}
	if channel == "" {
		q.Set("link", link)
	}
	s.counterDone(w, r, ref, q)
	return nil
}

// counterNotice is what the last action did, from the redirect's query:
// the reward's coupon (by its code), or what a coupon took off the sale.
func (s *Server) counterNotice(r *http.Request, v *view, program loyalty.Program) string {
	q := r.URL.Query()
	switch q.Get("done") {
	case "reward":
		code, err := loyalty.NormalizeCode(q.Get("code"))
		if err != nil {
			return ""
		}
		c, err := s.db.Coupon(r.Context(), code)
		if err != nil {
			return ""
		}
		offer := couponOffer(v, retain.CouponSpec{Kind: c.Kind, Amount: c.Amount, Percent: c.Percent, Item: c.Item, Currency: c.Currency}, program.Currency)
		return v.L.T("counter.reward_done", "Code", loyalty.FormatCode(c.Code), "Offer", offer)
	case "card":
		if ch := q.Get("channel"); ch != "" {
			return v.L.T("counter.card_sent", "Channel", v.L.T("channel."+ch))
		}
		return v.L.T("counter.card_link", "Link", q.Get("link"))
	case "stamp":
		var n, of int
		fmt.Sscan(q.Get("n"), &n)
		fmt.Sscan(q.Get("of"), &of)
		if code := q.Get("code"); code != "" {
			return v.L.T("counter.card_full", "Code", code)
		}
		return v.L.T("counter.stamped", "Stamps", v.L.Int(int64(n)), "Needed", v.L.Int(int64(of)))
	case "coupon":
		var off int64
		fmt.Sscan(q.Get("off"), &off)
		if item := q.Get("item"); item != "" {
			return v.L.T("counter.coupon_done", "Offer", v.L.T("coupon.free_item", "Item", item))
		}
		return v.L.T("counter.coupon_done", "Offer", v.L.T("coupon.amount_off", "Amount", v.L.Money(off, program.Currency)))
	}
	return ""
}

// counterRedeem buys a reward with the customer's points; the page's
// nonce keys it, so a double tap spends once.
func (s *Server) counterRedeem(w http.ResponseWriter, r *http.Request, v *view) error {
	ref, reward, nonce := r.FormValue("customer"), r.FormValue("reward"), r.FormValue("nonce")
	if nonce == "" {
		return workForm(v, retain.FieldError("key", "is required"), "counter.failed")
	}
	out, err := s.work().RedeemReward(r.Context(), v.Actor, ref, reward, "counter:"+nonce+":"+reward)
	if err != nil {
		return workForm(v, err, "counter.failed")
	}
	s.counterDone(w, r, ref, url.Values{"done": {"reward"}, "code": {out.Coupon.Code}})
	return nil
}

// counterStamp puts stamps on the customer's card; a full card's reward
// coupon is shown.
func (s *Server) counterStamp(w http.ResponseWriter, r *http.Request, v *view) error {
	ref, card, nonce := r.FormValue("customer"), r.FormValue("card"), r.FormValue("nonce")
	count := 1
	if n := r.FormValue("count"); n != "" {
		c, err := strconv.Atoi(retain.LatinDigits(n)) // all of it: "3abc" is no count
		if err != nil {
			return workForm(v, retain.FieldError("count", "%q is not a whole number", n), "counter.failed")
		}
		count = c
	}
	if nonce == "" {
		return workForm(v, retain.FieldError("key", "is required"), "counter.failed")
	}
	res, err := s.work().AddStamps(r.Context(), v.Actor, ref, card, count, "counter:"+nonce+":"+card)
	if err != nil {
		return workForm(v, err, "counter.failed")
	}
	q := url.Values{"done": {"stamp"}, "n": {fmt.Sprint(res.Stamps)}, "of": {fmt.Sprint(res.Needed)}}
	if len(res.Rewards) > 0 {
		q.Set("code", res.Rewards[len(res.Rewards)-1].Code)
	}
	s.counterDone(w, r, ref, q)
	return nil
}

// counterCoupon takes a coupon off the sale at the counter: held and
// confirmed at once (the sale is happening now).
func (s *Server) counterCoupon(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	ref, nonce := r.FormValue("customer"), r.FormValue("nonce")
	program, err := core.LoyaltyProgram(ctx, s.db)
	if err != nil {
		return err
	}
	total, err := retain.ParseAmount(r.FormValue("total"), program.Currency)
	if err != nil {
		return workForm(v, retain.FieldError("total_minor", "%v", err), "counter.failed")
	}
	if nonce == "" {
		return workForm(v, retain.FieldError("key", "is required"), "counter.failed")
	}
	key := "counter:" + nonce
	use := core.CouponUse{Code: r.FormValue("code"), Customer: ref, Total: total, Currency: program.Currency}
	who, now := v.Actor.String(), s.db.Now()
	if !s.couponGuesses.Take(who, core.CouponGuesses, now) {
		return problem(v, http.StatusTooManyRequests, "counter.too_many")
	}
	held, err := s.work().HoldCoupon(ctx, v.Actor, use, key, time.Minute)
	if !core.GuessedCode(err) {
		s.couponGuesses.Forgive(who, now)
	}
	if err != nil {
		return workForm(v, err, "counter.failed")
	}
	if _, err := s.work().ConfirmCoupon(ctx, v.Actor, key, "counter"); err != nil {
		return workForm(v, err, "counter.failed")
	}
	s.counterDone(w, r, ref, url.Values{"done": {"coupon"}, "off": {fmt.Sprint(held.Discount)}, "item": {held.Item}})
	return nil
}

func (s *Server) counterDone(w http.ResponseWriter, r *http.Request, ref string, q url.Values) {
	q.Set("customer", ref)
	http.Redirect(w, r, fmt.Sprintf("/counter?%s", q.Encode()), http.StatusSeeOther)
}
