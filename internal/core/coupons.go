package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Coupons: issued by staff (one, or a batch for a flyer), bought with
// points from the rewards catalogue, or given by a playbook step; used by a
// till or an e-shop in two steps — hold the coupon for the order, then
// confirm it with the order, or release it. A hold keeps the coupon's use
// (and for store credit the amount) until it is confirmed, released, or
// runs out (its timer releases it), so two tills at once cannot both use a
// single-use coupon. Every write is keyed: the same key again is the same
// coupon or redemption.

// CouponView is a coupon as the API and the CLI show it.
type CouponView struct {
	Code        string     `json:"code" doc:"As printed: groups of five, dashes between (typed with or without them)."`
	Kind        string     `json:"kind" enum:"amount,percent,free_item,store_credit"`
	Amount      int64      `json:"amount_minor,omitempty"`
	Percent     int        `json:"percent,omitempty"`
	Item        string     `json:"item,omitempty"`
	Currency    string     `json:"currency"`
	MinSpend    int64      `json:"min_spend_minor,omitempty"`
	MaxUses     int        `json:"max_uses" doc:"Orders that can use it in all; 0: no limit."`
	PerCustomer int        `json:"per_customer,omitempty"`
	Customer    string     `json:"customer_id,omitempty" doc:"The customer it is for; empty: anyone with the code."`
	Uses        int        `json:"uses" doc:"Held and confirmed redemptions."`
	CreditLeft  int64      `json:"credit_left_minor,omitempty" doc:"Store credit not yet held or spent."`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Source      string     `json:"source" enum:"reward,playbook,manual,batch"`
	Batch       string     `json:"batch,omitempty"`
	Reward      string     `json:"reward,omitempty"`
	Points      int64      `json:"points,omitempty" doc:"What it cost in points."`
	Void        bool       `json:"void,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Spec is what the coupon gives (store credit: what is left of it).
func (c CouponView) Spec() retain.CouponSpec {
	s := retain.CouponSpec{Kind: c.Kind, Amount: c.Amount, Percent: c.Percent, Item: c.Item, Currency: c.Currency, MinSpend: c.MinSpend}
	if c.Kind == retain.CouponStoreCredit {
		s.Amount = c.CreditLeft
	}
	return s
}

// Usable reports whether the coupon can still be used at now.
func (c CouponView) Usable(now time.Time) bool {
	return !c.Void && (c.ExpiresAt == nil || now.Before(*c.ExpiresAt)) && (c.MaxUses == 0 || c.Uses < c.MaxUses) &&
		(c.Kind != retain.CouponStoreCredit || c.CreditLeft > 0)
}

func couponView(c store.Coupon) CouponView {
	return CouponView{Code: loyalty.FormatCode(c.Code), Kind: c.Kind, Amount: c.Amount, Percent: c.Percent, Item: c.Item, Currency: c.Currency,
		MinSpend: c.MinSpend, MaxUses: c.MaxUses, PerCustomer: c.PerCustomer, Customer: c.Customer, Uses: c.Uses, CreditLeft: c.Left,
		ExpiresAt: timePtr(c.ExpiresAt), Source: c.Source, Batch: c.Batch, Reward: c.Reward, Points: c.Points, Void: !c.VoidedAt.IsZero(),
		CreatedAt: c.CreatedAt}
}

// CouponIssue is a coupon to issue by hand.
type CouponIssue struct {
	retain.CouponSpec
	Code     string // a campaign's own code (EID2026); empty: a random one
	Customer string // the customer it is for (external id); empty: anyone with the code
	Key      string // the issue's key: the same key again is the same coupon
}

// IssueCoupon issues one coupon (loyalty:manage); false when its key had
// issued it already.
func (w Work) IssueCoupon(ctx context.Context, a retain.Actor, in CouponIssue) (CouponView, bool, error) {
	if err := a.Require(retain.PermLoyaltyManage); err != nil {
		return CouponView{}, false, err
	}
	p := retain.Problems{}
	in.CouponSpec.Check(p, "")
	if in.Key == "" || len(in.Key) > 100 {
		p.Add("key", "is required, up to 100 characters")
	}
	code := loyalty.NewCode()
	if in.Code != "" {
		c, err := loyalty.NormalizeCode(in.Code)
		if err != nil {
			p.Add("code", "%v", err)
		}
		code = c
	}
	if err := p.Err(); err != nil {
		return CouponView{}, false, err
	}
	var customer int64
	if in.Customer != "" {
		c, err := w.DB.GetCustomer(ctx, in.Customer)
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			return CouponView{}, false, retain.FieldError("customer_id", "no customer %q", in.Customer)
		}
		if err != nil {
			return CouponView{}, false, err
		}
		customer = c.ID
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return CouponView{}, false, err
	}
	var out store.Coupon
	var created bool
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		out, created, err = issueCoupon(ctx, tx, program, in.CouponSpec, store.Coupon{Code: code, CustomerID: customer, Source: "manual",
			Op: "manual:" + in.Key, StaffID: staffOf(a)})
		if err != nil || !created {
			return err
		}
		return tx.Audit(ctx, a, "coupon.issue", "coupon:"+loyalty.FormatCode(out.Code), couponTerms(out))
	})
	if retain.ErrorCode(err) == retain.ECONFLICT {
		return CouponView{}, false, retain.FieldError("code", "is taken by another coupon")
	}
	return couponView(out), created, err
}

// GenerateCoupons issues a batch of count open coupons on the same terms,
// each with its own random code (a flyer's, a fair's); generating the same
// batch again returns the same coupons and issues none (as many as were
// asked the first time, or more if more are asked now).
func (w Work) GenerateCoupons(ctx context.Context, a retain.Actor, spec retain.CouponSpec, batch string, count int) ([]CouponView, error) {
	if err := a.Require(retain.PermLoyaltyManage); err != nil {
		return nil, err
	}
	p := retain.Problems{}
	spec.Check(p, "")
	if batch == "" || len(batch) > 60 || strings.ContainsAny(batch, ": \t\n") {
		p.Add("batch", "is required: up to 60 characters, no spaces or colons")
	}
	if count < 1 || count > MaxCouponBatch {
		p.Add("count", "must be from %d to %d", 1, MaxCouponBatch)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	out, issued := make([]CouponView, 0, count), 0
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		out, issued = out[:0], 0
		for i := range count {
			c, created, err := issueCoupon(ctx, tx, program, spec, store.Coupon{Code: loyalty.NewCode(), Source: "batch", Batch: batch,
				Op: fmt.Sprintf("batch:%s:%d", batch, i+1), StaffID: staffOf(a)})
			if err != nil {
				return err
			}
			if created {
				issued++
			}
			out = append(out, couponView(c))
		}
		if issued == 0 {
			return nil
		}
		return tx.Audit(ctx, a, "coupon.generate", "batch:"+batch, fmt.Sprintf("count=%d %s", issued, spec.Terms()))
	})
	return out, err
}

// MaxCouponBatch is the most coupons one batch issues at once.
const MaxCouponBatch = 10_000

// issueCoupon stores a coupon on spec's terms (the programme's currency
// when spec names none), once per c.Op.
func issueCoupon(ctx context.Context, tx *store.Tx, program loyalty.Program, spec retain.CouponSpec, c store.Coupon) (store.Coupon, bool, error) {
	c.Kind, c.Amount, c.Percent, c.Item, c.MinSpend = spec.Kind, spec.Amount, spec.Percent, spec.Item, spec.MinSpend
	c.Currency = strings.ToUpper(spec.Currency)
	if c.Currency == "" {
		c.Currency = program.Currency
	}
	c.MaxUses, c.PerCustomer, c.ExpiresAt = spec.UseLimit(), spec.PerCustomer, spec.ExpiresAt(tx.Now())
	return tx.InsertCoupon(ctx, c)
}

// couponTerms is a coupon's terms for the audit log.
func couponTerms(c store.Coupon) string {
	return retain.CouponSpec{Kind: c.Kind, Amount: c.Amount, Percent: c.Percent, Item: c.Item, Currency: c.Currency}.Terms()
}

func staffOf(a retain.Actor) int64 {
	if a.Kind == retain.ActorStaff {
		return a.ID
	}
	return 0
}

// Coupons lists coupons (customers:read): a customer's, a batch's, or the
// latest.
func (w Work) Coupons(ctx context.Context, a retain.Actor, customer, batch string, limit int) ([]CouponView, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return nil, err
	}
	f := store.CouponFilter{Batch: batch, Limit: min(max(limit, 1), MaxCouponBatch)}
	if customer != "" {
		c, err := w.DB.GetCustomer(ctx, customer)
		if err != nil {
			return nil, err
		}
		f.CustomerID = c.ID
	}
	rows, err := w.DB.Coupons(ctx, f)
	out := make([]CouponView, len(rows))
	for i, c := range rows {
		out[i] = couponView(c)
	}
	return out, err
}

// VoidCoupon stops a coupon from being used (loyalty:manage); a hold made
// before can still be confirmed.
func (w Work) VoidCoupon(ctx context.Context, a retain.Actor, code string) error {
	if err := a.Require(retain.PermLoyaltyManage); err != nil {
		return err
	}
	norm, err := loyalty.NormalizeCode(code)
	if err != nil {
		return retain.FieldError("code", "%v", err)
	}
	return w.DB.WithTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockCoupon(ctx, norm)
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			return retain.FieldError("code", "no such coupon")
		}
		if err != nil {
			return err
		}
		if voided, err := tx.VoidCoupon(ctx, c.ID); err != nil || !voided {
			return err
		}
		return tx.Audit(ctx, a, "coupon.void", "coupon:"+loyalty.FormatCode(c.Code), couponTerms(c))
	})
}

// CouponGuesses is how many codes that are no coupon's one caller (an API
// key, a staff member at the counter) may try in a minute: enough for
// typing mistakes, far too few to find a code by trying.
const CouponGuesses = 30

// GuessedCode reports whether err refused a code that is no coupon's (or
// cannot be one): what counts against CouponGuesses. A real coupon's
// refusal (used up, expired) does not.
func GuessedCode(err error) bool {
	re, ok := errors.AsType[*retain.Error](err)
	return ok && slices.Contains([]string{"no_coupon", "code_character", "code_length"}, re.Fields["code"].Code)
}

// CouponUse is an order a coupon is to be used on.
type CouponUse struct {
	Code     string
	Customer string // the customer's external id; required for a coupon of one customer's, or one with a limit per customer
	Total    int64  // the order's total before the coupon, minor units
	Currency string
}

// CouponQuote is what a coupon would give an order.
type CouponQuote struct {
	Code       string     `json:"code"`
	Kind       string     `json:"kind"`
	Discount   int64      `json:"discount_minor" doc:"What it takes off the order's total."`
	Item       string     `json:"item,omitempty" doc:"The item to give free."`
	Currency   string     `json:"currency"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	UsesLeft   int        `json:"uses_left" doc:"Orders that can still use it; -1: no limit."`
	CreditLeft int64      `json:"credit_left_minor,omitempty"`
}

