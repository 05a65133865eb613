package httpapi

import (
	"html/template"
	"net/http"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
)

// Unsubscribe links (RFC 8058). GET shows a page with a button and never
// unsubscribes (link scanners fetch URLs); POST — the button, or a mail
// client's one-click "List-Unsubscribe=One-Click" — withdraws marketing
// consent on the link's channel at once.

var unsubscribePage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem}
header{display:flex;align-items:center;gap:.75rem;padding-bottom:1rem;border-bottom:1px solid #ddd}header img{max-height:48px;max-width:160px}</style>
</head><body>{{if or .Logo .Business}}<header>{{if .Logo}}<img src="/logo" alt="">{{end}}<strong>{{.Business}}</strong></header>{{end}}<h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post"><button type="submit">{{.Button}}</button></form>{{end}}
</body></html>`))

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Never framed: a page that acts on one click must not sit under someone
	// else's (clickjacking).
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	secret, err := core.UnsubscribeSecret(r.Context(), a.db)
	if err != nil {
		a.log.Error("unsubscribe", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	customerID, channel, err := core.ParseUnsubscribeToken(secret, r.PathValue("token"))
	lang := "en" // the customer's language, from the catalogs the UI uses
	if err == nil {
		if f, ferr := a.db.CustomerFacts(r.Context(), customerID); ferr == nil {
			lang = i18n.Lang(f.Locale)
		}
	}
	l := i18n.New(lang, true)
	page := map[string]any{"Lang": l.Lang, "Title": l.T("unsubscribe.title"), "Text": l.T("unsubscribe.text"), "Button": l.T("unsubscribe.button"), "Form": true}
	// The customer sees whose messages they are leaving: the business's
	// name and logo, as on its messages.
	if m, err := a.live.Messaging(r.Context()); err == nil {
		page["Business"], page["Logo"] = m.Settings.BusinessName, len(m.Logo) > 0
	} else {
		a.log.Error("unsubscribe", "err", err)
	}
	switch {
	case err != nil:
		w.WriteHeader(http.StatusNotFound)
		page["Text"], page["Form"] = l.T("unsubscribe.invalid"), false
	case r.Method == http.MethodPost:
		if err := a.db.SetConsent(r.Context(), customerID, channel, "marketing", false, "unsubscribe link"); err != nil {
			a.log.Error("unsubscribe", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page["Title"], page["Text"], page["Form"] = l.T("unsubscribe.done"), l.T("unsubscribe.done_text"), false
	}
	_ = unsubscribePage.Execute(w, page)
}
