// Package loyalty holds the points programme's rules, free of storage:
// what an order earns, how a redemption draws on the customer's lots of
// points (the soonest to expire first), what expires, and what a return
// takes back. The ledger that records them is the store's; the consumer
// and the timers that apply them are the core's.
package loyalty

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// SettingsKey is where the programme is stored.
const SettingsKey = "loyalty"

// Program is the points programme's settings.
type Program struct {
	// Enabled: orders earn points. Off, nothing is earned (redemptions of
	// what was earned still work).
	Enabled bool `json:"enabled"`
	// Currency is what points are earned in; an order in another earns none.
	Currency string `json:"currency"`
	// EarnPer is how much net paid earns one point, in minor units
	// (BDT 100 = 10000): after discounts, returns and refunds.
	EarnPer int64 `json:"earn_per_minor"`
	// ReturnDays: an order's points are earned this many days after it
	// was placed, on what the customer kept; until then they are pending.
	ReturnDays int `json:"return_window_days"`
	// ExpireMonths: earned points expire this many months later (0: never).
	ExpireMonths int `json:"expire_months"`
	// PointValue is what one point is worth when redeemed, in minor units:
	// the programme's liability is the live points times it.
	PointValue int64 `json:"point_value_minor"`
	// Rewards are the catalogue: what points buy, each a coupon.
	Rewards []Reward `json:"rewards,omitempty"`
	// StampCards are the programme's cards: buy so many, get one free.
	StampCards []StampCard `json:"stamp_cards,omitempty"`
	// Tiers, lowest first, reached by the points earned in the last
	// TierMonths; a customer keeps a tier TierGraceDays past their period.
	Tiers         []Tier `json:"tiers,omitempty"`
	TierMonths    int    `json:"tier_months,omitempty"`
	TierGraceDays int    `json:"tier_grace_days,omitempty"`
	// TierBy is what reaches a tier: the points earned in the window
	// (TierByPoints, the default) or the net spent in it (TierBySpend).
	TierBy string `json:"tier_by,omitempty"`
	// Bonus is points given once for things other than buying.
	Bonus Bonus `json:"bonus"`
	// Campaigns multiply what orders placed between their dates earn.
	Campaigns []Campaign `json:"campaigns,omitempty"`
	// Referral is the refer-a-friend offer; nil: none.
	Referral *Referral `json:"referral,omitempty"`
	// Rates earn more, less or nothing on some products or categories.
	Rates []Rate `json:"rates,omitempty"`
}

// Bonus is points given once each for what a customer does besides buying.
type Bonus struct {
	FirstOrder int64 `json:"first_order,omitempty"` // with the points of their first order
	// Birthday is given on the customer's birthday, once a year: their
	// attribute "birthday", 1990-04-14 or 04-14.
	Birthday int64 `json:"birthday,omitempty"`
	Survey   int64 `json:"survey,omitempty"` // for answering a survey
	Review   int64 `json:"review,omitempty"` // for a written comment with the answer, besides
	Visit    int64 `json:"visit,omitempty"`  // for a visit logged at the shop, one a day
}

func (b Bonus) check() error {
	for _, f := range []struct {
		name string
		n    int64
	}{{"first_order", b.FirstOrder}, {"birthday", b.Birthday}, {"survey", b.Survey}, {"review", b.Review}, {"visit", b.Visit}} {
		if f.n < 0 || f.n > 1_000_000 {
			return fmt.Errorf("bonus.%s: %d is not from 0 to 1000000", f.name, f.n)
		}
	}
	return nil
}

// StampCard finds a stamp card of the programme by key.
func (p Program) StampCard(key string) (StampCard, bool) {
	for _, c := range p.StampCards {
		if c.Key == key {
			return c, true
		}
	}
	return StampCard{}, false
}

// Reward is what a customer can buy with points: a coupon for an amount or
// a share off, a free item or store credit.
type Reward struct {
	Key    string            `json:"key"`
	Name   map[string]string `json:"name"` // en, bn, ne
	Points int64             `json:"points"`
	Coupon retain.CouponSpec `json:"coupon"`
}

// Cheapest is the fewest points a reward of the catalogue costs; 0 when
// there is none.
func (p Program) Cheapest() int64 {
	var least int64
	for _, r := range p.Rewards {
		if least == 0 || r.Points < least {
			least = r.Points
		}
	}
	return least
}

