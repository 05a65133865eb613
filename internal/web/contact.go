package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
)

// The contact form (/contact): Retain's own page a shop links to from its
// website, its Facebook page or a receipt ("write to us"). It works without
// JavaScript and on a small phone, in the visitor's language (?lang=bn). A
// message, with the visitor's name and mobile number or e-mail, opens a
// conversation in the support desk on the channel web; the agents' answers
// go by e-mail or SMS to what the visitor gave. Sends are limited per
// address, as the chat widget's are.

type contactPage struct {
	Business string
	Lang     string
	Name     string
	Contact  string
	Subject  string
	Text     string
	Fields   map[string]string // a problem by field, in the visitor's words
	Sent     bool
}

// contactFields are the form's fields, as the core's problems name them.
var contactFields = []string{"contact", "text", "from"}

func (s *Server) contactForm(w http.ResponseWriter, r *http.Request) {
	l := visitorLocale(r)
	if q := r.FormValue("lang"); slices.Contains(i18n.Languages, q) {
		l = i18n.New(q, true)
	}
	v := s.visitor(r, l)
	p := contactPage{Lang: l.Lang, Sent: r.FormValue("sent") == "1"}
	if m, err := s.live.Messaging(r.Context()); err == nil {
		p.Business = m.Settings.BusinessName
	}
	v.Title, v.Brand = l.T("contact.title"), p.Business
	status := http.StatusOK
	if r.Method == http.MethodPost {
		p.Name, p.Contact, p.Subject, p.Text = r.FormValue("name"), r.FormValue("contact"), r.FormValue("subject"), r.FormValue("text")
		if !s.widgetSends.Take(s.clientIP(r), widgetMessages, s.db.Now()) {
			p.Fields, status = map[string]string{"text": l.T("widget.busy")}, http.StatusTooManyRequests
		} else {
			_, err := core.TakeContact(r.Context(), s.db, core.ContactMessage{Name: p.Name, Contact: p.Contact, Subject: p.Subject, Text: p.Text,
				Country: cmp.Or(core.PhoneCountry(r.Context(), s.db), langCountry[l.Lang])})
			var e *retain.Error
			switch {
			case errors.As(err, &e) && e.Code == retain.EINVALID:
				p.Fields, status = map[string]string{}, http.StatusBadRequest
				for _, f := range e.Fields.Fields() {
					if !slices.Contains(contactFields, f) {
						f = "text"
					}
					if f == "from" {
						f = "contact"
					}
					p.Fields[f] = l.T("widget.bad_" + f)
				}
			case err != nil:
				s.errorPage(w, v, err)
				return
			default:
				http.Redirect(w, r, "/contact?sent=1&lang="+l.Lang, http.StatusSeeOther)
				return
			}
		}
	}
	v.Data = p
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, status, "contact", v)
}