// CheckCoupon says what a coupon would take off an order, or why it
// cannot be used on it (loyalty:redeem), without holding it.
func (w Work) CheckCoupon(ctx context.Context, a retain.Actor, use CouponUse) (CouponQuote, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return CouponQuote{}, err
	}
	var q CouponQuote
	err := w.DB.WithTx(ctx, func(tx *store.Tx) error {
		c, _, err := w.usableCoupon(ctx, tx, use)
		q = quote(c, use.Total)
		return err
	})
	return q, err
}

// usableCoupon locks the coupon and checks it can be used on the order by
// its customer, releasing its holds that ran out first; the problem, when
// it cannot, names the field.
func (w Work) usableCoupon(ctx context.Context, tx *store.Tx, use CouponUse) (store.Coupon, int64, error) {
	p := retain.Problems{}
	code, err := loyalty.NormalizeCode(use.Code)
	if err != nil {
		p.Add("code", "%v", err)
	}
	if use.Total < 0 {
		p.Add("total_minor", "must not be negative")
	}
	if len(use.Currency) != 3 {
		p.Add("currency", "%q is not a three-letter currency code", use.Currency)
	}
	if err := p.Err(); err != nil {
		return store.Coupon{}, 0, err
	}
	var customer int64
	if use.Customer != "" {
		c, err := tx.CustomerByExternalID(ctx, use.Customer)
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			return store.Coupon{}, 0, retain.FieldError("customer_id", "no customer %q", use.Customer)
		}
		if err != nil {
			return store.Coupon{}, 0, err
		}
		customer = c
	}
	c, err := tx.LockCoupon(ctx, code)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return c, 0, retain.FieldError("code", "no such coupon")
	}
	if err != nil {
		return c, 0, err
	}
	if err := releaseExpired(ctx, tx, &c); err != nil {
		return c, 0, err
	}
	now := tx.Now()
	switch {
	case !c.VoidedAt.IsZero():
		return c, 0, retain.FieldError("code", "is void")
	case !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt):
		return c, 0, retain.FieldError("code", "expired on %s", c.ExpiresAt.UTC().Format(time.DateOnly))
	case c.CustomerID != 0 && customer == 0, c.PerCustomer > 0 && customer == 0:
		return c, 0, retain.FieldError("customer_id", "is required for this coupon")
	case c.CustomerID != 0 && c.CustomerID != customer:
		return c, 0, retain.FieldError("code", "is another customer's")
	case (c.Amount > 0 || c.MinSpend > 0) && !strings.EqualFold(use.Currency, c.Currency): // a share off, or an item, is any currency's
		return c, 0, retain.FieldError("currency", "is not the coupon's %s", c.Currency)
	case use.Total < c.MinSpend:
		return c, 0, retain.FieldError("total_minor", "is below the coupon's minimum spend of %s", retain.FormatAmount(c.MinSpend, c.Currency))
	case c.MaxUses > 0 && c.Uses >= c.MaxUses, c.Kind == retain.CouponStoreCredit && c.Left == 0:
		return c, 0, retain.FieldError("code", "is used up")
	}
	if c.PerCustomer > 0 {
		n, err := tx.CustomerCouponUses(ctx, c.ID, customer)
		if err != nil {
			return c, 0, err
		}
		if n >= c.PerCustomer {
			return c, 0, retain.FieldError("code", "is used up for this customer (%d of %d)", n, c.PerCustomer)
		}
	}
	return c, customer, nil
}

