package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserCounter: on a 390 px phone, in Bengali and then Nepali, an
// agent types the customer's phone in Bengali digits, finds them, adds a
// stamp to their coffee card, gives the tea for 40 points and takes the
// customer's coupon off a sale; every page fits the screen and shows no
// code or untranslated key.
func TestBrowserCounter(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite)
	cust, coupon := counterFixture(t, s)
	b := browser(t, exe)
	digits := bengaliDigits(cust.Phone[len(cust.Phone)-8:])
	var balance, notice, after, stamps string
	err := chromedp.Run(b,
		chromedp.EmulateViewport(390, 844),
		signIn(s.srv.URL, "agent@shop.example"),
		clickAndLoad(`button[data-lang=bn]`),
		chromedp.Navigate(s.srv.URL+"/counter"),
		chromedp.WaitVisible(`#counter-q`),
		checkPage(t, "bn counter"),
		chromedp.SendKeys(`#counter-q`, digits),
		clickAndLoad(`#counter-find`),
		chromedp.WaitVisible(`#counter-card`),
		chromedp.Text(`#counter-balance`, &balance),
		checkPage(t, "bn counter card"),
		screenshot("sqlite", "counter-bn.png"),
		clickAndLoad(`button[data-stamp=coffee]`),
		chromedp.WaitVisible(`#counter-notice`),
		chromedp.Text(`small[data-stamps=coffee]`, &stamps),
		clickAndLoad(`button[data-reward=tea]`),
		chromedp.WaitVisible(`#counter-notice`),
		chromedp.Text(`#counter-notice`, &notice),
		chromedp.Text(`#counter-balance`, &after),
		checkPage(t, "bn counter after the reward"),
		clickAndLoad(`button[data-lang=ne]`),
		chromedp.Navigate(s.srv.URL+"/counter?customer="+cust.ExternalID),
		chromedp.WaitVisible(`#counter-card`),
		chromedp.SendKeys(`form:has(button[data-coupon="`+coupon.Code+`"]) input[name=total]`, "১২০০"),
		clickAndLoad(`button[data-coupon="`+coupon.Code+`"]`),
		chromedp.WaitVisible(`#counter-notice`),
		checkPage(t, "ne counter after the coupon"),
		screenshot("sqlite", "counter-ne.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if balance != "১০০ পয়েন্ট" || after != "৬০ পয়েন্ট" || !strings.Contains(notice, "Masala tea") || stamps != "৫টির মধ্যে ১টি স্ট্যাম্প" {
		t.Errorf("balance %q, after the tea %q, notice %q, the card %q", balance, after, notice, stamps)
	}
}

// TestBrowserLoyaltyCard: the customer's public card, on a 390 px phone,
// in English, Bengali and Nepali (switched by its own links): it fits the
// screen, shows the balance in the language's digits and the QR code, and
// no code or untranslated key.
func TestBrowserLoyaltyCard(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite)
	cust, _ := counterFixture(t, s)
	link, _, err := core.Work{DB: s.db}.CardLink(context.Background(), retain.System("test"), &core.LiveSettings{DB: s.db}, cust.ExternalID, false)
	if err != nil {
		t.Fatal(err)
	}
	path := link[strings.Index(link, "/card/"):]
	b := browser(t, exe)
	balances := map[string]*string{"en": new(string), "bn": new(string), "ne": new(string)}
	actions := []chromedp.Action{chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.srv.URL + path + "?lang=en"), chromedp.WaitVisible(`#card-balance`)}
	for _, lang := range []string{"en", "bn", "ne"} {
		if lang != "en" {
			actions = append(actions, clickAndLoad(`a[data-lang=`+lang+`]`), chromedp.WaitVisible(`html[lang=`+lang+`]`))
		}
		actions = append(actions, chromedp.Text(`#card-balance`, balances[lang]), chromedp.WaitVisible(`svg.qr`), checkPage(t, lang+" card"),
			screenshot("sqlite", "card-"+lang+".png"))
	}
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "100 points", "bn": "১০০ পয়েন্ট", "ne": "१०० पोइन्ट"} {
		if *balances[lang] != want {
			t.Errorf("%s: the balance reads %q, want %q", lang, *balances[lang], want)
		}
	}
}
