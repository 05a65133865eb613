package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// formValues is what a browser would send for the form with id: its
// inputs (checkboxes only when ticked, no buttons), textareas and selects
// (the selected option, else the first).
func formValues(t *testing.T, page, id string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if v, _ := attr(n, "id"); n.Type == html.ElementNode && n.Data == "form" && v == id {
			form = n
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form #%s", id)
	}
	vals := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch n.Data {
			case "input":
				typ, _ := attr(n, "type")
				_, checked := attr(n, "checked")
				v, _ := attr(n, "value")
				if named && typ != "submit" && (typ != "checkbox" || checked) {
					vals.Add(name, v)
				}
			case "textarea":
				text := ""
				if n.FirstChild != nil {
					text = n.FirstChild.Data
				}
				vals.Add(name, text)
			case "select":
				first, seen, chosen := "", false, false
				for o := n.FirstChild; o != nil; o = o.NextSibling {
					if o.Type != html.ElementNode || o.Data != "option" {
						continue
					}
					v, ok := attr(o, "value")
					if !ok && o.FirstChild != nil {
						v = o.FirstChild.Data
					}
					if !seen {
						first, seen = v, true
					}
					if _, sel := attr(o, "selected"); sel && !chosen {
						first, chosen = v, true
					}
				}
				if named {
					vals.Add(name, first)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return vals
}

// TestPlaybookEditor: the editor's form, sent back as it is, is the same
// definition (saving it changes nothing); a Bengali text left empty is
// named at its field and nothing is saved; a changed text previewed on a
// customer shows what they would get and is saved as a new version; a
// built-in is duplicated as a switched-off copy.
func TestPlaybookEditor(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	code, page := c.get("/playbooks/win_back/edit")
	if code != http.StatusOK {
		t.Fatalf("the editor: %d", code)
	}
	form := formValues(t, page, "editor")
	form.Set("op", "save")
	if code, body := c.post("/playbooks/win_back/edit", form, ""); code != http.StatusOK || !strings.Contains(body, `id="editor-notice"`) || !strings.Contains(body, "Nothing changed: still version 1") {
		i := strings.Index(body, "<main")
		t.Fatalf("saving the form unchanged: %d %s", code, body[i:i+1500])
	}
	var msg string
	for k := range form {
		if strings.HasSuffix(k, ".text.bn") {
			msg = strings.TrimSuffix(k, ".bn")
			break
		}
	}
	if msg == "" {
		t.Fatal("no message step in win_back")
	}
	form.Set(msg+".bn", "")
	code, body := c.post("/playbooks/win_back/edit", form, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "Write this text in every language") {
		t.Errorf("an empty Bengali text: %d", code)
	}
	custs, err := s.db.GetCustomer(context.Background(), firstExternalID(t, s))
	if err != nil {
		t.Fatal(err)
	}
	form.Set(msg+".bn", "ধন্যবাদ {{.FirstName}}, নতুন লেখা")
	form.Set(msg+".en", "Thanks {{.FirstName}}, new text")
	form.Set(msg+".ne", "धन्यवाद {{.FirstName}}, नयाँ पाठ")
	form.Set("customer", custs.ExternalID)
	form.Set("op", "preview")
	code, body = c.post("/playbooks/win_back/edit", form, "")
	first, _, _ := strings.Cut(custs.Name, " ")
	if code != http.StatusOK || !strings.Contains(body, `id="sim"`) || !strings.Contains(body, first+", ") {
		t.Errorf("the preview for %s (%s): %d", custs.ExternalID, first, code)
	}
	form.Set("op", "save")
	if code, body := c.post("/playbooks/win_back/edit", form, ""); code != http.StatusOK || !strings.Contains(body, "Saved as version 2") {
		t.Errorf("saving the change: %d", code)
	}
	if code, _ := c.post("/playbooks/win_back/duplicate", url.Values{}, ""); code != http.StatusSeeOther || c.lastLocation != "/playbooks/win_back-copy/edit" {
		t.Errorf("duplicating: %d → %q", code, c.lastLocation)
	}
	if code, _ := c.get("/playbooks/win_back-copy/edit"); code != http.StatusOK {
		t.Errorf("the copy's editor: %d", code)
	}
	// An agent reads playbooks but does not edit them.
	a := s.client(t)
	a.login("agent@shop.example", password)
	if code, _ := a.get("/playbooks/win_back/edit"); code != http.StatusForbidden {
		t.Errorf("an agent in the editor: %d", code)
	}
}

// firstExternalID is the external id of a customer with a phone, so a
// simulated message has somewhere to go.
func firstExternalID(t *testing.T, s *site) string {
	t.Helper()
	rows, _, err := s.db.Customers(context.Background(), store.CustomerFilter{Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Phone != "" {
			return r.ExternalID
		}
	}
	t.Fatal("no customer with a phone")
	return ""
}

// TestPlaybookEditorCouponStep: service recovery's goodwill coupon comes
// back from the form unchanged; a minimum spend that is no amount is
// refused, not dropped; a coupon step added and given an amount typed in
// Bengali digits is saved in minor units; a points step with no points is
// refused at its field.
func TestPlaybookEditorCouponStep(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	_, page := c.get("/playbooks/service_recovery/edit")
	form := formValues(t, page, "editor")
	form.Set("op", "save")
	if code, body := c.post("/playbooks/service_recovery/edit", form, ""); code != http.StatusOK || !strings.Contains(body, "Nothing changed: still version 1") {
		t.Fatalf("saving service recovery unchanged: %d", code)
	}
	form.Set("op", "add")
	form.Set("add_type", "coupon")
	code, page := c.post("/playbooks/service_recovery/edit", form, "")
	if code != http.StatusOK {
		t.Fatalf("adding a coupon step: %d", code)
	}
	form = formValues(t, page, "editor")
	var coupons []string // the coupon steps' field prefixes: the goodwill one and the one added
	for k := range form {
		if at, ok := strings.CutSuffix(k, ".coupon.kind"); ok {
			coupons = append(coupons, at)
		}
	}
	if len(coupons) != 2 {
		t.Fatalf("coupon steps after adding one: %v", coupons)
	}
	slices.Sort(coupons) // steps[4] (goodwill) before steps[8], the one added
	added := coupons[1]
	form.Set(added+".coupon.kind", "amount")
	form.Set(added+".coupon.amount_minor", "২০০")
	form.Set(added+".coupon.min_spend_minor", "a thousand")
	form.Set("op", "save")
	if code, body := c.post("/playbooks/service_recovery/edit", form, ""); code != http.StatusBadRequest ||
		!strings.Contains(body, `name="`+added+`.coupon.min_spend_minor"`) || !strings.Contains(body, "aria-invalid") {
		t.Fatalf("a minimum spend that is no amount: %d", code)
	}
	form.Set(added+".coupon.min_spend_minor", "")
	if code, body := c.post("/playbooks/service_recovery/edit", form, ""); code != http.StatusOK || !strings.Contains(body, "Saved as version 2") {
		i := strings.Index(body, "<main")
		t.Fatalf("saving the amount coupon: %d %s", code, body[i:min(len(body), i+3000)])
	}
	row, err := s.db.PlaybookHead(context.Background(), "service_recovery")
	if err != nil || !strings.Contains(string(row.Definition), `"kind":"amount","amount_minor":20000`) {
		t.Fatalf("the saved coupon: %s %v", row.Definition, err)
	}
	form.Set("op", "add")
	form.Set("add_type", "points")
	_, page = c.post("/playbooks/service_recovery/edit", form, "")
	form = formValues(t, page, "editor")
	for k := range form {
		if strings.HasSuffix(k, ".points") {
			form.Set(k, "0")
			form.Set("op", "save")
			if code, body := c.post("/playbooks/service_recovery/edit", form, ""); code != http.StatusBadRequest || !strings.Contains(body, `name="`+k+`" inputmode="numeric" value="0" aria-invalid="true"`) {
				t.Errorf("a points step of 0 points: %d", code)
			}
			return
		}
	}
	t.Fatal("no points field after adding a points step")
}