func quote(c store.Coupon, total int64) CouponQuote {
	q := CouponQuote{Code: loyalty.FormatCode(c.Code), Kind: c.Kind, Item: c.Item, Currency: c.Currency, ExpiresAt: timePtr(c.ExpiresAt),
		Discount: loyalty.Discount(c.Kind, c.Amount, c.Percent, c.Left, total), UsesLeft: -1}
	if c.MaxUses > 0 {
		q.UsesLeft = c.MaxUses - c.Uses
	}
	if c.Kind == retain.CouponStoreCredit {
		q.CreditLeft = c.Left
	}
	return q
}

// releaseExpired releases a locked coupon's holds that ran out (their
// timers may not have fired yet), so a till that never confirmed does not
// keep the coupon from the next customer.
func releaseExpired(ctx context.Context, tx *store.Tx, c *store.Coupon) error {
	holds, err := tx.ExpiredHolds(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, r := range holds {
		if _, err := tx.EndRedemption(ctx, r, "released", "", c.Kind == retain.CouponStoreCredit); err != nil {
			return err
		}
	}
	if len(holds) > 0 {
		*c, err = tx.LockCouponID(ctx, c.ID)
	}
	return err
}

// CouponRedemption is a coupon held for an order, or used on it.
type CouponRedemption struct {
	Key       string     `json:"key"`
	Status    string     `json:"status" enum:"held,confirmed,released"`
	Order     string     `json:"order_id,omitempty"`
	HeldUntil *time.Time `json:"held_until,omitempty" doc:"A held coupon is released then unless confirmed."`
	Replayed  bool       `json:"replayed" doc:"The key was used before: this is what it did."`
	CouponQuote
}

// Holds last this long unless asked otherwise, and at most MaxHold.
const (
	DefaultHold = 15 * time.Minute
	MaxHold     = 24 * time.Hour
)

// HoldCoupon reserves a coupon for an order (loyalty:redeem): checked as
// CheckCoupon does, then its use (and for store credit, the discount) is
// kept for the order until ConfirmCoupon or ReleaseCoupon, or for hold.
// The same key again holds nothing more and answers the first hold.
func (w Work) HoldCoupon(ctx context.Context, a retain.Actor, use CouponUse, key string, hold time.Duration) (CouponRedemption, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return CouponRedemption{}, err
	}
	if key == "" || len(key) > 100 {
		return CouponRedemption{}, retain.FieldError("key", "is required, up to 100 characters")
	}
	if hold == 0 {
		hold = DefaultHold
	}
	if hold < time.Minute || hold > MaxHold {
		return CouponRedemption{}, retain.FieldError("hold_minutes", "must be from %d to %d", 1, int(MaxHold/time.Minute))
	}
	var out CouponRedemption
	err := w.DB.WithTx(ctx, func(tx *store.Tx) error {
		if r, ok, err := tx.Redemption(ctx, key); err != nil || ok {
			if err != nil {
				return err
			}
			if code, _ := loyalty.NormalizeCode(use.Code); code != r.Code {
				return retain.FieldError("key", "was used to hold another coupon")
			}
			c, err := tx.LockCouponID(ctx, r.CouponID)
			out = redemptionView(r, c, true)
			return err
		}
		c, customer, err := w.usableCoupon(ctx, tx, use)
		if err != nil {
			return err
		}
		q := quote(c, use.Total)
		r, err := tx.HoldCoupon(ctx, store.CouponRedemption{CouponID: c.ID, Code: c.Code, CustomerID: customer, Key: key, Total: use.Total,
			Discount: q.Discount, HeldUntil: tx.Now().Add(hold)}, c.Kind == retain.CouponStoreCredit)
		if err != nil {
			return err
		}
		if err := tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("coupon:hold:%d", r.ID), Kind: store.TimerCouponHold, SubjectID: r.ID,
			CustomerID: customer, DueAt: r.HeldUntil}); err != nil {
			return err
		}
		c, err = tx.LockCouponID(ctx, c.ID)
		out = redemptionView(r, c, false)
		return err
	})
	if errors.Is(err, store.ErrCouponUsedUp) {
		return CouponRedemption{}, retain.FieldError("code", "is used up")
	}
	return out, err
}

