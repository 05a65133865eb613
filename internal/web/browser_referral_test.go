package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserReferralLanding: on a 390 px phone a friend opens the
// referral link in English, reads it in Nepali and Bengali, and signs up in
// Bengali with a number typed in Bengali digits; the welcome coupon's code
// shows. Every page fits the screen and shows no code or untranslated key.
func TestBrowserReferralLanding(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite)
	ref := referralFixture(t, s)
	b := browser(t, exe)
	var coupon string
	actions := []chromedp.Action{chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.srv.URL + "/r/" + ref.Code + "?lang=en"), chromedp.WaitVisible(`#referral-form`),
		checkPage(t, "en referral"), screenshot("sqlite", "referral-en.png")}
	for _, lang := range []string{"ne", "bn"} {
		actions = append(actions, clickAndLoad(`a[data-lang=`+lang+`]`), chromedp.WaitVisible(`html[lang=`+lang+`]`), checkPage(t, lang+" referral"),
			screenshot("sqlite", "referral-"+lang+".png"))
	}
	actions = append(actions,
		chromedp.SendKeys(`input[name=name]`, "নীলা সেন"),
		chromedp.SendKeys(`input[name=phone]`, "০১৮১৯৫৫৫১২৩"),
		clickAndLoad(`#referral-join`),
		chromedp.WaitVisible(`#referral-coupon`), chromedp.Text(`#referral-coupon`, &coupon),
		checkPage(t, "bn referral done"), screenshot("sqlite", "referral-done-bn.png"))
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatal(err)
	}
	if len(strings.ReplaceAll(coupon, "-", "")) != 15 {
		t.Errorf("the welcome coupon reads %q", coupon)
	}
}
