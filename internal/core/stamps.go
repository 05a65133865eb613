package core

import (
	"context"
	"fmt"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Stamp cards (loyalty.StampCard): stamps come from orders — a visit, or
// each item of the card's products, at the end of the return window with
// the order's points — and from the counter; a full card issues its reward
// coupon in the same transaction. Every write is keyed by its source.

// StampCardView is a customer's card.
type StampCardView struct {
	Card   string `json:"card"`
	Name   string `json:"name"`
	Stamps int    `json:"stamps" doc:"On the card now."`
	Needed int    `json:"needed" doc:"Stamps that fill the card."`
}

// StampResult is what stamps did.
type StampResult struct {
	StampCardView
	Added    int          `json:"added"`
	Rewards  []CouponView `json:"rewards" doc:"Coupons the stamps earned: one for each card they filled."`
	Replayed bool         `json:"replayed" doc:"The key was used before: nothing added again."`
}

// AddStamps puts count stamps on a customer's card (loyalty:redeem: the
// counter, a till), once per key; each card they fill issues its reward.
func (w Work) AddStamps(ctx context.Context, a retain.Actor, ref, card string, count int, key string) (StampResult, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return StampResult{}, err
	}
	p := retain.Problems{}
	if count < 1 || count > 100 {
		p.Add("count", "must be from %d to %d", 1, 100)
	}
	if key == "" || len(key) > 100 {
		p.Add("key", "is required, up to 100 characters")
	}
	if err := p.Err(); err != nil {
		return StampResult{}, err
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return StampResult{}, err
	}
	sc, ok := program.StampCard(card)
	if !ok {
		return StampResult{}, retain.FieldError("card", "no stamp card %q", card)
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return StampResult{}, retain.FieldError("customer_id", "no customer %q", ref)
	}
	if err != nil {
		return StampResult{}, err
	}
	var out StampResult
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		out, err = stamp(ctx, tx, program, sc, c.ID, count, "stamp:"+key, 0, staffOf(a))
		if err != nil || out.Replayed {
			return err
		}
		return tx.Audit(ctx, a, "loyalty.stamp", "customer:"+ref, fmt.Sprintf("card=%s stamps=%d key=%s", card, count, key))
	})
	out.Name = RewardName(sc.Name, "en")
	return out, err
}

// stamp adds stamps to a card under the customer's lock, once per op, and
// issues a reward coupon for each card they fill.
func stamp(ctx context.Context, tx *store.Tx, p loyalty.Program, sc loyalty.StampCard, customerID int64, count int, op string, orderID, staffID int64) (StampResult, error) {
	out := StampResult{StampCardView: StampCardView{Card: sc.Key, Needed: sc.Stamps}, Rewards: []CouponView{}}
	if _, err := tx.LockLoyalty(ctx, customerID); err != nil {
		return out, err
	}
	have, err := tx.StampsOn(ctx, customerID, sc.Key)
	if err != nil {
		return out, err
	}
	if done, err := tx.StampOpDone(ctx, op); err != nil || done {
		out.Stamps, out.Replayed = have, done
		return out, err
	}
	if err := tx.AddStampEntry(ctx, store.StampEntry{CustomerID: customerID, Card: sc.Key, Stamps: count, Op: op, OrderID: orderID, StaffID: staffID}); err != nil {
		return out, err
	}
	rewards, left := sc.Fill(have, count)
	for i := range rewards {
		rop := fmt.Sprintf("%s:full:%d", op, i+1)
		c, _, err := issueCoupon(ctx, tx, p, sc.Reward, store.Coupon{Code: loyalty.NewCode(), CustomerID: customerID, Source: "reward",
			Op: rop, Reward: "stamps:" + sc.Key, StaffID: staffID})
		if err != nil {
			return out, err
		}
		if err := tx.AddStampEntry(ctx, store.StampEntry{CustomerID: customerID, Card: sc.Key, Stamps: -sc.Stamps, Op: rop, OrderID: orderID,
			StaffID: staffID, CouponID: c.ID}); err != nil {
			return out, err
		}
		out.Rewards = append(out.Rewards, couponView(c))
	}
	out.Stamps, out.Added = left, count
	return out, nil
}

// stampOrder gives an order's stamps on each card: one for the visit, or
// one per item of the card's products.
func stampOrder(ctx context.Context, tx *store.Tx, p loyalty.Program, o store.OrderMoney) error {
	if len(p.StampCards) == 0 || o.Void || o.Net() == 0 {
		return nil
	}
	items, err := tx.OrderItems(ctx, o.ID)
	if err != nil {
		return err
	}
	for _, sc := range p.StampCards {
		n := 1
		if sc.Per == loyalty.StampPerItem {
			n = 0
			for _, it := range items {
				n += sc.Earns(it.SKU, it.Category, it.Quantity)
			}
		}
		if n == 0 {
			continue
		}
		if _, err := stamp(ctx, tx, p, sc, o.CustomerID, n, fmt.Sprintf("order:%s:stamps:%s", o.ExternalID, sc.Key), o.ID, 0); err != nil {
			return err
		}
	}
	return nil
}

// stampViews are a customer's cards, every card of the programme's.
func stampViews(ctx context.Context, db *store.DB, program loyalty.Program, customerID int64, lang string) ([]StampCardView, error) {
	if len(program.StampCards) == 0 {
		return []StampCardView{}, nil
	}
	held, err := db.Stamps(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]StampCardView, len(program.StampCards))
	for i, sc := range program.StampCards {
		out[i] = StampCardView{Card: sc.Key, Name: RewardName(sc.Name, lang), Stamps: held[sc.Key], Needed: sc.Stamps}
	}
	return out, nil
}

// RewardName is a reward's or a card's name in a language (English when
// it has none in it).
func RewardName(names map[string]string, lang string) string {
	if n := names[lang]; n != "" {
		return n
	}
	return names["en"]
}
