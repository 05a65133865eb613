package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
)

// channelData is the settings as forms: the business, each channel with
// its own fields, quiet hours and caps. Secrets are never sent back to the
// browser: a form says whether one is set, and a blank field keeps it.
type channelData struct {
	Wizard bool // shown in the setup wizard, which goes on after saving
	S      messaging.Settings
	// Headers is the SMS gateway's headers as "Name: value" lines, the
	// values masked; a line left masked keeps its value.
	Headers string
	// Set says which secrets are stored: "whatsapp.token",
	// "email.password", "webhook.secret", "inbound_secret".
	Set        map[string]bool
	Channels   []string
	Zones      []string
	Currencies []string
	// Form names the form Fields are about ("business", "sms", …), so
	// the page opens it and shows what was typed.
	Form    string
	Fields  fieldErrors
	Notice  string
	Problem string
	HasLogo bool
}

// channelNames are the channels, in the order the page shows them.
var channelNames = []string{"sms", "whatsapp", "email", "webhook"}

// masked is what a stored secret looks like in a form that must not show it.
const masked = "••••••"

func (s *Server) channelForms(r *http.Request, v *view) (channelData, error) {
	st, err := core.MessagingSettings(r.Context(), s.db)
	if err != nil {
		return channelData{}, err
	}
	d := channelData{S: st, Set: map[string]bool{}, Channels: channelNames, Zones: commonZones, Currencies: currencies}
	if logo, _, err := s.logo(r.Context()); err == nil {
		d.HasLogo = len(logo) > 0
	}
	if st.SMS != nil {
		var lines []string
		for k := range st.SMS.Headers {
			lines = append(lines, k+": "+masked)
		}
		sort.Strings(lines)
		d.Headers = strings.Join(lines, "\n")
	}
	d.Set["whatsapp.token"] = st.WhatsApp != nil && st.WhatsApp.Token != ""
	d.Set["whatsapp.app_secret"] = st.WhatsApp != nil && st.WhatsApp.AppSecret != ""
	d.Set["whatsapp.verify_token"] = st.WhatsApp != nil && st.WhatsApp.VerifyToken != ""
	d.Set["email.password"] = st.Email != nil && st.Email.Password != ""
	d.Set["webhook.secret"] = st.Webhook != nil && st.Webhook.Secret != ""
	d.Set["inbound_secret"] = st.InboundSecret != ""
	d.Set["imap.password"] = st.IMAP != nil && st.IMAP.Password != ""
	d.Set["messenger.page_token"] = st.Messenger != nil && st.Messenger.PageToken != ""
	d.Set["messenger.app_secret"] = st.Messenger != nil && st.Messenger.AppSecret != ""
	d.Set["messenger.verify_token"] = st.Messenger != nil && st.Messenger.VerifyToken != ""
	return d, nil
}

// renderChannels shows the forms again after a save: in the wizard or on
// the settings page, wherever the form was sent from.
func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, v *view, form string, bad fieldErrors, notice, trouble string) error {
	return s.channelsPage(w, r, v, form, bad, notice, trouble, nil)
}

// refuseChannels shows a refused form with its complaints and with what
// was typed in it (typed applies the form to the stored settings, for
// showing only): nothing typed is lost to an error.
func (s *Server) refuseChannels(w http.ResponseWriter, r *http.Request, v *view, form string, bad fieldErrors, typed func(*messaging.Settings) error) error {
	return s.channelsPage(w, r, v, form, bad, "", "", typed)
}

func (s *Server) channelsPage(w http.ResponseWriter, r *http.Request, v *view, form string, bad fieldErrors, notice, trouble string, typed func(*messaging.Settings) error) error {
	status := 0
	if len(bad) > 0 {
		status = http.StatusBadRequest
	}
	if r.FormValue("wizard") == "1" {
		d, err := s.channelForms(r, v)
		if err != nil {
			return err
		}
		if typed != nil {
			typed(&d.S) // its own complaint is already in bad
		}
		d.Wizard, d.Form, d.Fields, d.Notice, d.Problem = true, form, bad, notice, trouble
		v.Title, v.Data = v.L.T("setup.channel_title"), d
		s.renderStatus(w, status, "setup_channel", v)
		return nil
	}
	return s.renderSettings(w, r, v, settingsData{status: status, Form: form, Fields: bad, Notice: notice, Problem: trouble, typed: typed})
}

