package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
	"github.com/retainhq/retain/internal/web"
)

var surveyLink = regexp.MustCompile(`/s/([A-Za-z0-9_-]{22})`)

// invite sends a customer a survey by SMS, as a playbook step would, and
// returns the token in its link.
func invite(t testing.TB, s *site, customerRef, survey, key string) string {
	t.Helper()
	ctx := context.Background()
	c, err := s.db.GetCustomer(ctx, customerRef)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.db.CustomerFacts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	sv, row, err := core.CurrentSurvey(ctx, s.db, survey)
	if err != nil {
		t.Fatal(err)
	}
	locale := f.Locale
	if len(locale) > 2 {
		locale = locale[:2]
	}
	if locale == "" {
		locale = "en"
	}
	in := core.Invite{Key: key, Survey: sv, Version: row.Version, Subject: core.Subject{Facts: f, Locale: locale, Business: "Dhaka Tea House"},
		Channel: "sms", To: f.Phone, PublicURL: "https://shop.example", Due: s.db.Now(), Context: "order"}
	var note string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		_, _, note, err = core.SendInvite(ctx, tx, in, 0)
		return err
	})
	if err != nil || note != "" { // outside the transaction: a Fatal inside it would leave it open
		t.Fatalf("not sent: %q %v", note, err)
	}
	msgs, err := s.db.Messages(ctx, store.MessageFilter{CustomerID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.IdempotencyKey == key {
			if sub := surveyLink.FindStringSubmatch(m.Body); sub != nil {
				return sub[1]
			}
		}
	}
	t.Fatalf("no survey link in the messages of %s", customerRef)
	return ""
}

