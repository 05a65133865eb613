package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// referralFixture turns referrals on (a BDT 200 welcome coupon, 50 points
// each way) over the counter's programme and returns the counter
// customer's code.
func referralFixture(t *testing.T, s *site) core.ReferralView {
	t.Helper()
	cust, _ := counterFixture(t, s)
	ctx := context.Background()
	p, err := core.LoyaltyProgram(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	p.Referral = &loyalty.Referral{Enabled: true, ReferrerPoints: 50, FriendPoints: 50, FriendCoupon: &retain.CouponSpec{Kind: retain.CouponAmount, Amount: 20000, ValidDays: 30}}
	if err := core.SaveLoyaltyProgram(ctx, s.db, retain.System("test"), p); err != nil {
		t.Fatal(err)
	}
	v, err := core.Work{DB: s.db}.ReferralCode(ctx, retain.System("test"), &core.LiveSettings{DB: s.db}, cust.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReferralLanding: a customer's link opens the offer with no sign-in,
// naming them by first name; a form without a way to reach the friend is
// refused at the phone field; a friend signing up gets their welcome
// coupon; signing up again, and the referrer's own number, are refused in
// the same words (recorded with why: self). The referrals page lists
// them, a made-up code is a 404, and the customer's loyalty card shows
// their link.
func TestReferralLanding(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ref := referralFixture(t, s)
	path := "/r/" + ref.Code
	visitor := s.client(t)
	code, page := visitor.get(path + "?lang=en")
	if code != http.StatusOK || !strings.Contains(page, "invites you") || !strings.Contains(page, `id="referral-form"`) {
		t.Fatalf("the landing page: %d", code)
	}
	if code, page := visitor.post(path, url.Values{"name": {"Nila"}, "lang": {"en"}}, ""); code != http.StatusBadRequest || !strings.Contains(page, `id="phone-error"`) {
		t.Errorf("no phone or e-mail: %d", code)
	}
	form := url.Values{"name": {"Nila Sen"}, "phone": {"০১৮১৯-৫৫৫১২৩"}, "lang": {"bn"}} // typed in Bengali digits
	code, page = visitor.post(path, form, "")
	if code != http.StatusOK || !strings.Contains(page, `id="referral-coupon"`) {
		t.Fatalf("the friend's sign-up: %d %s", code, page[strings.Index(page, "<main"):])
	}
	if code, page := visitor.post(path, form, ""); code != http.StatusOK || !strings.Contains(page, `id="referral-refused"`) {
		t.Errorf("the same friend again: %d", code)
	}
	c, err := s.db.GetCustomer(context.Background(), ref.Customer)
	if err != nil {
		t.Fatal(err)
	}
	own := url.Values{"name": {"Me Again"}, "phone": {c.Phone}}
	if code, page := visitor.post(path, own, ""); code != http.StatusOK || !strings.Contains(page, `id="referral-refused"`) {
		t.Errorf("the referrer's own number: %d", code)
	}
	if rows, err := s.db.Referrals(context.Background(), store.ReferralFilter{Status: loyalty.ReferralRefused}); err != nil || len(rows) != 1 || rows[0].Reason != loyalty.RefusedSelf {
		t.Errorf("the refusal is recorded with why: %+v %v", rows, err)
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if code, page := agent.get("/referrals"); code != http.StatusOK || strings.Count(page, `data-status="pending"`) != 1 || strings.Count(page, `data-status="refused"`) != 1 {
		t.Errorf("the referrals page: %d", code)
	}
	if code, page := agent.get("/counter?q=" + url.QueryEscape(c.Phone)); code != http.StatusOK || !strings.Contains(page, ref.Code) {
		t.Errorf("the counter shows the customer's code: %d", code)
	}
	if code, _ := visitor.get("/r/ZZZZZZZZ"); code != http.StatusNotFound {
		t.Errorf("a made-up code: %d", code)
	}
	// With a public address set, the customer's loyalty card carries their link.
	if err := core.UpdateMessaging(context.Background(), s.db, retain.System("test"), func(m *messaging.Settings) error {
		m.PublicURL = "https://shop.example"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	link, _, err := core.Work{DB: s.db}.CardLink(context.Background(), retain.System("test"), &core.LiveSettings{DB: s.db}, ref.Customer, false)
	if err != nil {
		t.Fatal(err)
	}
	if code, page := visitor.get(link[strings.Index(link, "/card/"):]); code != http.StatusOK || !strings.Contains(page, "https://shop.example/r/"+ref.Code) {
		t.Errorf("the card's referral link: %d", code)
	}
}