// RemindBefore is how long before points expire the customer is reminded.
const RemindBefore = 30 * 24 * time.Hour

// Reward finds a reward of the catalogue by key.
func (p Program) Reward(key string) (Reward, bool) {
	for _, r := range p.Rewards {
		if r.Key == key {
			return r, true
		}
	}
	return Reward{}, false
}

// DefaultProgram is a starting point for a shop in Bangladesh: a point per
// BDT 100 kept, earned after a 7-day return window, expiring after 12
// months, worth BDT 1 each. Off until the business turns it on.
func DefaultProgram() Program {
	return Program{Currency: "BDT", EarnPer: 10000, ReturnDays: 7, ExpireMonths: 12, PointValue: 100}
}

// Check says what is wrong with the programme, naming the field.
func (p Program) Check() error {
	switch {
	case len(p.Currency) != 3:
		return fmt.Errorf("currency: %q is not a three-letter currency code", p.Currency)
	case p.EarnPer <= 0:
		return fmt.Errorf("earn_per_minor: %d is not a positive amount", p.EarnPer)
	case p.ReturnDays < 0 || p.ReturnDays > 365:
		return fmt.Errorf("return_window_days: %d is not from 0 to 365", p.ReturnDays)
	case p.ExpireMonths < 0 || p.ExpireMonths > 120:
		return fmt.Errorf("expire_months: %d is not from 0 to 120", p.ExpireMonths)
	case p.PointValue < 0:
		return fmt.Errorf("point_value_minor: %d is negative", p.PointValue)
	}
	seen := map[string]bool{}
	for i, r := range p.Rewards {
		at := fmt.Sprintf("rewards[%d].", i)
		switch {
		case !rewardKey.MatchString(r.Key) || seen[r.Key]:
			return fmt.Errorf("%skey: %q is not 1 to 40 lowercase letters, digits, - or _, once", at, r.Key)
		case r.Points <= 0 || r.Points > 10_000_000:
			return fmt.Errorf("%spoints: %d is not from 1 to 10000000", at, r.Points)
		}
		for _, l := range retain.PlaybookLocales {
			if strings.TrimSpace(r.Name[l]) == "" {
				return fmt.Errorf("%sname.%s: the %s name is missing", at, l, l)
			}
		}
		pr := retain.Problems{}
		r.Coupon.Check(pr, at+"coupon.")
		if err := pr.Err(); err != nil {
			return err
		}
		seen[r.Key] = true
	}
	if err := p.checkTiers(); err != nil {
		return err
	}
	if err := p.Bonus.check(); err != nil {
		return err
	}
	if err := p.checkCampaigns(); err != nil {
		return err
	}
	if err := p.Referral.check(); err != nil {
		return err
	}
	if err := p.checkRates(); err != nil {
		return err
	}
	cards := map[string]bool{}
	for i, c := range p.StampCards {
		if err := c.check(fmt.Sprintf("stamp_cards[%d].", i), cards); err != nil {
			return err
		}
		cards[c.Key] = true
	}
	return nil
}

var rewardKey = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// Earned is what an order earns: a point per EarnPer of what was paid and
// kept (net, in minor units, in the programme's currency).
func (p Program) Earned(net int64, currency string) int64 {
	if currency != p.Currency || net <= 0 || p.EarnPer <= 0 {
		return 0
	}
	return net / p.EarnPer
}

// ExpiresAt is when points earned at t expire; zero: never.
func (p Program) ExpiresAt(t time.Time) time.Time {
	if p.ExpireMonths == 0 {
		return time.Time{}
	}
	return t.AddDate(0, p.ExpireMonths, 0)
}

// Reversal is how many points refunds after an order earned take back:
// the share of what it earned that the refunds since (all of them so far,
// this one included: refundedSince) are of what it was earned on (basis,
// the net kept at its earning), less what earlier ones took back — so a
// return split into parts takes back what it would have taken whole, a
// refund of everything kept takes back everything, and a tier's, a
// campaign's or a product's multiplier is taken back as it was given.
func (p Program) Reversal(earned, reversed, basis, refundedSince int64) int64 {
	return max(share(earned, refundedSince, basis)-reversed, 0)
}
