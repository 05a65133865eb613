package httpapi

import (
	"bytes"
	"context"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// A customer's points, and the till's or e-shop's redemptions and the
// staff's adjustments: each with a key, so a request retried after a lost
// answer moves nothing twice.

type pointsInput struct {
	ID string `path:"id" maxLength:"200" doc:"The customer's external id."`
}

type pointsOutput struct {
	Body core.Points
}

func (a *API) getPoints(ctx context.Context, in *pointsInput) (*pointsOutput, error) {
	p, err := a.work().CustomerPoints(ctx, actorFrom(ctx), in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "get-points", err)
	}
	return &pointsOutput{Body: p}, nil
}

type redeemInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Points int64  `json:"points" minimum:"1" maximum:"10000000" doc:"Points to spend: all of them or none."`
		Key    string `json:"key" minLength:"1" maxLength:"100" doc:"Your key for the redemption (the till's receipt number): the same key again spends nothing more and answers what the first did."`
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

type moveOutput struct {
	Body core.PointsMove
}

func (a *API) redeemPoints(ctx context.Context, in *redeemInput) (*moveOutput, error) {
	m, err := a.work().RedeemPoints(ctx, actorFrom(ctx), in.ID, in.Body.Points, in.Body.Key, in.Body.Reason)
	if err != nil {
		return nil, a.apiError(ctx, "redeem-points", err)
	}
	return &moveOutput{Body: m}, nil
}

type adjustInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Points    int64      `json:"points" minimum:"-10000000" maximum:"10000000" doc:"Points to give (positive) or take (negative)."`
		Key       string     `json:"key" minLength:"1" maxLength:"100"`
		Reason    string     `json:"reason" minLength:"1" maxLength:"500" doc:"Why: kept with the entry and the staff member."`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Given points expire then; default as earned points do."`
	}
}

func (a *API) adjustPoints(ctx context.Context, in *adjustInput) (*moveOutput, error) {
	var until time.Time
	if in.Body.ExpiresAt != nil {
		until = in.Body.ExpiresAt.UTC()
	}
	m, err := a.work().AdjustPoints(ctx, actorFrom(ctx), in.ID, in.Body.Points, in.Body.Key, in.Body.Reason, until)
	if err != nil {
		return nil, a.apiError(ctx, "adjust-points", err)
	}
	return &moveOutput{Body: m}, nil
}

// Coupons: issued by staff and bought with points; a till or an e-shop
// checks one, holds it for an order, then confirms or releases the hold.
// Checking and holding are limited per API key to core.CouponGuesses codes
// a minute that are no coupon's, so codes cannot be found by trying.

type couponList struct {
	Body []core.CouponView
}

type listCouponsInput struct {
	Customer string `query:"customer_id" maxLength:"200" doc:"Only this customer's."`
	Batch    string `query:"batch" maxLength:"60" doc:"Only this batch's (all of it, for printing)."`
	Limit    int    `query:"limit" minimum:"1" maximum:"10000" default:"100"`
}

func (a *API) listCoupons(ctx context.Context, in *listCouponsInput) (*couponList, error) {
	cs, err := a.work().Coupons(ctx, actorFrom(ctx), in.Customer, in.Batch, in.Limit)
	if err != nil {
		return nil, a.apiError(ctx, "list-coupons", err)
	}
	return &couponList{Body: cs}, nil
}

type issueCouponInput struct {
	Body struct {
		retain.CouponSpec
		Code     string `json:"code,omitempty" maxLength:"40" doc:"A code of your own (a campaign's EID2026); default a random 15-character one. Your own codes can be guessed: keep them for offers meant to be shared."`
		Customer string `json:"customer_id,omitempty" maxLength:"200" doc:"The customer the coupon is for; empty: anyone with the code."`
		Key      string `json:"key" minLength:"1" maxLength:"100" doc:"Your key for the coupon: the same key again issues nothing and answers the first coupon."`
	}
}

type couponOutput struct {
	Body core.CouponView
}