// saveSettings applies change to the stored document and shows the result:
// a field the check refuses is marked at that field.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, v *view, form string, change func(*messaging.Settings) error) error {
	err := core.UpdateMessaging(r.Context(), s.db, v.Actor, change)
	if retain.ErrorCode(err) == retain.EINVALID {
		bad := invalidFields(v, err)
		if len(bad) == 0 {
			bad.add(v, form, "form.invalid")
		}
		return s.refuseChannels(w, r, v, form, bad, change)
	}
	if err != nil {
		return err
	}
	return s.renderChannels(w, r, v, form, nil, v.L.T("settings.saved"), "")
}

// saveBusiness stores the business's name, zone, currency and public URL.
func (s *Server) saveBusiness(w http.ResponseWriter, r *http.Request, v *view) error {
	name, zone := strings.TrimSpace(r.FormValue("business_name")), strings.TrimSpace(r.FormValue("time_zone"))
	cur, public := strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))), strings.TrimSpace(r.FormValue("public_url"))
	lang, review := r.FormValue("language"), strings.TrimSpace(r.FormValue("review_url"))
	bad := fieldErrors{}
	if lang != "" && !slices.Contains(i18n.Languages, lang) {
		bad.add(v, "language", "form.choose")
	}
	if len(name) > 200 {
		bad.add(v, "business_name", "form.too_long", "Max", 200)
	}
	if zone != "" && retain.CheckTimeZone(zone) != nil {
		bad.add(v, "time_zone", "settings.time_zone_bad", "Zone", zone)
	}
	if _, err := retain.CurrencyDigits(cur); cur != "" && err != nil {
		bad.add(v, "currency", "form.currency_bad")
	}
	if public != "" && !webURL(public) {
		bad.add(v, "public_url", "form.url_bad")
	}
	if review != "" && !webURL(review) {
		bad.add(v, "review_url", "form.url_bad")
	}
	change := func(m *messaging.Settings) error {
		m.BusinessName, m.TimeZone, m.Currency, m.PublicURL, m.Language = name, zone, cur, strings.TrimSuffix(public, "/"), lang
		m.ReviewURL = review
		return nil
	}
	if len(bad) > 0 {
		return s.refuseChannels(w, r, v, "business", bad, change)
	}
	return s.saveSettings(w, r, v, "business", change)
}

// webURL reports whether u is an absolute http or https address.
func webURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

// keep is a secret field's new value: what was typed, or the stored one
// when the field was left blank.
func keep(typed, stored string) string {
	if typed = strings.TrimSpace(typed); typed == "" || typed == masked {
		return stored
	}
	return typed
}