func redemptionView(r store.CouponRedemption, c store.Coupon, replayed bool) CouponRedemption {
	q := quote(c, r.Total)
	q.Discount = r.Discount
	out := CouponRedemption{Key: r.Key, Status: r.Status, Order: r.OrderRef, Replayed: replayed, CouponQuote: q}
	if r.Status == "held" {
		out.HeldUntil = timePtr(r.HeldUntil)
	}
	return out
}

// ConfirmCoupon uses a held coupon on the order (loyalty:redeem): the hold
// becomes a redemption for good. Confirming again answers the same; a hold
// released (by the caller or because it ran out) cannot be confirmed.
func (w Work) ConfirmCoupon(ctx context.Context, a retain.Actor, key, order string) (CouponRedemption, error) {
	if len(order) > 200 {
		return CouponRedemption{}, retain.FieldError("order_id", "is longer than %d characters", 200)
	}
	return w.endHold(ctx, a, key, "confirmed", order)
}

// ReleaseCoupon gives a held coupon back (loyalty:redeem): the order was
// abandoned, or the coupon taken off it. Releasing again answers the same;
// a confirmed coupon cannot be released (a refund is a new order's
// business).
func (w Work) ReleaseCoupon(ctx context.Context, a retain.Actor, key string) (CouponRedemption, error) {
	return w.endHold(ctx, a, key, "released", "")
}

