package loyalty

import (
	"fmt"
	"strings"

	"github.com/retainhq/retain"
)

// StampCard is "buy 5, get 1 free": a stamp per visit or per item bought,
// and when the card is full its reward, a coupon of the customer's own.
// Cards are kept per customer, whom the counter finds by phone.
type StampCard struct {
	Key    string            `json:"key"`
	Name   map[string]string `json:"name"`   // en, bn, ne
	Stamps int               `json:"stamps"` // to fill the card
	// Per is what earns a stamp: "visit" (an order, or a stamp at the
	// counter) or "item" (each unit of a line whose product's SKU is in
	// SKUs or whose category is in Categories).
	Per        string            `json:"per"`
	SKUs       []string          `json:"skus,omitempty"`
	Categories []string          `json:"categories,omitempty"`
	Reward     retain.CouponSpec `json:"reward"`
}

// Stamp kinds: what earns a stamp.
const (
	StampPerVisit = "visit"
	StampPerItem  = "item"
)

// check says what is wrong with the card (at is its path, "stamp_cards[0].").
func (c StampCard) check(at string, seen map[string]bool) error {
	switch {
	case !rewardKey.MatchString(c.Key) || seen[c.Key]:
		return fmt.Errorf("%skey: %q is not 1 to 40 lowercase letters, digits, - or _, once", at, c.Key)
	case c.Stamps < 2 || c.Stamps > 100:
		return fmt.Errorf("%sstamps: %d is not from 2 to 100", at, c.Stamps)
	case c.Per != StampPerVisit && c.Per != StampPerItem:
		return fmt.Errorf("%sper: %q is not visit or item", at, c.Per)
	case c.Per == StampPerItem && len(c.SKUs) == 0 && len(c.Categories) == 0:
		return fmt.Errorf("%sskus: a card of a stamp per item names the SKUs or the categories", at)
	}
	for _, l := range retain.PlaybookLocales {
		if strings.TrimSpace(c.Name[l]) == "" {
			return fmt.Errorf("%sname.%s: the %s name is missing", at, l, l)
		}
	}
	pr := retain.Problems{}
	c.Reward.Check(pr, at+"reward.")
	return pr.Err()
}

// Earns is how many stamps a line earns: its quantity when the card
// counts items of its SKU or category, else none.
func (c StampCard) Earns(sku, category string, quantity int) int {
	if c.Per != StampPerItem {
		return 0
	}
	for _, s := range c.SKUs {
		if strings.EqualFold(s, sku) {
			return quantity
		}
	}
	for _, k := range c.Categories {
		if strings.EqualFold(k, category) {
			return quantity
		}
	}
	return 0
}

// Fill is what stamps do to a card holding have: the full cards they
// make (each a reward) and what is left on the card after.
func (c StampCard) Fill(have, add int) (rewards, left int) {
	total := have + add
	return total / c.Stamps, total % c.Stamps
}