// customerIn is a demo customer whose language is lang.
func customerIn(t testing.TB, s *site, lang string) string {
	t.Helper()
	rows, _, err := s.db.Customers(context.Background(), store.CustomerFilter{Size: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		f, _ := s.db.CustomerFacts(context.Background(), r.ID)
		if !strings.HasPrefix(f.Locale, lang) || f.Phone == "" {
			continue
		}
		var last time.Time // not invited in the last quarter, which any survey's recontact limit allows
		s.db.WithTx(context.Background(), func(tx *store.Tx) error {
			last, _, err = tx.LastInvited(context.Background(), r.ID, "")
			return err
		})
		if err == nil && last.Before(s.db.Now().AddDate(0, -3, 0)) {
			return r.ExternalID
		}
	}
	t.Fatalf("no %s customer with a phone", lang)
	return ""
}

// TestSurveyPage: the score in the link is the answer, the comment comes
// next, then the thank-you; the same link later says it was answered; an
// expired link says so; a bad answer is a 400 naming it; the answer is a
// survey response like any other.
func TestSurveyPage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	settings, _ := json.Marshal(messaging.Settings{BusinessName: "Dhaka Tea House", ReviewURL: "https://g.page/r/dhaka-tea/review"})
	if err := s.db.SetSetting(context.Background(), messaging.SettingsKey, string(settings)); err != nil {
		t.Fatal(err)
	}
	ref := customerIn(t, s, "bn")
	token := invite(t, s, ref, "csat", "page-test")
	c := s.client(t) // a customer: no sign-in
	code, body := c.get("/s/" + token)
	if code != http.StatusOK || !strings.Contains(body, "আপনি কতটা সন্তুষ্ট?") || !strings.Contains(body, `lang="bn"`) || !strings.Contains(body, `data-score="5"`) {
		t.Fatalf("the page in Bengali: %d", code)
	}
	if !strings.Contains(body, "?q=0&amp;lang=ne") {
		t.Error("no switch to Nepali")
	}
	if code, body := c.get("/s/" + token + "?lang=ne"); code != http.StatusOK || !strings.Contains(body, "तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?") {
		t.Errorf("switched to Nepali: %d", code)
	}
	if code, body := c.post("/s/"+token, url.Values{"q": {"0"}, "a": {"9"}, "lang": {"bn"}}, ""); code != http.StatusBadRequest || !strings.Contains(body, `class="field-error"`) {
		t.Errorf("a score outside the scale: %d", code)
	}
	// One tap from the message: the score is in the link.
	if code, _ := c.get("/s/" + token + "?score=4"); code != http.StatusSeeOther || !strings.Contains(c.lastLocation, "q=1") {
		t.Fatalf("the score from the link: %d → %q", code, c.lastLocation)
	}
	code, body = c.get(c.lastLocation)
	if code != http.StatusOK || !strings.Contains(body, `id="survey-comment"`) || !strings.Contains(body, "মূল কারণ") {
		t.Fatalf("the comment question: %d", code)
	}
	if code, _ := c.post("/s/"+token, url.Values{"q": {"1"}, "a": {"চা ঠান্ডা ছিল"}, "lang": {"bn"}}, ""); code != http.StatusSeeOther || !strings.Contains(c.lastLocation, "thanks=1") {
		t.Fatalf("the comment: %d → %q", code, c.lastLocation)
	}
	if code, body := c.get(c.lastLocation); code != http.StatusOK || !strings.Contains(body, `id="survey-thanks"`) ||
		!strings.Contains(body, `href="https://g.page/r/dhaka-tea/review"`) || !strings.Contains(body, "<title>") || !strings.Contains(body, "Dhaka Tea House</title>") {
		t.Errorf("the thank-you, with the review link: %d", code)
	}
	if code, body := c.get("/s/" + token); code != http.StatusOK || !strings.Contains(body, "উত্তর আগেই দেওয়া হয়েছে") {
		t.Errorf("the link again: %d", code)
	}
	if code, body := c.post("/s/"+token, url.Values{"q": {"0"}, "a": {"1"}}, ""); code != http.StatusOK || !strings.Contains(body, "উত্তর আগেই দেওয়া হয়েছে") {
		t.Errorf("answering again: %d", code)
	}
	answers, _, err := s.db.Answers(context.Background(), store.AnswerFilter{Kind: "csat", Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range answers {
		found = found || a.CustomerRef == ref && a.Score == 4 && a.Comment == "চা ঠান্ডা ছিল"
	}
	if !found {
		t.Errorf("the answer is not among the survey responses")
	}

	// An unhappy customer is offered the public review page as well (no
	// review gating); "who helped you?" names the staff member chosen.
	visitor := customerIn(t, s, "en")
	vt := invite(t, s, visitor, "visit", "page-test-visit")
	members, err := s.db.Members(context.Background())
	if err != nil || len(members) == 0 {
		t.Fatal("no staff", err)
	}
	helper := members[len(members)-1]
	steps := []url.Values{{"q": {"0"}, "a": {"1"}}, {"q": {"1"}, "a": {fmt.Sprint(helper.ID)}}, {"q": {"2"}, "skip": {"1"}}, {"q": {"3"}, "a": {"Nobody was at the counter"}}}
	for i, form := range steps {
		if code, _ := c.post("/s/"+vt, form, ""); code != http.StatusSeeOther {
			t.Fatalf("visit step %d: %d", i, code)
		}
	}
	if code, body := c.get(c.lastLocation); code != http.StatusOK || !strings.Contains(body, `id="review-link"`) {
		t.Errorf("the thank-you after a score of 1 has no review link: %d", code)
	}
	answers, _, err = s.db.Answers(context.Background(), store.AnswerFilter{Kind: "csat", Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, a := range answers {
		found = found || a.CustomerRef == visitor && a.Score == 1 && a.Staff == helper.Name && a.Comment == "Nobody was at the counter"
	}
	if !found {
		t.Errorf("the visit's answer does not name %s", helper.Name)
	}

	// A week later the CSAT link of another invitation has closed.
	old := invite(t, s, customerIn(t, s, "ne"), "csat", "page-test-old")
	now := s.db.Now()
	s.db.Now = func() time.Time { return now.AddDate(0, 0, 8) }
	defer func() { s.db.Now = func() time.Time { return now } }()
	if code, body := c.get("/s/" + old + "?score=5"); code != http.StatusGone || !strings.Contains(body, "यो सर्वेक्षण बन्द भइसक्यो") {
		t.Errorf("an expired link: %d", code)
	}
}

// TestSurveyTokenGuessing: unknown tokens are 404s until an address has
// tried surveyLookups of them in a minute; then every lookup from it is
// refused (429) for the rest of the minute, a real token included, while
// another address is not affected.
func TestSurveyTokenGuessing(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	token := invite(t, s, customerIn(t, s, "en"), "nps", "guess-test")
	c := s.client(t)
	for i := 0; i < 20; i++ {
		if code, _ := c.get(fmt.Sprintf("/s/guess%017d", i)); code != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if code, _ := c.get("/s/guess-one-too-many"); code != http.StatusTooManyRequests {
		t.Errorf("the 21st guess in a minute: %d", code)
	}
	if code, _ := c.get("/s/" + token); code != http.StatusTooManyRequests {
		t.Errorf("a real token from the same address: %d", code)
	}
}

func TestLoggedPathHidesTokens(t *testing.T) {
	for in, want := range map[string]string{"/s/abcDEF123_-xyz0123456": "/s/…", "/account/tok": "/account/…", "/customers/12": "/customers/12"} {
		if got := web.LoggedPath(in); got != want {
			t.Errorf("%s logged as %s", in, got)
		}
	}
}
