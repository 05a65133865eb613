package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"text/template"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
)

// The chat widget a shop puts on its own website: one script tag,
//
//	<script src="https://RETAIN/widget.js" data-lang="bn" defer></script>
//
// served by Retain itself (no CDN), adds a "Chat with us" button and a
// small panel. A visitor's first message, with their name and mobile
// number or e-mail, opens a conversation in the support desk (channel
// chat) like any inbound message; the browser keeps the conversation's
// token and reads the agents' replies every few seconds. The endpoints are
// cross-origin by design (the shop's site is another origin): they take no
// cookies, answer any origin, and are rate-limited per address.

// langCountry is the country of a number written without +code on a page
// in that language, when the business's own is not known.
var langCountry = map[string]string{"bn": "BD", "ne": "NP"}

// widgetMessages is how many messages one address may send a minute.
const widgetMessages = 10

// widgetScript is the script; its words are the visitor's language's,
// filled in when it is served.
var widgetScript = template.Must(template.New("widget").Parse(`// Retain chat widget
(function () {
  "use strict";
  var T = {{.Texts}};
  var me = document.currentScript;
  var base = new URL(me.src).origin;
  var key = "retain-chat:" + base;
  var token = localStorage.getItem(key) || "";
  // A number written without +code is the shop's country's: data-country,
  // else the page language's (Bengali: BD, Nepali: NP).
  var country = me.getAttribute("data-country") || {{.Country}};
  function el(tag, style, text) {
    var e = document.createElement(tag);
    if (style) { e.style.cssText = style; }
    if (text) { e.textContent = text; }
    return e;
  }
  var font = "font:15px/1.4 system-ui,'Noto Sans Bengali','Noto Sans Devanagari',sans-serif;";
  var button = el("button", font + "position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#0b6bcb;color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)", T.open);
  button.id = "retain-chat-open";
  var panel = el("div", font + "position:fixed;right:16px;bottom:72px;z-index:2147483000;width:min(340px,calc(100vw - 32px));max-height:min(520px,calc(100vh - 96px));display:none;flex-direction:column;background:#fff;color:#1d2433;border:1px solid #d9dde5;border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.2);overflow:hidden");
  panel.id = "retain-chat";
  var head = el("div", "display:flex;justify-content:space-between;align-items:center;padding:10px 12px;background:#0b6bcb;color:#fff;font-weight:600", T.title);
  var close = el("button", "border:0;background:none;color:#fff;font-size:18px;cursor:pointer", "×");
  close.setAttribute("aria-label", T.close);
  head.appendChild(close);
  var log = el("div", "flex:1;overflow-y:auto;padding:10px 12px;min-height:80px");
  log.id = "retain-chat-log";
  var form = el("form", "display:flex;flex-direction:column;gap:6px;padding:10px 12px;border-top:1px solid #d9dde5");
  var input = function (name, label, type) {
    var i = el(type === "textarea" ? "textarea" : "input", font + "box-sizing:border-box;width:100%;padding:8px;border:1px solid #c6ccd6;border-radius:6px");
    i.name = name; i.placeholder = label; i.setAttribute("aria-label", label);
    if (type === "textarea") { i.rows = 3; } else { i.type = type; }
    return i;
  };
  var name = input("name", T.name, "text"), contact = input("contact", T.contact, "text"), text = input("text", T.message, "textarea");
  var status = el("div", "font-size:13px;color:#a40;min-height:1em");
  status.setAttribute("role", "status");
  var send = el("button", font + "border:0;border-radius:6px;padding:8px;background:#0b6bcb;color:#fff;cursor:pointer", T.send);
  send.type = "submit";
  form.append(name, contact, text, status, send);
  panel.append(head, log, form);
  function identity() { name.style.display = contact.style.display = token ? "none" : ""; }
  function show(lines) {
    log.textContent = "";
    lines.forEach(function (l) {
      var p = el("div", "margin:4px 0;padding:6px 9px;border-radius:8px;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere;" +
        (l.mine ? "margin-left:auto;background:#eef6ff" : "background:#f1f3f6"));
      p.appendChild(el("small", "display:block;color:#5b6475", l.mine ? T.you : T.us));
      p.appendChild(document.createTextNode(l.text));
      log.appendChild(p);
    });
    log.scrollTop = log.scrollHeight;
  }
  function poll() {
    if (!token || panel.style.display === "none") { return; }
    fetch(base + "/widget/messages?token=" + encodeURIComponent(token)).then(function (r) {
      if (r.status === 404) { localStorage.removeItem(key); token = ""; identity(); return null; }
      return r.ok ? r.json() : null;
    }).then(function (d) { if (d) { show(d.messages); } }).catch(function () {});
  }
  button.onclick = function () { panel.style.display = panel.style.display === "flex" ? "none" : "flex"; identity(); poll(); };
  close.onclick = function () { panel.style.display = "none"; };
  form.onsubmit = function (e) {
    e.preventDefault();
    status.textContent = "";
    var body = JSON.stringify({token: token, name: name.value, contact: contact.value, text: text.value, country: country});
    // text/plain: a simple request, no preflight.
    fetch(base + "/widget/messages", {method: "POST", headers: {"Content-Type": "text/plain"}, body: body}).then(function (r) {
      return r.json().then(function (d) { return {ok: r.ok, d: d}; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = T[res.d.problem] || T.failed; return; }
      token = res.d.token; localStorage.setItem(key, token); identity();
      text.value = ""; status.style.color = "#1e8e3e"; status.textContent = T.sent;
      poll();
    }).catch(function () { status.textContent = T.failed; });
  };
  setInterval(poll, 5000);
  document.body.append(button, panel);
})();
`))