// saveChannel stores one channel from its form, or removes it.
func (s *Server) saveChannel(w http.ResponseWriter, r *http.Request, v *view) error {
	ch := r.PathValue("channel")
	f := func(name string) string { return strings.TrimSpace(r.FormValue(name)) }
	remove := r.FormValue("remove") == "1"
	cur, err := core.MessagingSettings(r.Context(), s.db)
	if err != nil {
		return err
	}
	bad := fieldErrors{}
	var change func(*messaging.Settings) error
	switch ch {
	case "sms":
		method := strings.ToUpper(f("method"))
		if method == "" {
			method = "POST"
		}
		if method != "POST" && method != "GET" {
			bad.add(v, "sms.method", "form.choose")
		}
		change = func(m *messaging.Settings) error {
			old := messaging.GatewayConfig{}
			if m.SMS != nil {
				old = *m.SMS
			}
			g := messaging.GatewayConfig{Method: method, URL: keepURL(f("url"), old.URL), Body: r.FormValue("body"), SuccessContains: f("success_contains"),
				ProviderIDField: f("provider_id_field"), IdempotencyHeader: f("idempotency_header"), Headers: map[string]string{}}
			for i, line := range strings.Split(r.FormValue("headers"), "\n") {
				if line = strings.TrimSpace(line); line == "" {
					continue
				}
				k, val, ok := strings.Cut(line, ":")
				if !ok || strings.TrimSpace(k) == "" {
					return retain.FieldError("sms.headers", "line %d is not Name: value", i+1)
				}
				k = strings.TrimSpace(k)
				g.Headers[k] = keep(val, old.Headers[k])
			}
			m.SMS = &g
			m.AllowNetworks = strings.Fields(strings.ReplaceAll(r.FormValue("allow_networks"), ",", " "))
			return nil
		}
		if !remove && f("url") == "" && cur.SMS == nil {
			bad.add(v, "sms.url", "form.required")
		}
	case "whatsapp":
		if id := f("phone_number_id"); !remove && (id == "" || strings.Trim(id, "0123456789") != "") {
			bad.add(v, "whatsapp.phone_number_id", "settings.digits_only")
		}
		if !remove && f("token") == "" && (cur.WhatsApp == nil || cur.WhatsApp.Token == "") {
			bad.add(v, "whatsapp.token", "form.required")
		}
		if base := f("api_base"); base != "" && !webURL(base) {
			bad.add(v, "whatsapp.api_base", "form.url_bad")
		}
		change = func(m *messaging.Settings) error {
			var old messaging.WhatsAppSettings
			if m.WhatsApp != nil {
				old = *m.WhatsApp
			}
			m.WhatsApp = &messaging.WhatsAppSettings{PhoneNumberID: f("phone_number_id"), Token: keep(f("token"), old.Token), APIBase: f("api_base"),
				AppSecret: keep(f("app_secret"), old.AppSecret), VerifyToken: keep(f("verify_token"), old.VerifyToken)}
			return nil
		}
	case "email":
		port := 0
		if p := f("port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				bad.add(v, "email.port", "settings.port_bad")
			}
			port = n
		}
		if !remove && f("host") == "" {
			bad.add(v, "email.host", "form.required")
		}
		if from := f("from"); !remove && (from == "" || !strings.Contains(from, "@")) {
			bad.add(v, "email.from", "form.email_bad")
		}
		tls := f("tls")
		if tls != "" && tls != "starttls" && tls != "tls" && tls != "none" {
			bad.add(v, "email.tls", "form.choose")
		}
		change = func(m *messaging.Settings) error {
			old := ""
			if m.Email != nil {
				old = m.Email.Password
			}
			m.Email = &messaging.EmailSettings{Host: f("host"), Port: port, Username: f("username"), Password: keep(f("password"), old), From: f("from"), TLS: tls}
			return nil
		}
	case "imap":
		port := 0
		if p := f("port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				bad.add(v, "imap.port", "settings.port_bad")
			}
			port = n
		}
		for _, field := range []string{"host", "username"} {
			if !remove && f(field) == "" {
				bad.add(v, "imap."+field, "form.required")
			}
		}
		if !remove && f("password") == "" && (cur.IMAP == nil || cur.IMAP.Password == "") {
			bad.add(v, "imap.password", "form.required")
		}
		tls := f("tls")
		if tls != "" && tls != "starttls" && tls != "tls" && tls != "none" {
			bad.add(v, "imap.tls", "form.choose")
		}
		change = func(m *messaging.Settings) error {
			old := ""
			if m.IMAP != nil {
				old = m.IMAP.Password
			}
			m.IMAP = &messaging.IMAPSettings{Host: f("host"), Port: port, Username: f("username"), Password: keep(f("password"), old),
				Mailbox: f("mailbox"), TLS: tls}
			return nil
		}
	case "messenger":
		if !remove && f("page_token") == "" && (cur.Messenger == nil || cur.Messenger.PageToken == "") {
			bad.add(v, "messenger.page_token", "form.required")
		}
		if !remove && f("app_secret") == "" && (cur.Messenger == nil || cur.Messenger.AppSecret == "") {
			bad.add(v, "messenger.app_secret", "form.required") // without it no webhook is believed
		}
		if base := f("api_base"); base != "" && !webURL(base) {
			bad.add(v, "messenger.api_base", "form.url_bad")
		}
		change = func(m *messaging.Settings) error {
			var old messaging.MessengerSettings
			if m.Messenger != nil {
				old = *m.Messenger
			}
			m.Messenger = &messaging.MessengerSettings{PageToken: keep(f("page_token"), old.PageToken), AppSecret: keep(f("app_secret"), old.AppSecret),
				VerifyToken: keep(f("verify_token"), old.VerifyToken), APIBase: f("api_base")}
			return nil
		}
	case "webhook":
		if sec := f("secret"); !remove && sec != "" {
			if _, err := messaging.ParseSecret(sec); err != nil {
				bad.add(v, "webhook.secret", "settings.secret_bad")
			}
		} else if !remove && (cur.Webhook == nil || cur.Webhook.Secret == "") {
			bad.add(v, "webhook.secret", "form.required")
		}
		change = func(m *messaging.Settings) error {
			old := ""
			if m.Webhook != nil {
				old = m.Webhook.Secret
			}
			m.Webhook = &messaging.WebhookSettings{Secret: keep(f("secret"), old)}
			return nil
		}
	default:
		return retain.Errorf(retain.ENOTFOUND, "no channel %q", ch)
	}
	if remove {
		return s.saveSettings(w, r, v, ch, func(m *messaging.Settings) error {
			switch ch {
			case "sms":
				m.SMS = nil
			case "whatsapp":
				m.WhatsApp = nil
			case "email":
				m.Email = nil
			case "webhook":
				m.Webhook = nil
			case "imap":
				m.IMAP = nil
			case "messenger":
				m.Messenger = nil
			}
			return nil
		})
	}
	if len(bad) > 0 {
		return s.refuseChannels(w, r, v, ch, bad, change)
	}
	return s.saveSettings(w, r, v, ch, change)
}

