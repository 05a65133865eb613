package core

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Tiers (loyalty.Tier): an order's earning moves its customer up at once
// when the points of the window reach a higher tier; the review timer at
// the end of the period plus the grace moves them to the tier their
// window's points reach then — down, or not — and starts a new period.

// tierOf is the customer's tier's position (-1: none, or no tiers).
func tierOf(ctx context.Context, tx *store.Tx, p loyalty.Program, customerID int64) (int, error) {
	if len(p.Tiers) == 0 {
		return -1, nil
	}
	t, err := tx.CustomerTier(ctx, customerID)
	return p.TierIndex(t.Tier), err
}

// tierUp moves the customer up at once to the tier the window's points
// reach, if it is higher than theirs (a first tier for a new member), and
// returns the near_tier alert when the points are within a fifth of the
// tier after.
func tierUp(ctx context.Context, tx *store.Tx, p loyalty.Program, customerID int64) (*retain.Alert, error) {
	if len(p.Tiers) == 0 {
		return nil, nil
	}
	cur, err := tierOf(ctx, tx, p, customerID)
	if err != nil {
		return nil, err
	}
	earned, err := tierMeasure(ctx, tx, p, customerID, tx.Now())
	if err != nil {
		return nil, err
	}
	target := p.TierFor(earned)
	if target > cur {
		if err := setTier(ctx, tx, p, customerID, target); err != nil {
			return nil, err
		}
	}
	at := max(target, cur) + 1
	if at >= len(p.Tiers) || earned*5 < p.Threshold(at)*4 || p.TierBy == loyalty.TierBySpend {
		return nil, nil // the nudge speaks of points: a tier by spend has none to name
	}
	next := p.Tiers[at]
	togo := next.MinPoints - earned
	return &retain.Alert{CustomerID: customerID, Type: retain.AlertOpportunity, Reason: "near_tier", Severity: retain.SeverityLow,
		Source: fmt.Sprintf("tier:%d:%s", customerID, next.Key), SignalAt: tx.Now(), DueAt: tx.Now().Add(72 * time.Hour),
		Title: fmt.Sprintf("%d points from %s", togo, next.Name["en"]), Detail: fmt.Sprintf("%d points earned in the window", earned),
		DetailKey: "alertdetail.near_tier", DetailArgs: map[string]any{"points": togo}}, nil
}

// reviewTier is a tier's review timer: the tier the window's points reach
// now, for a new period.
func reviewTier(ctx context.Context, tx *store.Tx, p loyalty.Program, t store.Timer) error {
	if len(p.Tiers) == 0 {
		return nil
	}
	cur, err := tx.CustomerTier(ctx, t.CustomerID)
	if err != nil || cur.Tier == "" || tx.Now().Before(cur.ReviewAt) {
		return err // moved up since: a later review is set
	}
	earned, err := tierMeasure(ctx, tx, p, t.CustomerID, tx.Now())
	if err != nil {
		return err
	}
	return setTier(ctx, tx, p, t.CustomerID, p.TierFor(earned))
}

// tierReader is a transaction or the store: what reads a tier's window.
type tierReader interface {
	EarnedSince(ctx context.Context, customerID int64, since time.Time) (int64, error)
	SpentSince(ctx context.Context, customerID int64, since, until time.Time, currency string) (int64, error)
}

// tierMeasure is what the customer's window up to now holds towards a
// tier: the points earned, or the net spent in the programme's currency on
// the orders whose return window is over (what they kept, as points are).
func tierMeasure(ctx context.Context, r tierReader, p loyalty.Program, customerID int64, now time.Time) (int64, error) {
	since := now.AddDate(0, -p.TierMonths, 0)
	if p.TierBy == loyalty.TierBySpend {
		return r.SpentSince(ctx, customerID, since, now.AddDate(0, 0, -p.ReturnDays), p.Currency)
	}
	return r.EarnedSince(ctx, customerID, since)
}

// setTier puts the customer in a tier for a period and sets its review;
// a move up or down (not a new member's first tier, nor a review that
// keeps the tier) is a tier.changed change for the playbooks.
func setTier(ctx context.Context, tx *store.Tx, p loyalty.Program, customerID int64, tier int) error {
	now := tx.Now()
	was, err := tx.CustomerTier(ctx, customerID)
	if err != nil {
		return err
	}
	review := now.AddDate(0, p.TierMonths, 0)
	if err := tx.SetCustomerTier(ctx, customerID, store.LoyaltyTier{Tier: p.Tiers[tier].Key, Since: now, ReviewAt: review}); err != nil {
		return err
	}
	due := review.AddDate(0, 0, p.TierGraceDays)
	if err := tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("loyalty:tier:%d:%d", customerID, due.Unix()), Kind: store.TimerLoyaltyTier,
		SubjectID: customerID, CustomerID: customerID, DueAt: due}); err != nil {
		return err
	}
	from := p.TierIndex(was.Tier)
	if from == tier || (from < 0 && tier == 0) {
		return nil
	}
	move := "up"
	if tier < from {
		move = "down"
	}
	return tx.AppendChange(ctx, store.Change{Kind: store.ChangeTierChanged, SubjectID: customerID, CustomerID: customerID, Detail: move})
}

// TierView is a customer's tier and the way to the next.
type TierView struct {
	Tier       string     `json:"tier"`
	Name       string     `json:"name"`
	Multiplier float64    `json:"multiplier"`
	By         string     `json:"by" doc:"What reaches a tier: points (earned) or spend (net paid, in minor units)."`
	Earned     int64      `json:"earned_in_window" doc:"Points earned (or minor units spent, by spend) in the tier's window."`
	ReviewAt   *time.Time `json:"review_at,omitempty" doc:"When the tier is next reviewed (after the grace)."`
	Next       string     `json:"next,omitempty"`
	NextName   string     `json:"next_name,omitempty"`
	ToNext     int64      `json:"to_next,omitempty" doc:"Points (or minor units spent, by spend) more to the next tier."`
	Currency   string     `json:"currency,omitempty" doc:"By spend: the currency spent."`
}

// customerTierView reads the customer's tier in a language; nil when the
// programme has no tiers.
func customerTierView(ctx context.Context, db *store.DB, p loyalty.Program, customerID int64, lang string) (*TierView, error) {
	if len(p.Tiers) == 0 {
		return nil, nil
	}
	cur, err := db.CustomerTier(ctx, customerID)
	if err != nil {
		return nil, err
	}
	earned, err := tierMeasure(ctx, db, p, customerID, db.Now())
	if err != nil {
		return nil, err
	}
	i := max(p.TierIndex(cur.Tier), 0)
	t := p.Tiers[i]
	v := &TierView{Tier: t.Key, Name: RewardName(t.Name, lang), Multiplier: t.Multiplier, By: cmp.Or(p.TierBy, loyalty.TierByPoints),
		Earned: earned, ReviewAt: timePtr(cur.ReviewAt)}
	if v.By == loyalty.TierBySpend {
		v.Currency = p.Currency
	}
	if i+1 < len(p.Tiers) {
		n := p.Tiers[i+1]
		v.Next, v.NextName, v.ToNext = n.Key, RewardName(n.Name, lang), max(p.Threshold(i+1)-earned, 0)
	}
	return v, nil
}

// CustomerTier is a customer's tier in a language (customers:read); nil
// when the programme has no tiers.
func (w Work) CustomerTier(ctx context.Context, a retain.Actor, customerID int64, lang string) (*TierView, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return nil, err
	}
	p, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	return customerTierView(ctx, w.DB, p, customerID, lang)
}
