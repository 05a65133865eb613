package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// The demo's points programme: switched on fifteen months before the
// demo's today and run over them week by week on the real path — orders earn by
// their timers at the end of the return window (less what came back),
// lots expire after twelve months, customers buy rewards with their points
// and use most of the coupons at their next visit — so `serve --demo`
// shows a programme with a history and `retain loyalty verify` has a
// ledger to check.

// LoyaltyStats counts what the demo's programme did.
type LoyaltyStats struct {
	Weeks, Rewards, CouponsUsed int
	Referrals, ReferralsRefused int // friends signed up with a regular's link; refused at once (self)
	WelcomeUsed                 int // friends' welcome coupons used on their first order
}

// Program is the demo's: a point per BDT 100 kept, rewards from free
// delivery to 10% off, tiers, refer-a-friend and a tea stamp card.
// (Pohela Boishakh's double points are added by Loyalty: their dates are
// the demo year's.)
func Program() loyalty.Program {
	p := loyalty.DefaultProgram()
	p.Enabled = true
	p.Rewards = []loyalty.Reward{
		{Key: "delivery", Name: map[string]string{"en": "Free home delivery", "bn": "ফ্রি হোম ডেলিভারি", "ne": "निःशुल्क होम डेलिभरी"}, Points: 60,
			Coupon: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Home delivery", ValidDays: 60}},
		{Key: "taka-100", Name: map[string]string{"en": "BDT 100 off", "bn": "১০০ টাকা ছাড়", "ne": "१०० टाका छुट"}, Points: 100,
			Coupon: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 10000, MinSpend: 50000, ValidDays: 60}},
		{Key: "ten-percent", Name: map[string]string{"en": "10% off an order", "bn": "একটি অর্ডারে ১০% ছাড়", "ne": "एउटा अर्डरमा १०% छुट"}, Points: 250,
			Coupon: retain.CouponSpec{Kind: retain.CouponPercent, Percent: 10, ValidDays: 30}},
	}
	// Tiers by the points of the last twelve months, a month's grace.
	p.TierMonths, p.TierGraceDays = 12, 30
	p.Tiers = []loyalty.Tier{
		{Key: "member", Name: map[string]string{"en": "Member", "bn": "সদস্য", "ne": "सदस्य"}, Multiplier: 1},
		{Key: "silver", Name: map[string]string{"en": "Silver", "bn": "সিলভার", "ne": "सिल्भर"}, MinPoints: 150, Multiplier: 1.25},
		{Key: "gold", Name: map[string]string{"en": "Gold", "bn": "গোল্ড", "ne": "गोल्ड"}, MinPoints: 500, Multiplier: 1.5},
	}
	// Refer a friend: BDT 150 off the friend's first order, and points to
	// both once they keep it; at most five rewarded a month.
	p.Referral = &loyalty.Referral{Enabled: true, ReferrerPoints: 100, FriendPoints: 50, MaxPerMonth: 5,
		FriendCoupon: &retain.CouponSpec{Kind: retain.CouponAmount, Amount: 15000, MinSpend: 50000, ValidDays: 30}}
	// A tea card: every packet of tea a stamp, the sixth packet free.
	p.StampCards = []loyalty.StampCard{{Key: "tea", Name: map[string]string{"en": "Tea card", "bn": "চা কার্ড", "ne": "चिया कार्ड"}, Stamps: 5,
		Per: loyalty.StampPerItem, Categories: []string{"tea"}, Reward: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Sylhet tea 500g", ValidDays: 60}}}
	return p
}

// Loyalty runs the demo's programme over the fifteen months before asOf. The
// database's clock is moved week by week for it and put back after.
func Loyalty(ctx context.Context, db *store.DB, asOf time.Time, seed uint64) (LoyaltyStats, error) {
	var st LoyaltyStats
	by := retain.System("demo")
	// What the change log holds was before the programme: consumed with it
	// off, so that only the backfill below earns.
	if _, err := core.ConsumeLoyalty(ctx, db); err != nil {
		return st, err
	}
	clock := db.Now
	defer func() { db.Now = clock }()
	// Fifteen months: the first three months' points expire before today.
	start, now := asOf.AddDate(0, -15, 0), asOf
	db.Now = func() time.Time { return now }
	program := Program()
	program.Campaigns = []loyalty.Campaign{boishakh(asOf)}
	if err := core.SaveLoyaltyProgram(ctx, db, by, program); err != nil {
		return st, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x10a1))
	work := core.Work{DB: db}
	if err := referrals(ctx, db, rng, start, asOf, func(t time.Time) { now = t }, &st); err != nil {
		return st, err
	}
	now = asOf
	// Every order since the start gets its earning timer, and every
	// referral its friend's first order; the weeks below fire them as they
	// fall due.
	if _, err := core.BackfillLoyalty(ctx, db, by, start); err != nil {
		return st, err
	}
	only := core.DetectOptions{TimerKinds: []string{store.TimerLoyaltyEarn, store.TimerLoyaltyExpire, store.TimerCouponHold, store.TimerLoyaltyTier, store.TimerReferral}}
	for now = start.AddDate(0, 0, 7); now.Before(asOf); now = now.AddDate(0, 0, 7) {
		st.Weeks++
		var ds core.DetectStats
		if err := core.FireTimers(ctx, db, only, &ds); err != nil {
			return st, err
		}
		holders, err := db.PointsHolders(ctx, program.Rewards[0].Points, 500)
		if err != nil {
			return st, err
		}
		for _, h := range holders {
			if rng.Float64() > 0.12 { // most save up; a few spend each week
				continue
			}
			var choice loyalty.Reward
			for _, r := range program.Rewards { // the dearest they can afford, mostly
				if r.Points <= h.Balance && (choice.Key == "" || rng.Float64() < 0.6) {
					choice = r
				}
			}
			key := fmt.Sprintf("demo-%s-%d", h.ExternalID, st.Weeks)
			rw, err := work.RedeemReward(ctx, by, h.ExternalID, choice.Key, key)
			if err != nil {
				return st, err
			}
			st.Rewards++
			if rng.Float64() < 0.25 { // kept for later, and some of those run out
				continue
			}
			total := int64(60000 + rng.IntN(250000))
			use := core.CouponUse{Code: rw.Coupon.Code, Customer: h.ExternalID, Total: total, Currency: rw.Coupon.Currency}
			if _, err := work.HoldCoupon(ctx, by, use, key, 0); err != nil {
				return st, err
			}
			if _, err := work.ConfirmCoupon(ctx, by, key, "till"); err != nil {
				return st, err
			}
			st.CouponsUsed++
		}
	}
	now = asOf
	var ds core.DetectStats
	if err := core.FireTimers(ctx, db, only, &ds); err != nil {
		return st, err
	}
	// The "enough for a reward" alerts of the months gone by were the shop's
	// to act on then: resolved, as the rest of the demo's history is; the
	// last fortnight's stay open for the inbox.
	old, err := db.Alerts(ctx, store.AlertFilter{Reason: "reward_available", Limit: 100_000})
	if err != nil {
		return st, err
	}
	for _, a := range old {
		if a.SignalAt.Before(asOf.Add(-store.StaleAfter)) {
			if err := db.ResolveAlert(ctx, by, a.ID, "the customer was told at the counter"); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

// boishakh is double points over the week of the last Pohela Boishakh
// (14 April) before asOf.
func boishakh(asOf time.Time) loyalty.Campaign {
	year := asOf.Year()
	if asOf.Before(time.Date(year, time.April, 21, 0, 0, 0, 0, time.UTC)) {
		year--
	}
	from := time.Date(year, time.April, 14, 0, 0, 0, 0, time.UTC)
	return loyalty.Campaign{Key: "boishakh", Name: map[string]string{"en": "Pohela Boishakh double points", "bn": "পহেলা বৈশাখে দ্বিগুণ পয়েন্ট", "ne": "पहिलो बैशाखमा दोब्बर पोइन्ट"},
		From: from.Format(time.DateOnly), To: from.AddDate(0, 0, 6).Format(time.DateOnly), Multiplier: 2}
}

// referrals signs up about one new buyer in ten with a regular's link a few
// days before their first order, on the real path (the clock set to then):
// most use their welcome coupon on that order, and when its return window
// ends the weekly timers complete the referral — or refuse it, for an order
// that came back or past the referrer's monthly cap. Now and then a regular
// tries their own link and is refused.
func referrals(ctx context.Context, db *store.DB, rng *rand.Rand, start, asOf time.Time, setNow func(time.Time), st *LoyaltyStats) error {
	by, work, live := retain.System("demo"), core.Work{DB: db}, &core.LiveSettings{DB: db}
	regulars, err := db.FirstBuyers(ctx, time.Time{}, start)
	if err != nil || len(regulars) == 0 {
		return err
	}
	friends, err := db.FirstBuyers(ctx, start.AddDate(0, 0, 7), asOf.AddDate(0, 0, -3))
	if err != nil {
		return err
	}
	for _, f := range friends {
		if rng.Float64() > 0.1 {
			continue
		}
		r := regulars[rng.IntN(len(regulars))]
		setNow(f.First.Add(-time.Duration(1+rng.IntN(5)) * 24 * time.Hour))
		code, err := work.ReferralCode(ctx, by, live, r.ExternalID)
		if err != nil {
			return err
		}
		if rng.Float64() < 0.1 {
			if _, err := work.Refer(ctx, by, code.Code, r.ExternalID); err != nil {
				return err
			}
			st.ReferralsRefused++
		}
		res, err := work.Refer(ctx, by, code.Code, f.ExternalID)
		if err != nil {
			return err
		}
		st.Referrals++
		if res.CouponCode == "" || rng.Float64() < 0.3 {
			continue
		}
		setNow(f.First)
		use := core.CouponUse{Code: res.CouponCode, Customer: f.ExternalID, Total: 50000 + int64(rng.IntN(200000)), Currency: "BDT"}
		key := "demo-welcome-" + f.ExternalID
		if _, err := work.HoldCoupon(ctx, by, use, key, 0); err != nil {
			if retain.ErrorCode(err) == retain.EINVALID {
				continue // under the minimum spend
			}
			return err
		}
		if _, err := work.ConfirmCoupon(ctx, by, key, "first order"); err != nil {
			return err
		}
		st.WelcomeUsed++
	}
	return nil
}