func (a *API) issueCoupon(ctx context.Context, in *issueCouponInput) (*couponOutput, error) {
	c, _, err := a.work().IssueCoupon(ctx, actorFrom(ctx), core.CouponIssue{CouponSpec: in.Body.CouponSpec, Code: in.Body.Code,
		Customer: in.Body.Customer, Key: in.Body.Key})
	if err != nil {
		return nil, a.apiError(ctx, "issue-coupon", err)
	}
	return &couponOutput{Body: c}, nil
}

type generateCouponsInput struct {
	Body struct {
		Batch  string            `json:"batch" minLength:"1" maxLength:"60" doc:"The batch's name; generating it again answers the same coupons."`
		Count  int               `json:"count" minimum:"1" maximum:"10000"`
		Coupon retain.CouponSpec `json:"coupon"`
	}
}

func (a *API) generateCoupons(ctx context.Context, in *generateCouponsInput) (*couponList, error) {
	cs, err := a.work().GenerateCoupons(ctx, actorFrom(ctx), in.Body.Coupon, in.Body.Batch, in.Body.Count)
	if err != nil {
		return nil, a.apiError(ctx, "generate-coupons", err)
	}
	return &couponList{Body: cs}, nil
}

type codeInput struct {
	Code string `path:"code" maxLength:"60"`
}

func (a *API) voidCoupon(ctx context.Context, in *codeInput) (*struct{}, error) {
	if err := a.work().VoidCoupon(ctx, actorFrom(ctx), in.Code); err != nil {
		return nil, a.apiError(ctx, "void-coupon", err)
	}
	return nil, nil
}

// CouponOrder is the order a coupon is checked or held for (exported: a
// body that embeds it gets its fields).
type CouponOrder struct {
	Code     string `json:"code" minLength:"1" maxLength:"60" doc:"As the customer gives it: any case, dashes or spaces, Bengali or Devanagari digits."`
	Customer string `json:"customer_id,omitempty" maxLength:"200" doc:"The customer ordering: required for a coupon of one customer's or with a limit per customer."`
	Total    int64  `json:"total_minor" minimum:"0" doc:"The order's total before the coupon, in minor units."`
	Currency string `json:"currency" minLength:"3" maxLength:"3"`
}

func (b CouponOrder) use() core.CouponUse {
	return core.CouponUse{Code: b.Code, Customer: b.Customer, Total: b.Total, Currency: b.Currency}
}

type checkCouponInput struct {
	Body CouponOrder
}

type quoteOutput struct {
	Body core.CouponQuote
}

func (a *API) checkCoupon(ctx context.Context, in *checkCouponInput) (*quoteOutput, error) {
	var q core.CouponQuote
	err := a.guessing(ctx, func() (err error) {
		q, err = a.work().CheckCoupon(ctx, actorFrom(ctx), in.Body.use())
		return err
	})
	if err != nil {
		return nil, a.apiError(ctx, "check-coupon", err)
	}
	return &quoteOutput{Body: q}, nil
}

type holdCouponInput struct {
	Body struct {
		CouponOrder
		Key         string `json:"key" minLength:"1" maxLength:"100" doc:"Your key for the hold (the cart's or the receipt's id): the same key again holds nothing more and answers the first hold; confirm or release with it."`
		HoldMinutes int    `json:"hold_minutes,omitempty" minimum:"1" maximum:"1440" doc:"How long the coupon is kept for the order unless confirmed; default 15."`
	}
}

type redemptionOutput struct {
	Body core.CouponRedemption
}

func (a *API) holdCoupon(ctx context.Context, in *holdCouponInput) (*redemptionOutput, error) {
	var r core.CouponRedemption
	err := a.guessing(ctx, func() (err error) {
		r, err = a.work().HoldCoupon(ctx, actorFrom(ctx), in.Body.use(), in.Body.Key, time.Duration(in.Body.HoldMinutes)*time.Minute)
		return err
	})
	if err != nil {
		return nil, a.apiError(ctx, "hold-coupon", err)
	}
	return &redemptionOutput{Body: r}, nil
}

