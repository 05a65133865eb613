package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestBrowserEveryPage opens every page of the UI a signed-in admin can
// reach, on SQLite and on PostgreSQL, in English, Bengali and Nepali on a 390 px phone, again as an
// agent in Bengali, and as a manager in Nepali on a desktop screen, and fails on a
// page wider than the screen, a catalog key with no words or a snake_case
// code shown as text. The list of pages is the router's own, so a new page
// is checked without anyone adding it here.
func TestBrowserEveryPage(t *testing.T) {
	exe := chromium(t)
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) { everyPage(t, exe, open) })
	}
}

func everyPage(t *testing.T, exe string, open storetest.Opener) {
	s := newSite(t, open)
	ctx := context.Background()
	hash, _ := auth.HashPassword(password)
	if _, err := s.db.AddUser(ctx, retain.System("test"), store.User{Email: "mgr@shop.example", Name: "Mgr", Role: "manager"}, hash); err != nil {
		t.Fatal(err)
	}
	custs, _, err := s.db.Customers(ctx, store.CustomerFilter{Size: 1})
	if err != nil || len(custs) == 0 {
		t.Fatal("no customer", err)
	}
	var pages []string
	for _, r := range s.ui.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if method != "GET" || r.Permission == "public" || strings.HasSuffix(path, ".csv") { // a download, not a page
			continue
		}
		key := "service_recovery"
		if strings.HasPrefix(path, "/surveys/") {
			key = "visit" // the survey with every kind of question
		}
		pages = append(pages, strings.NewReplacer("{id}", fmt.Sprint(custs[0].ID), "{key}", key, "{$}", "").Replace(path))
	}
	b := browser(t, exe)
	actions := []chromedp.Action{
		chromedp.EmulateViewport(390, 844),
		signIn(s.srv.URL, "admin@shop.example"),
	}
	for _, lang := range []string{"en", "bn", "ne"} {
		actions = append(actions, clickAndLoad(`button[data-lang=`+lang+`]`), chromedp.WaitVisible(`html[lang=`+lang+`]`))
		for _, p := range append([]string{"/contact?lang=" + lang}, pages...) { // the public contact form first (it has no language buttons)
			actions = append(actions, chromedp.Navigate(s.srv.URL+p), chromedp.WaitReady(`main`), checkPage(t, lang+" "+p))
		}
	}
	// An agent sees their own scope of the same pages (and the 403 page
	// for the rest), in Bengali.
	actions = append(actions, chromedp.Navigate(s.srv.URL+"/"), clickAndLoad(`#logout`), signIn(s.srv.URL, "agent@shop.example"),
		clickAndLoad(`button[data-lang=bn]`), chromedp.WaitVisible(`html[lang=bn]`))
	for _, p := range pages {
		actions = append(actions, chromedp.Navigate(s.srv.URL+p), chromedp.WaitReady(`main`), checkPage(t, "agent bn "+p))
	}
	// A manager on a desktop screen, in Nepali.
	actions = append(actions, chromedp.Navigate(s.srv.URL+"/"), clickAndLoad(`#logout`), chromedp.EmulateViewport(1280, 900),
		signIn(s.srv.URL, "mgr@shop.example"), clickAndLoad(`button[data-lang=ne]`), chromedp.WaitVisible(`html[lang=ne]`))
	for _, p := range pages {
		actions = append(actions, chromedp.Navigate(s.srv.URL+p), chromedp.WaitReady(`main`), checkPage(t, "manager ne desktop "+p))
	}
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatal(err)
	}
}