func (w Work) endHold(ctx context.Context, a retain.Actor, key, status, order string) (CouponRedemption, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return CouponRedemption{}, err
	}
	var out CouponRedemption
	err := w.DB.WithTx(ctx, func(tx *store.Tx) error {
		r, ok, err := tx.Redemption(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			return retain.FieldError("key", "no coupon is held with this key")
		}
		c, err := tx.LockCouponID(ctx, r.CouponID) // then read it again under the lock
		if err != nil {
			return err
		}
		if r, _, err = tx.RedemptionByID(ctx, r.ID); err != nil {
			return err
		}
		switch {
		case r.Status == status:
			out = redemptionView(r, c, true)
			return nil
		case r.Status == "confirmed":
			return retain.FieldError("key", "the coupon is used on an order already")
		case r.Status == "released":
			return retain.FieldError("key", "the hold is released: hold the coupon again")
		}
		if _, err := tx.EndRedemption(ctx, r, status, order, c.Kind == retain.CouponStoreCredit); err != nil {
			return err
		}
		if r, _, err = tx.RedemptionByID(ctx, r.ID); err != nil {
			return err
		}
		c, err = tx.LockCouponID(ctx, c.ID)
		out = redemptionView(r, c, false)
		return err
	})
	return out, err
}

// releaseHold is a hold's timer: a coupon held and neither confirmed nor
// released by now is released.
func releaseHold(ctx context.Context, tx *store.Tx, t store.Timer) error {
	r, ok, err := tx.RedemptionByID(ctx, t.SubjectID)
	if err != nil || !ok || r.Status != "held" {
		return err
	}
	c, err := tx.LockCouponID(ctx, r.CouponID)
	if err != nil {
		return err
	}
	return releaseExpired(ctx, tx, &c)
}