// guessing runs a coupon lookup under the caller's limit of wrong codes: a
// code that is no coupon's counts, any other answer does not.
func (a *API) guessing(ctx context.Context, lookup func() error) error {
	who, now := actorFrom(ctx).String(), a.db.Now()
	if !a.couponGuesses.Take(who, core.CouponGuesses, now) {
		return retain.Errorf(retain.ERATELIMIT, "too many codes that are not coupons: wait a minute")
	}
	err := lookup()
	if !core.GuessedCode(err) {
		a.couponGuesses.Forgive(who, now) // a coupon's code, used up or not: not a guess
	}
	return err
}

type confirmCouponInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Order string `json:"order_id,omitempty" maxLength:"200" doc:"The order the coupon was used on (your order id)."`
	}
}

func (a *API) confirmCoupon(ctx context.Context, in *confirmCouponInput) (*redemptionOutput, error) {
	r, err := a.work().ConfirmCoupon(ctx, actorFrom(ctx), in.Key, in.Body.Order)
	if err != nil {
		return nil, a.apiError(ctx, "confirm-coupon", err)
	}
	return &redemptionOutput{Body: r}, nil
}

type releaseCouponInput struct {
	Key string `path:"key" maxLength:"100"`
}

func (a *API) releaseCoupon(ctx context.Context, in *releaseCouponInput) (*redemptionOutput, error) {
	r, err := a.work().ReleaseCoupon(ctx, actorFrom(ctx), in.Key)
	if err != nil {
		return nil, a.apiError(ctx, "release-coupon", err)
	}
	return &redemptionOutput{Body: r}, nil
}

type rewardInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Reward string `json:"reward" minLength:"1" maxLength:"40" doc:"The reward's key in the catalogue."`
		Key    string `json:"key" minLength:"1" maxLength:"100" doc:"Your key: the same key again spends nothing more and answers the first coupon."`
	}
}

type rewardOutput struct {
	Body core.RewardRedemption
}

func (a *API) redeemReward(ctx context.Context, in *rewardInput) (*rewardOutput, error) {
	r, err := a.work().RedeemReward(ctx, actorFrom(ctx), in.ID, in.Body.Reward, in.Body.Key)
	if err != nil {
		return nil, a.apiError(ctx, "redeem-reward", err)
	}
	return &rewardOutput{Body: r}, nil
}

type loyaltyReportOutput struct {
	Body struct {
		store.LoyaltyFigures
		Liability int64          `json:"liability_minor" doc:"What the points outstanding are worth at the programme's point value."`
		Currency  string         `json:"currency"`
		Effect    loyalty.Effect `json:"effect" doc:"Members against comparable non-members (matched on order count, recency and average order when they joined), over the 90 days after joining."`
	}
}

func (a *API) loyaltyReport(ctx context.Context, _ *struct{}) (*loyaltyReportOutput, error) {
	out := &loyaltyReportOutput{}
	f, err := a.db.LoyaltyFigures(ctx, a.db.Now())
	if err != nil {
		return nil, a.apiError(ctx, "loyalty-report", err)
	}
	p, err := core.LoyaltyProgram(ctx, a.db)
	if err != nil {
		return nil, a.apiError(ctx, "loyalty-report", err)
	}
	e, err := core.ProgramEffect(ctx, a.db)
	if err != nil {
		return nil, a.apiError(ctx, "loyalty-report", err)
	}
	out.Body.LoyaltyFigures, out.Body.Liability, out.Body.Currency, out.Body.Effect = f, f.Live*p.PointValue, p.Currency, e
	return out, nil
}

type stampInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Card  string `json:"card" minLength:"1" maxLength:"40" doc:"The stamp card's key."`
		Count int    `json:"count,omitempty" minimum:"1" maximum:"100" default:"1"`
		Key   string `json:"key" minLength:"1" maxLength:"100" doc:"Your key (the receipt's number): the same key again adds nothing."`
	}
}

type stampOutput struct {
	Body core.StampResult
}

