package web

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

// Route is one page or action of the UI and the permission it needs.
type Route struct {
	Pattern    string
	Permission retain.Permission
}

// pageFunc is a page or action for a signed-in person. It returns an
// error instead of writing one: the router answers it with the status
// retain.HTTPStatus gives and a localized error page.
type pageFunc func(http.ResponseWriter, *http.Request, *view) error

// routes lists every route of the UI with the permission it needs; the
// route × role test in permissions_test.go walks this list.
func (s *Server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	s.public(mux, "GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	s.public(mux, "GET /logo", http.HandlerFunc(s.serveLogo))
	s.public(mux, "GET /login", secure(http.HandlerFunc(s.loginPage)))
	s.public(mux, "POST /login", s.protect.Handler(secure(http.HandlerFunc(s.loginPost))))
	// The second factor's form: guarded by the half-open session the
	// password made, not by a permission.
	s.public(mux, "GET /login/code", secure(http.HandlerFunc(s.codePage)))
	s.public(mux, "POST /login/code", s.protect.Handler(secure(http.HandlerFunc(s.codePost))))
	// A one-time invitation or reset link: guarded by its token.
	s.public(mux, "GET /account/{token}", secure(http.HandlerFunc(s.accountPage)))
	s.public(mux, "POST /account/{token}", s.protect.Handler(secure(http.HandlerFunc(s.accountPost))))
	// The first-run wizard: guarded by the setup token serve prints, and
	// open only while nobody can sign in.
	s.public(mux, "GET /setup", secure(http.HandlerFunc(s.setupPage)))
	s.public(mux, "POST /setup", s.protect.Handler(secure(http.HandlerFunc(s.setupPost))))
	// A survey invitation's page: guarded by its token, guesses limited.
	s.public(mux, "GET /s/{token}", secure(http.HandlerFunc(s.surveyPublic)))
	s.public(mux, "POST /s/{token}", s.protect.Handler(secure(http.HandlerFunc(s.surveyPublic))))
	// The website chat widget: a script for the shop's own pages and its
	// cross-origin endpoints, guarded by a limit per address and the
	// conversation's token.
	s.public(mux, "GET /widget.js", http.HandlerFunc(s.widgetJS))
	s.public(mux, "POST /widget/messages", http.HandlerFunc(s.widgetPost))
	s.public(mux, "GET /widget/messages", http.HandlerFunc(s.widgetGet))
	// A customer's loyalty card: guarded by its link's token, guesses limited.
	s.public(mux, "GET /card/{token}", secure(http.HandlerFunc(s.loyaltyCard)))
	s.public(mux, "GET /r/{code}", secure(http.HandlerFunc(s.referralLanding)))
	s.public(mux, "POST /r/{code}", s.protect.Handler(secure(http.HandlerFunc(s.referralLanding))))
	// The contact form: a public page, its sends limited per address.
	s.public(mux, "GET /contact", secure(http.HandlerFunc(s.contactForm)))
	s.public(mux, "POST /contact", s.protect.Handler(secure(http.HandlerFunc(s.contactForm))))
	s.public(mux, "/", secure(http.HandlerFunc(s.notFound)))

	s.page(mux, "POST /logout", retain.PermSignedIn, s.logout)
	s.page(mux, "POST /lang", retain.PermSignedIn, s.setLang)
	s.page(mux, "GET /{$}", retain.PermDashboard, s.dashboard)
	s.page(mux, "GET /customers", retain.PermCustomersRead, s.customers)
	s.page(mux, "GET /customers.csv", retain.PermCustomersExport, s.customersCSV)
	s.page(mux, "POST /customers/assign", retain.PermCustomersAssign, s.bulkAssign)
	s.page(mux, "GET /customers/{id}", retain.PermCustomersRead, s.customer)
	s.page(mux, "POST /customers/{id}/notes", retain.PermCustomersWrite, s.addNote)
	s.page(mux, "POST /customers/{id}/touches", retain.PermCustomersWrite, s.logTouch)
	s.page(mux, "GET /counter", retain.PermLoyaltyRedeem, s.counter)
	s.page(mux, "GET /referrals", retain.PermCustomersRead, s.referralsPage)
	s.page(mux, "POST /counter/reward", retain.PermLoyaltyRedeem, s.counterRedeem)
	s.page(mux, "POST /counter/coupon", retain.PermLoyaltyRedeem, s.counterCoupon)
	s.page(mux, "POST /counter/stamp", retain.PermLoyaltyRedeem, s.counterStamp)
	s.page(mux, "POST /counter/card", retain.PermLoyaltyRedeem, s.counterCard)
	s.page(mux, "GET /inbox", retain.PermWorkRead, s.inbox)
	s.page(mux, "GET /desk", retain.PermTicketsRead, s.deskInbox)
	s.page(mux, "POST /desk/bulk", retain.PermTicketsWork, s.deskBulk)
	s.page(mux, "GET /desk/new", retain.PermTicketsWork, s.deskNew)
	s.page(mux, "POST /desk/new", retain.PermTicketsWork, s.deskLog)
	s.page(mux, "GET /desk/report", retain.PermDashboard, s.deskReport)
	s.page(mux, "GET /desk/settings", retain.PermSettingsManage, s.deskSettings)
	s.page(mux, "POST /desk/settings", retain.PermSettingsManage, s.saveDeskSettings)
	s.page(mux, "GET /desk/report.csv", retain.PermDashboard, s.deskReportCSV)
	s.page(mux, "GET /desk/tickets/{id}", retain.PermTicketsRead, s.deskTicket)
	s.page(mux, "GET /desk/attachments/{id}", retain.PermTicketsRead, s.deskAttachment)
	s.page(mux, "POST /desk/tickets/{id}/reply", retain.PermTicketsWork, s.deskReply)
	s.page(mux, "POST /desk/tickets/{id}", retain.PermTicketsWork, s.deskUpdate)
	s.page(mux, "POST /desk/tickets/{id}/merge", retain.PermTicketsWork, s.deskMerge)
	s.page(mux, "POST /desk/tickets/{id}/split", retain.PermTicketsWork, s.deskSplit)
	s.page(mux, "POST /tasks/{id}/done", retain.PermWorkAct, s.taskDone)
	s.page(mux, "POST /tasks/{id}/reassign", retain.PermWorkAssign, s.reassign("tasks"))
	s.page(mux, "POST /alerts/{id}/reassign", retain.PermWorkAssign, s.reassign("alerts"))
	s.page(mux, "POST /alerts/{id}/snooze", retain.PermWorkAct, s.alertSnooze)
	s.page(mux, "POST /alerts/{id}/resolve", retain.PermWorkAct, s.alertResolve)
	s.page(mux, "POST /alerts/bulk", retain.PermWorkAct, s.bulkAlerts)
	s.page(mux, "POST /calendar-link", retain.PermWorkRead, s.calendarLink)
	s.page(mux, "GET /playbooks", retain.PermPlaybooksRead, s.playbooks)
	s.page(mux, "POST /playbooks/{key}/enabled", retain.PermPlaybooksManage, s.playbookToggle)
	s.page(mux, "GET /playbooks/{key}/edit", retain.PermPlaybooksManage, s.playbookEdit)
	s.page(mux, "POST /playbooks/{key}/edit", retain.PermPlaybooksManage, s.playbookEditPost)
	s.page(mux, "POST /playbooks/{key}/duplicate", retain.PermPlaybooksManage, s.playbookDuplicate)
	s.page(mux, "GET /surveys", retain.PermPlaybooksRead, s.surveysPage)
	s.page(mux, "POST /surveys/recontact", retain.PermSettingsManage, s.surveyRecontact)
	s.page(mux, "POST /surveys/{key}/enabled", retain.PermPlaybooksManage, s.surveyToggle)
	s.page(mux, "GET /surveys/{key}/edit", retain.PermPlaybooksManage, s.surveyEdit)
	s.page(mux, "POST /surveys/{key}/edit", retain.PermPlaybooksManage, s.surveyEditPost)
	s.page(mux, "POST /surveys/{key}/duplicate", retain.PermPlaybooksManage, s.surveyDuplicate)
	s.page(mux, "GET /messages", retain.PermMessagesRead, s.messages)
	s.page(mux, "GET /settings", retain.PermSignedIn, s.settings)
	s.page(mux, "POST /settings/digits", retain.PermSignedIn, s.saveDigits)
	s.page(mux, "POST /settings/calendar", retain.PermSignedIn, s.saveCalendar)
	s.page(mux, "POST /settings/time-zone", retain.PermSignedIn, s.saveTimeZone)
	s.page(mux, "POST /settings/messaging", retain.PermSettingsManage, s.saveMessaging)
	s.page(mux, "POST /settings/business", retain.PermSettingsManage, s.saveBusiness)
	s.page(mux, "POST /settings/channel/{channel}", retain.PermSettingsManage, s.saveChannel)
	s.page(mux, "POST /settings/quiet", retain.PermSettingsManage, s.saveQuiet)
	s.page(mux, "POST /settings/logo", retain.PermSettingsManage, s.saveLogo)
	s.page(mux, "POST /settings/test", retain.PermSettingsManage, s.sendTest)
	s.page(mux, "POST /settings/password", retain.PermSignedIn, s.changePassword)
	s.page(mux, "GET /setup/channel", retain.PermSettingsManage, s.setupChannel)
	s.page(mux, "GET /setup/import", retain.PermEventsWrite, s.importPage)
	s.page(mux, "GET /import", retain.PermEventsWrite, s.importPage)
	s.page(mux, "POST /import/preview", retain.PermEventsWrite, s.importPreview)
	s.page(mux, "POST /import/run", retain.PermEventsWrite, s.importRun)
	s.page(mux, "GET /import/{id}", retain.PermEventsWrite, s.importStatus)
	s.page(mux, "GET /import/{id}/rejects.csv", retain.PermEventsWrite, s.importRejects)
	s.page(mux, "GET /ratings", retain.PermDashboard, s.ratingsPage)
	s.page(mux, "GET /answers", retain.PermCustomersRead, s.answersPage)
	s.page(mux, "GET /staff", retain.PermUsersManage, s.staffPage)
	s.page(mux, "POST /staff", retain.PermUsersManage, s.staffCreate)
	s.page(mux, "POST /staff/{id}", retain.PermUsersManage, s.staffUpdate)
	s.page(mux, "POST /staff/{id}/link", retain.PermUsersManage, s.staffLink)
	s.page(mux, "POST /teams", retain.PermUsersManage, s.teamSave)
	s.page(mux, "POST /teams/{id}", retain.PermUsersManage, s.teamSave)
	s.page(mux, "POST /teams/{id}/delete", retain.PermUsersManage, s.teamDelete)
	s.page(mux, "POST /settings/keys", retain.PermKeysManage, s.createKey)
	s.page(mux, "POST /settings/keys/{id}/revoke", retain.PermKeysManage, s.revokeKey)
	s.page(mux, "POST /settings/2fa", retain.PermSignedIn, s.twoFactorStart)
	s.page(mux, "POST /settings/2fa/confirm", retain.PermSignedIn, s.twoFactorConfirm)
	s.page(mux, "POST /settings/2fa/required", retain.PermUsersManage, s.twoFactorRequired)
	s.page(mux, "GET /settings/audit", retain.PermAuditRead, s.auditPage)
}

// Routes lists the UI's routes with their permissions.
func (s *Server) Routes() []Route { return s.table }

func (s *Server) public(mux *http.ServeMux, pattern string, h http.Handler) {
	s.table = append(s.table, Route{Pattern: pattern, Permission: retain.PermPublic})
	mux.Handle(pattern, h)
}

// page registers a page or action that needs a signed-in person holding
// perm; anyone else gets a 403 page (or the sign-in form when signed out).
func (s *Server) page(mux *http.ServeMux, pattern string, perm retain.Permission, h pageFunc) {
	s.table = append(s.table, Route{Pattern: pattern, Permission: perm})
	mux.Handle(pattern, s.protect.Handler(secure(s.signedIn(func(w http.ResponseWriter, r *http.Request, v *view) {
		err := v.Actor.Require(perm)
		if err == nil {
			err = h(w, r, v)
		}
		if err != nil {
			s.errorPage(w, v, err)
		}
	}))))
}

// work is the core's checked actions for this server's database.
func (s *Server) work() core.Work { return core.Work{DB: s.db} }

// pageError is an error whose words are already in the viewer's language
// (a form's own complaint: "say why the alert is snoozed").
type pageError struct {
	status  int
	message string
}

func (e *pageError) Error() string { return e.message }

// problem is a form's complaint, in the viewer's language, with its status.
func problem(v *view, status int, key string, args ...any) error {
	return &pageError{status: status, message: v.L.T(key, args...)}
}

// errorPage answers err with the status its code maps to (the same
// retain.HTTPStatus the API uses) and a page in the viewer's language, with
// the navigation; a 5xx is logged and says no more than "something went
// wrong", so no internal detail reaches the browser.
func (s *Server) errorPage(w http.ResponseWriter, v *view, err error) {
	var pe *pageError
	status, message := 0, ""
	if errors.As(err, &pe) {
		status, message = pe.status, pe.message
	} else {
		code := retain.ErrorCode(err)
		status = retain.HTTPStatus(code)
		switch {
		case status >= 500:
			s.log.Error("web", "path", loggedPath(v.Path), "err", err)
			code = retain.EINTERNAL
		case code != retain.ENOTFOUND && code != retain.ECONFLICT && code != retain.EFORBIDDEN:
			code = retain.EINVALID // the catalogs have words for these five
		}
		message = v.L.T("error." + code)
	}
	v.Title, v.Data = v.L.T("error.page_title"), message
	s.renderStatus(w, status, "error", v)
}

// loggedPath is a path as the log may keep it: the token of a link that
// is its own key (a survey, a password link) is left out.
func loggedPath(p string) string {
	for _, prefix := range []string{"/s/", "/account/"} {
		if strings.HasPrefix(p, prefix) {
			return prefix + "…"
		}
	}
	return p
}

// notFound is the 404 page for any path the UI does not have, with the
// navigation when the visitor is signed in.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	v := s.viewFor(r)
	if v == nil {
		v = &view{L: visitorLocale(r), Path: r.URL.Path}
	}
	s.errorPage(w, v, retain.Errorf(retain.ENOTFOUND, "no page %s", r.URL.Path))
}
