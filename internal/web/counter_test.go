package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// counterFixture: a programme with a 40-point tea and a five-stamp coffee
// card, and a customer with a phone, 100 points and a BDT 100 coupon of
// their own.
func counterFixture(t *testing.T, s *site) (store.CustomerRow, core.CouponView) {
	t.Helper()
	ctx := context.Background()
	p := loyalty.DefaultProgram()
	p.Enabled = true
	p.Rewards = []loyalty.Reward{{Key: "tea", Name: map[string]string{"en": "A free tea", "bn": "একটি ফ্রি চা", "ne": "एउटा निःशुल्क चिया"}, Points: 40,
		Coupon: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Masala tea", ValidDays: 30}}}
	p.StampCards = []loyalty.StampCard{{Key: "coffee", Name: map[string]string{"en": "Coffee card", "bn": "কফি কার্ড", "ne": "कफी कार्ड"}, Stamps: 5,
		Per: loyalty.StampPerVisit, Reward: retain.CouponSpec{Kind: retain.CouponFreeItem, Item: "Coffee", ValidDays: 30}}}
	p.TierMonths, p.Tiers = 12, []loyalty.Tier{{Key: "member", Name: map[string]string{"en": "Member", "bn": "সদস্য", "ne": "सदस्य"}, Multiplier: 1},
		{Key: "silver", Name: map[string]string{"en": "Silver", "bn": "সিলভার", "ne": "सिल्भर"}, MinPoints: 50, Multiplier: 1.5}}
	if err := core.SaveLoyaltyProgram(ctx, s.db, retain.System("test"), p); err != nil {
		t.Fatal(err)
	}
	rows, _, err := s.db.Customers(ctx, store.CustomerFilter{Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	var cust store.CustomerRow
	for _, r := range rows {
		if len(r.Phone) > 8 {
			cust = r
			break
		}
	}
	work := core.Work{DB: s.db}
	if _, err := work.AdjustPoints(ctx, retain.System("test"), cust.ExternalID, 100, "welcome", "Welcome", time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, _, err := work.IssueCoupon(ctx, retain.System("test"), core.CouponIssue{CouponSpec: retain.CouponSpec{Kind: retain.CouponAmount, Amount: 10000, ValidDays: 30},
		Customer: cust.ExternalID, Key: "sorry"})
	if err != nil {
		t.Fatal(err)
	}
	return cust, c
}

// bengaliDigits writes s's ASCII digits as Bengali ones, as a Bengali
// keyboard types them.
func bengaliDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '০' + (r - '0')
		}
		return r
	}, s)
}

// TestCounter: an agent finds a customer by the last digits of their phone
// typed in Bengali, gives them the tea for 40 points (a double tap gives it
// once), takes their own coupon off a sale typed in Bengali digits, fills
// their coffee card with five stamps (its free coffee issued), and trying
// codes that are no coupon's is stopped after 30 in a minute.
func TestCounter(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	cust, coupon := counterFixture(t, s)
	c := s.client(t)
	c.login("agent@shop.example", password)
	digits := cust.Phone[len(cust.Phone)-8:]
	code, page := c.get("/counter?q=" + url.QueryEscape(bengaliDigits(digits)))
	if code != http.StatusOK || !strings.Contains(page, `id="counter-card"`) || !strings.Contains(page, "100 points") || !strings.Contains(page, coupon.Code) ||
		!strings.Contains(page, "50 points more to Silver") { // given points do not count for a tier: none earned yet
		t.Fatalf("looking up %s: %d", bengaliDigits(digits), code)
	}
	nonce := regexp.MustCompile(`name="nonce" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	for i := range 2 {
		form := url.Values{"customer": {cust.ExternalID}, "reward": {"tea"}, "nonce": {nonce}}
		if code, _ := c.post("/counter/reward", form, ""); code != http.StatusSeeOther {
			t.Fatalf("reward %d: %d", i, code)
		}
	}
	code, page = c.get(c.lastLocation)
	if code != http.StatusOK || !strings.Contains(page, "Given: Free: Masala tea") || !strings.Contains(page, "60 points") {
		t.Fatalf("after the reward: %d %s", code, page[strings.Index(page, "<main"):])
	}
	form := url.Values{"customer": {cust.ExternalID}, "code": {strings.ToLower(coupon.Code)}, "total": {"৫০০"}, "nonce": {nonce}}
	if code, _ := c.post("/counter/coupon", form, ""); code != http.StatusSeeOther {
		t.Fatalf("using the coupon: %d", code)
	}
	if _, page = c.get(c.lastLocation); !strings.Contains(page, "Coupon used") || strings.Contains(page, `data-coupon="`+coupon.Code+`"`) {
		t.Errorf("after the coupon: the notice, and the coupon gone from the list")
	}
	if cs, _ := s.db.Coupons(context.Background(), store.CouponFilter{CustomerID: cust.ID}); len(cs) != 2 || cs[1].Uses != 1 { // the tea's, and the one used
		t.Errorf("coupons after the counter: %+v", cs)
	}
	if code, _ := c.post("/counter/stamp", url.Values{"customer": {cust.ExternalID}, "card": {"coffee"}, "count": {"3abc"}, "nonce": {nonce + "c"}}, ""); code != http.StatusBadRequest {
		t.Errorf("a count of 3abc: %d, want 400", code)
	}
	// Five stamps fill the coffee card: its free coffee is the customer's.
	form = url.Values{"customer": {cust.ExternalID}, "card": {"coffee"}, "count": {"5"}, "nonce": {nonce}}
	if code, _ := c.post("/counter/stamp", form, ""); code != http.StatusSeeOther {
		t.Fatalf("stamping: %d", code)
	}
	if _, page = c.get(c.lastLocation); !strings.Contains(page, "The card is full") || !strings.Contains(page, `data-stamps="coffee">0 of 5 stamps`) {
		t.Errorf("after five stamps: %s", page[strings.Index(page, "<main"):])
	}
	for i := range 31 {
		form := url.Values{"customer": {cust.ExternalID}, "code": {"NOPE" + strings.Repeat("X", i%5) + "22"}, "total": {"100"}, "nonce": {nonce + "g"}}
		code, _ := c.post("/counter/coupon", form, "")
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusBadRequest}[i == 30]; code != want {
			t.Fatalf("guess %d: %d, want %d", i, code, want)
		}
	}
}