// keepURL is the gateway URL: what was typed, else the stored one (whose
// query may hold an API key and is never shown).
func keepURL(typed, stored string) string {
	if typed == "" || strings.Contains(typed, masked) {
		return stored
	}
	return typed
}

// saveQuiet stores quiet hours ("21:00-08:00" or "off") and daily caps of
// marketing messages, per channel.
func (s *Server) saveQuiet(w http.ResponseWriter, r *http.Request, v *view) error {
	bad := fieldErrors{}
	quiet, caps := map[string]string{}, map[string]int{}
	for _, ch := range channelNames {
		if q := strings.TrimSpace(r.FormValue("quiet." + ch)); q != "" {
			if _, err := messaging.ParseWindow(q); err != nil {
				bad.add(v, "quiet_hours."+ch, "settings.window_bad")
			}
			quiet[ch] = q
		}
		if c := strings.TrimSpace(r.FormValue("cap." + ch)); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 {
				bad.add(v, "daily_caps."+ch, "settings.cap_bad")
			}
			caps[ch] = n
		}
	}
	strict := strings.TrimSpace(r.FormValue("strict"))
	if strict != "" {
		if _, err := messaging.ParseWindow(strict); err != nil {
			bad.add(v, "strict_quiet_hours", "settings.window_bad")
		}
	}
	change := func(m *messaging.Settings) error {
		m.QuietHours, m.DailyCaps, m.StrictQuiet = quiet, caps, strict
		return nil
	}
	if len(bad) > 0 {
		return s.refuseChannels(w, r, v, "quiet", bad, change)
	}
	return s.saveSettings(w, r, v, "quiet", change)
}
