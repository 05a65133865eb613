package httpapi

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/retainhq/retain/internal/core"
)

// Unsubscribe links (RFC 8058). GET shows a page with a button and never
// unsubscribes (link scanners fetch URLs); POST — the button, or a mail
// client's one-click "List-Unsubscribe=One-Click" — withdraws marketing
// consent on the link's channel at once.

var unsubscribePage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post"><button type="submit">{{.Button}}</button></form>{{end}}
</body></html>`))

type unsubscribeText struct{ Title, Text, Button, Done, DoneText, Invalid string }

var unsubscribeTexts = map[string]unsubscribeText{
	"en": {"Unsubscribe", "Stop receiving marketing messages from us on this channel? Messages about your orders still arrive.", "Unsubscribe",
		"You are unsubscribed", "You will not receive marketing messages from us on this channel any more.", "This unsubscribe link is not valid."},
	"bn": {"আনসাবস্ক্রাইব", "এই মাধ্যমে আমাদের প্রচারমূলক বার্তা পাওয়া বন্ধ করবেন? আপনার অর্ডারের খবর আগের মতোই পাবেন।", "আনসাবস্ক্রাইব করুন",
		"আপনি আনসাবস্ক্রাইব করেছেন", "এই মাধ্যমে আপনি আর আমাদের প্রচারমূলক বার্তা পাবেন না।", "এই আনসাবস্ক্রাইব লিংকটি সঠিক নয়।"},
	"ne": {"अनसबस्क्राइब", "यो माध्यमबाट हाम्रा प्रचार सन्देशहरू पाउन बन्द गर्ने? तपाईंको अर्डरसम्बन्धी सन्देश भने आइरहनेछन्।", "अनसबस्क्राइब गर्नुहोस्",
		"तपाईं अनसबस्क्राइब हुनुभयो", "यो माध्यमबाट अब तपाईंलाई हाम्रा प्रचार सन्देशहरू आउनेछैनन्।", "यो अनसबस्क्राइब लिंक मान्य छैन।"},
}

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Never framed: a page that acts on one click must not sit under someone
	// else's (clickjacking).
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	secret, err := core.UnsubscribeSecret(r.Context(), a.db)
	if err != nil {
		a.log.Error("unsubscribe", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	customerID, channel, err := core.ParseUnsubscribeToken(secret, r.PathValue("token"))
	lang := "en"
	if err == nil {
		if f, ferr := a.db.CustomerFacts(r.Context(), customerID); ferr == nil {
			for _, l := range []string{"bn", "ne"} {
				if strings.HasPrefix(f.Locale, l) {
					lang = l
				}
			}
		}
	}
	t := unsubscribeTexts[lang]
	page := map[string]any{"Lang": lang, "Title": t.Title, "Text": t.Text, "Button": t.Button, "Form": true}
	switch {
	case err != nil:
		w.WriteHeader(http.StatusNotFound)
		page["Text"], page["Form"] = t.Invalid, false
	case r.Method == http.MethodPost:
		if err := a.db.SetConsent(r.Context(), customerID, channel, "marketing", false, "unsubscribe link"); err != nil {
			a.log.Error("unsubscribe", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page["Title"], page["Text"], page["Form"] = t.Done, t.DoneText, false
	}
	_ = unsubscribePage.Execute(w, page)
}
