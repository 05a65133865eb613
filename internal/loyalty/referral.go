package loyalty

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/retainhq/retain"
)

// Referral is the programme's refer-a-friend offer: every customer has a
// code and a link; a friend who signs up with it and keeps their first
// order earns both of them points once the order's return window has
// passed. The friend may also get a coupon for that first order.
type Referral struct {
	Enabled        bool  `json:"enabled"`
	ReferrerPoints int64 `json:"referrer_points"` // to the customer who shared the code
	FriendPoints   int64 `json:"friend_points"`   // to the friend
	// FriendCoupon is given to the friend when they sign up, bound to
	// them, single-use: "BDT 200 off your first order".
	FriendCoupon *retain.CouponSpec `json:"friend_coupon,omitempty"`
	// MaxPerMonth caps the referrals one customer is rewarded for in 30
	// days (0: no cap): a cap on what a ring of fake friends can earn.
	MaxPerMonth int `json:"max_per_month"`
}

// check says what is wrong with the offer, naming the field.
func (r *Referral) check() error {
	if r == nil {
		return nil
	}
	switch {
	case r.ReferrerPoints < 0 || r.ReferrerPoints > 1_000_000:
		return fmt.Errorf("referral.referrer_points: %d is not from 0 to 1000000", r.ReferrerPoints)
	case r.FriendPoints < 0 || r.FriendPoints > 1_000_000:
		return fmt.Errorf("referral.friend_points: %d is not from 0 to 1000000", r.FriendPoints)
	case r.MaxPerMonth < 0 || r.MaxPerMonth > 1000:
		return fmt.Errorf("referral.max_per_month: %d is not from 0 to 1000", r.MaxPerMonth)
	case r.Enabled && r.ReferrerPoints == 0 && r.FriendPoints == 0 && r.FriendCoupon == nil:
		return fmt.Errorf("referral.referrer_points: the offer gives nothing: set points or a friend's coupon")
	}
	if r.FriendCoupon != nil {
		pr := retain.Problems{}
		r.FriendCoupon.Check(pr, "referral.friend_coupon.")
		if err := pr.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ReferralOn reports whether the programme takes referrals.
func (p Program) ReferralOn() bool { return p.Enabled && p.Referral != nil && p.Referral.Enabled }

// Referral statuses: a friend signed up (pending), placed their first
// order (ordered, waiting out its return window), kept it and both were
// rewarded (completed), or the referral was refused, with why.
const (
	ReferralPending   = "pending"
	ReferralOrdered   = "ordered"
	ReferralCompleted = "completed"
	ReferralRefused   = "refused"
)

// Why a referral is refused.
const (
	RefusedSelf     = "self"         // the customer's own code
	RefusedPhone    = "same_phone"   // the friend has the referrer's phone number
	RefusedEmail    = "same_email"   // … e-mail address
	RefusedAddress  = "same_address" // … address
	RefusedNotNew   = "not_new"      // the friend had ordered before
	RefusedCap      = "cap"          // the referrer reached the month's cap
	RefusedReturned = "returned"     // the first order was returned or cancelled
)

// Party is what the referral checks compare of the referrer and the friend.
type Party struct {
	ID                    int64
	Phone, Email, Address string
}

// Refusal is why a friend cannot be credited to a referrer, or "" when
// they can: not the referrer themselves, nor someone sharing their phone,
// e-mail or address (a second record of the same household is how most
// self-referrals look), nor a customer who had ordered before.
func Refusal(referrer, friend Party, friendOrders int) string {
	switch {
	case referrer.ID == friend.ID:
		return RefusedSelf
	case same(referrer.Phone, friend.Phone, digitsOnly):
		return RefusedPhone
	case same(referrer.Email, friend.Email, strings.ToLower):
		return RefusedEmail
	case same(referrer.Address, friend.Address, addressKey):
		return RefusedAddress
	case friendOrders > 0:
		return RefusedNotNew
	}
	return ""
}

func same(a, b string, norm func(string) string) bool {
	a, b = norm(strings.TrimSpace(a)), norm(strings.TrimSpace(b))
	return a != "" && a == b
}

// digitsOnly keeps a phone number's last ten digits: +880 1711-000000 and
// 01711000000 are one number.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range retain.LatinDigits(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

// addressKey is an address without case, spaces or punctuation: "House 12,
// Road 5" and "house 12 road 5" are one.
func addressKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(retain.LatinDigits(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ReferralCodeLength is a referral code's: eight characters of the
// coupon alphabet, about 39 bits — a code is shared, not secret, but a
// landing page that names the referrer must not be found by counting.
const ReferralCodeLength = 8

// NewReferralCode returns a fresh random referral code.
func NewReferralCode() string { return NewCode()[:ReferralCodeLength] }

// ReferralWindow is how far back the monthly cap counts.
const ReferralWindow = 30 * 24 * time.Hour