// RewardRedemption is a reward bought with points: the coupon it is.
type RewardRedemption struct {
	Reward   string     `json:"reward"`
	Points   int64      `json:"points" doc:"Points spent."`
	Balance  int64      `json:"balance" doc:"The balance after it."`
	Coupon   CouponView `json:"coupon"`
	Replayed bool       `json:"replayed"`
}

// RedeemReward buys a reward of the catalogue with a customer's points
// (loyalty:redeem): the points are spent and the reward's coupon, for the
// customer alone, issued in one transaction — all or nothing, once per key.
func (w Work) RedeemReward(ctx context.Context, a retain.Actor, ref, reward, key string) (RewardRedemption, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return RewardRedemption{}, err
	}
	if key == "" || len(key) > 100 {
		return RewardRedemption{}, retain.FieldError("key", "is required, up to 100 characters")
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return RewardRedemption{}, err
	}
	rw, ok := program.Reward(reward)
	if !ok {
		return RewardRedemption{}, retain.FieldError("reward", "no reward %q in the catalogue", reward)
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return RewardRedemption{}, retain.FieldError("customer_id", "no customer %q", ref)
	}
	if err != nil {
		return RewardRedemption{}, err
	}
	out := RewardRedemption{Reward: reward}
	op := "reward:" + key
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		n, err := debit(ctx, tx, debitOf{customer: c.ID, kind: "redeem", op: op, points: rw.Points, staff: staffOf(a),
			reason: "reward " + reward, replayed: &out.Replayed})
		if err != nil {
			return err
		}
		coupon, _, err := issueCoupon(ctx, tx, program, rw.Coupon, store.Coupon{Code: loyalty.NewCode(), CustomerID: c.ID, Source: "reward",
			Op: op, Reward: reward, Points: n, StaffID: staffOf(a)})
		if err != nil {
			return err
		}
		out.Points, out.Coupon = n, couponView(coupon)
		if !out.Replayed {
			if err := tx.Audit(ctx, a, "loyalty.reward", "customer:"+ref, fmt.Sprintf("reward=%s points=%d key=%s", reward, n, key)); err != nil {
				return err
			}
		}
		out.Balance, err = tx.LockLoyalty(ctx, c.ID)
		return err
	})
	if errors.Is(err, store.ErrNotEnoughPoints) {
		return RewardRedemption{}, retain.FieldError("reward", "costs %d points; the customer can spend %d", rw.Points, w.spendable(ctx, c.ID))
	}
	return out, err
}