func (s *Server) widgetJS(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if !strings.Contains(" en bn ne ", " "+lang+" ") || lang == "" {
		lang = "en"
	}
	l := i18n.New(lang, true)
	texts := map[string]string{}
	for _, k := range []string{"open", "title", "name", "contact", "message", "send", "sent", "bad_contact", "bad_text", "busy", "failed", "us", "you", "close"} {
		texts[k] = l.T("widget." + k)
	}
	b, _ := json.Marshal(texts)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	country, _ := json.Marshal(langCountry[lang])
	widgetScript.Execute(w, map[string]any{"Texts": string(b), "Country": string(country)})
}

// widgetCORS lets the shop's pages call the widget's endpoints: no
// cookies travel, so any origin may.
func widgetCORS(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
}

// widgetAnswer writes a JSON answer; a problem is a catalog key the
// script shows in the visitor's language.
func widgetAnswer(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) widgetPost(w http.ResponseWriter, r *http.Request) {
	widgetCORS(w)
	if !s.widgetSends.Take(s.clientIP(r), widgetMessages, s.db.Now()) {
		widgetAnswer(w, http.StatusTooManyRequests, map[string]string{"problem": "busy"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<10))
	var m core.WidgetMessage
	if err != nil || json.Unmarshal(body, &m) != nil {
		widgetAnswer(w, http.StatusBadRequest, map[string]string{"problem": "failed", "field": "body"})
		return
	}
	token, err := core.TakeWidget(r.Context(), s.db, m)
	if err != nil {
		var re *retain.Error
		field := ""
		if errors.As(err, &re) && re.Code == retain.EINVALID {
			if fs := re.Fields.Fields(); len(fs) > 0 {
				field = fs[0]
			}
			problem := map[string]string{"contact": "bad_contact", "from": "bad_contact", "text": "bad_text"}[field]
			widgetAnswer(w, http.StatusBadRequest, map[string]string{"problem": cmp.Or(problem, "failed"), "field": field})
			return
		}
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			widgetAnswer(w, http.StatusNotFound, map[string]string{"problem": "failed", "field": "token"})
			return
		}
		s.log.Error("widget", "err", err)
		widgetAnswer(w, http.StatusInternalServerError, map[string]string{"problem": "failed"})
		return
	}
	widgetAnswer(w, http.StatusCreated, map[string]string{"token": token})
}

func (s *Server) widgetGet(w http.ResponseWriter, r *http.Request) {
	widgetCORS(w)
	lines, err := core.WidgetThread(r.Context(), s.db, r.URL.Query().Get("token"))
	switch {
	case retain.ErrorCode(err) == retain.ENOTFOUND:
		widgetAnswer(w, http.StatusNotFound, map[string]string{"problem": "failed"})
	case err != nil:
		s.log.Error("widget", "err", err)
		widgetAnswer(w, http.StatusInternalServerError, map[string]string{"problem": "failed"})
	default:
		widgetAnswer(w, http.StatusOK, map[string]any{"messages": lines})
	}
}
