package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserSurveyPage: a customer on a 390 px phone opens the survey
// link from their message, taps a score, writes the reason and gets the
// thank-you, in English, Bengali and Nepali, with JavaScript and without;
// the link opened again says it was answered, and an expired one that it
// has closed. Every page fits the screen and shows no code or missing
// text.
func TestBrowserSurveyPage(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, open)
			thanks := map[string]string{"en": "Thank you!", "bn": "ধন্যবাদ!", "ne": "धन्यवाद!"}
			done := map[string]string{"en": "Already answered", "bn": "উত্তর আগেই দেওয়া হয়েছে", "ne": "जवाफ पहिले नै दिइसकियो"}
			for _, lang := range []string{"en", "bn", "ne"} {
				for _, js := range []bool{true, false} {
					survey := map[bool]string{true: "csat", false: "nps"}[js]
					label := fmt.Sprintf("%s %s js=%v", lang, survey, js)
					token := invite(t, s, customerIn(t, s, lang), survey, "browser-"+label)
					ctx := browser(t, exe)
					var title, state, htmlLang string
					err := chromedp.Run(ctx,
						chromedp.EmulateViewport(390, 844),
						emulation.SetScriptExecutionDisabled(!js),
						chromedp.Navigate(s.srv.URL+"/s/"+token),
						chromedp.WaitVisible(`button[data-score="4"]`),
						checkPage(t, label+": the score"),
						chromedp.AttributeValue(`html`, "lang", &htmlLang, nil),
						screenshot(name, "survey-phone-"+lang+map[bool]string{true: "", false: "-nojs"}[js]+".png"),
						clickAndLoad(`button[data-score="4"]`),
						chromedp.WaitVisible(`#survey-comment`),
						checkPage(t, label+": the comment"),
						chromedp.SendKeys(`#survey-comment`, "The tea was cold"),
						clickAndLoad(`#survey-next`),
						chromedp.WaitVisible(`#survey-thanks`),
						chromedp.Text(`#survey-thanks`, &title),
						checkPage(t, label+": thank you"),
						chromedp.Navigate(s.srv.URL+"/s/"+token),
						chromedp.WaitVisible(`#survey-state`),
						chromedp.Text(`h1`, &state),
					)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					if htmlLang != lang || title != thanks[lang] || state != done[lang] {
						t.Errorf("%s: lang %q, thank-you %q, again %q", label, htmlLang, title, state)
					}
				}
			}
			// A link past its expiry, in Nepali.
			token := invite(t, s, customerIn(t, s, "ne"), "ces", "browser-expired")
			now := s.db.Now()
			s.db.Now = func() time.Time { return now.AddDate(0, 0, 8) }
			defer func() { s.db.Now = func() time.Time { return now } }()
			ctx := browser(t, exe)
			var state string
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(390, 844),
				emulation.SetScriptExecutionDisabled(true),
				chromedp.Navigate(s.srv.URL+"/s/"+token+"?score=2"),
				chromedp.WaitVisible(`#survey-state`),
				chromedp.Text(`h1`, &state),
				checkPage(t, "expired"),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(state, "बन्द") {
				t.Errorf("the expired link: %q", state)
			}
		})
	}
}

// TestBrowserSurveyEditor: a manager on a phone, in Bengali, edits the
// visit survey's first question, adds an option to its choice question,
// previews the page in Nepali and saves a new version.
func TestBrowserSurveyEditor(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite)
	ctx := browser(t, exe)
	var notice, preview string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		signIn(s.srv.URL, "admin@shop.example"),
		clickAndLoad(`button[data-lang=bn]`),
		chromedp.Navigate(s.srv.URL+"/surveys"),
		chromedp.WaitVisible(`a[data-edit=visit]`),
		checkPage(t, "bn surveys"),
		clickAndLoad(`a[data-edit=visit]`),
		chromedp.WaitVisible(`#survey-editor`),
		checkPage(t, "bn survey editor"),
		chromedp.SetValue(`input[name="questions[0].text.bn"]`, "আজ দোকানে কেমন লাগল?"),
		chromedp.SendKeys(`input[name="questions[2].options[3].text.en"]`, "Not yet"),
		chromedp.SendKeys(`input[name="questions[2].options[3].text.bn"]`, "এখনও না"),
		chromedp.SendKeys(`input[name="questions[2].options[3].text.ne"]`, "अहिलेसम्म छैन"),
		chromedp.SetValue(`select[name=preview_lang]`, "ne"),
		clickAndLoad(`#preview`),
		chromedp.WaitVisible(`.survey-preview`),
		chromedp.Text(`.survey-preview`, &preview),
		checkPage(t, "bn survey editor, Nepali preview"),
		screenshot("sqlite", "survey-editor-phone-bn.png"),
		clickAndLoad(`#save-survey`),
		chromedp.WaitVisible(`#editor-notice`),
		chromedp.Text(`#editor-notice`, &notice),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preview, "तपाईंको अनुभव कस्तो रह्यो?") {
		t.Errorf("the Nepali preview: %q", preview)
	}
	if !strings.Contains(notice, "২") {
		t.Errorf("the save: %q", notice)
	}
	sv, row, err := core.CurrentSurvey(context.Background(), s.db, "visit")
	if err != nil || row.Version != 2 || sv.Questions[0].Text["bn"] != "আজ দোকানে কেমন লাগল?" || len(sv.Questions[2].Options) != 4 {
		t.Errorf("stored: version %d, %+v, %v", row.Version, sv.Questions, err)
	}
}