func (a *API) addStamps(ctx context.Context, in *stampInput) (*stampOutput, error) {
	count := in.Body.Count
	if count == 0 {
		count = 1
	}
	r, err := a.work().AddStamps(ctx, actorFrom(ctx), in.ID, in.Body.Card, count, in.Body.Key)
	if err != nil {
		return nil, a.apiError(ctx, "add-stamps", err)
	}
	return &stampOutput{Body: r}, nil
}

type cardLinkInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Send bool `json:"send,omitempty" doc:"Message the link to the customer on the first channel that reaches them."`
	}
}

type cardLinkOutput struct {
	Body struct {
		Link    string `json:"link" doc:"The card's page: 128 random bits in it; keep it as you would a password."`
		Channel string `json:"channel,omitempty" doc:"The channel it was sent on; empty when it was not."`
	}
}

func (a *API) cardLink(ctx context.Context, in *cardLinkInput) (*cardLinkOutput, error) {
	link, channel, err := a.work().CardLink(ctx, actorFrom(ctx), a.live, in.ID, in.Body.Send)
	if err != nil {
		return nil, a.apiError(ctx, "card-link", err)
	}
	out := &cardLinkOutput{}
	out.Body.Link, out.Body.Channel = link, string(channel)
	return out, nil
}

type importBalancesInput struct {
	Source  string `query:"source" minLength:"1" maxLength:"60" required:"true" doc:"Names the import: the same source again gives nobody anything twice."`
	RawBody []byte `contentType:"text/csv" doc:"customer_id, points, expires_at (YYYY-MM-DD), card, stamps"`
}

type importBalancesOutput struct {
	Body core.BalanceImport
}

func (a *API) importBalances(ctx context.Context, in *importBalancesInput) (*importBalancesOutput, error) {
	res, err := a.work().ImportBalances(ctx, actorFrom(ctx), bytes.NewReader(in.RawBody), in.Source)
	if err != nil {
		return nil, a.apiError(ctx, "import-balances", err)
	}
	return &importBalancesOutput{Body: res}, nil
}

type referralCodeInput struct {
	ID string `path:"id" maxLength:"200" doc:"The customer's external id."`
}

type referralCodeOutput struct {
	Body core.ReferralView
}

func (a *API) referralCode(ctx context.Context, in *referralCodeInput) (*referralCodeOutput, error) {
	v, err := a.work().ReferralCode(ctx, actorFrom(ctx), a.live, in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "referral-code", err)
	}
	return &referralCodeOutput{Body: v}, nil
}

type referInput struct {
	Body struct {
		Code     string `json:"code" minLength:"3" maxLength:"40" doc:"The referral code the friend came with."`
		Customer string `json:"customer_id" minLength:"1" maxLength:"200" doc:"The friend: a customer you sent first (customer.upsert)."`
	}
}

type referOutput struct {
	Body core.ReferralResult
}

func (a *API) refer(ctx context.Context, in *referInput) (*referOutput, error) {
	res, err := a.work().Refer(ctx, actorFrom(ctx), in.Body.Code, in.Body.Customer)
	if err != nil {
		return nil, a.apiError(ctx, "refer", err)
	}
	return &referOutput{Body: res}, nil
}

type referralsInput struct {
	Referrer string `query:"referrer_id" maxLength:"200" doc:"Only this customer's referrals."`
	Status   string `query:"status" enum:"pending,ordered,completed,refused" doc:"Only referrals in this state."`
	Limit    int    `query:"limit" minimum:"0" maximum:"1000" doc:"At most this many, newest first (default 100)."`
}

type referralsOutput struct {
	Body struct {
		Referrals []core.ReferralRow `json:"referrals"`
	}
}

func (a *API) referrals(ctx context.Context, in *referralsInput) (*referralsOutput, error) {
	rows, err := a.work().Referrals(ctx, actorFrom(ctx), in.Referrer, in.Status, in.Limit)
	if err != nil {
		return nil, a.apiError(ctx, "list-referrals", err)
	}
	out := &referralsOutput{}
	out.Body.Referrals = append([]core.ReferralRow{}, rows...)
	return out, nil
}
