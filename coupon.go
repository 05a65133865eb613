package retain

import (
	"fmt"
	"strings"
	"time"
)

// Coupon kinds: what a coupon gives off an order.
const (
	CouponAmount      = "amount"       // a fixed amount off
	CouponPercent     = "percent"      // a share of the order off
	CouponFreeItem    = "free_item"    // an item given free (the till gives it; nothing off the total)
	CouponStoreCredit = "store_credit" // money to spend over several orders until it is used up
)

// CouponKinds are the kinds a coupon can be.
var CouponKinds = []string{CouponAmount, CouponPercent, CouponFreeItem, CouponStoreCredit}

// CouponSpec is what a coupon gives and on what terms: a reward's, a
// playbook step's, a batch's.
type CouponSpec struct {
	Kind     string `json:"kind"`
	Amount   int64  `json:"amount_minor,omitempty"` // amount off, or the store credit, in minor units
	Percent  int    `json:"percent,omitempty"`      // 1–100
	Item     string `json:"item,omitempty"`         // the free item, as the till knows it
	Currency string `json:"currency,omitempty"`     // of amount and min_spend; the programme's when empty
	MinSpend int64  `json:"min_spend_minor,omitempty"`
	// MaxUses is how many orders can use the coupon in all: absent (0), one
	// — a single-use coupon — except store credit, which is spent over as
	// many orders as it lasts; -1, no limit. PerCustomer is how many orders
	// of one customer can (0: no limit).
	MaxUses     int `json:"max_uses,omitempty"`
	PerCustomer int `json:"per_customer,omitempty"`
	ValidDays   int `json:"valid_days,omitempty"` // from its issue; 0: no expiry
}

// Check says what is wrong with the spec, naming the field (prefixed by at).
func (s CouponSpec) Check(p Problems, at string) {
	switch s.Kind {
	case CouponAmount, CouponStoreCredit:
		if s.Amount <= 0 || s.Amount > 1_000_000_000 {
			p.Add(at+"amount_minor", "must be a positive amount")
		}
	case CouponPercent:
		if s.Percent < 1 || s.Percent > 100 {
			p.Add(at+"percent", "must be from %d to %d", 1, 100)
		}
	case CouponFreeItem:
		if strings.TrimSpace(s.Item) == "" || len(s.Item) > 200 {
			p.Add(at+"item", "is required, up to %d characters", 200)
		}
	default:
		p.Add(at+"kind", "%q is not one of %v", s.Kind, CouponKinds)
	}
	if s.Currency != "" && len(s.Currency) != 3 {
		p.Add(at+"currency", "%q is not a three-letter currency code", s.Currency)
	}
	if s.MinSpend < 0 {
		p.Add(at+"min_spend_minor", "must not be negative")
	}
	if s.MaxUses < -1 {
		p.Add(at+"max_uses", "must be -1 (no limit) or more")
	}
	if s.PerCustomer < 0 {
		p.Add(at+"per_customer", "must not be negative")
	}
	if s.ValidDays < 0 || s.ValidDays > 3660 {
		p.Add(at+"valid_days", "must be from %d to %d", 0, 3660)
	}
}

// UseLimit is how many orders can use the coupon in all; 0: no limit.
func (s CouponSpec) UseLimit() int {
	switch {
	case s.MaxUses == -1, s.MaxUses == 0 && s.Kind == CouponStoreCredit:
		return 0
	case s.MaxUses == 0:
		return 1
	}
	return s.MaxUses
}

// Terms say what the coupon gives, for logs and the CLI: "amount BDT 200.00",
// "percent 10%", "free_item Cappuccino".
func (s CouponSpec) Terms() string {
	switch s.Kind {
	case CouponPercent:
		return fmt.Sprintf("%s %d%%", s.Kind, s.Percent)
	case CouponFreeItem:
		return s.Kind + " " + s.Item
	}
	return strings.TrimSpace(s.Kind + " " + s.Currency + " " + FormatAmount(s.Amount, s.Currency))
}

// ExpiresAt is when a coupon issued at t expires; zero: never.
func (s CouponSpec) ExpiresAt(t time.Time) time.Time {
	if s.ValidDays == 0 {
		return time.Time{}
	}
	return t.AddDate(0, 0, s.ValidDays)
}
