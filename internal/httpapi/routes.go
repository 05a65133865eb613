package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/retainhq/retain"
)

// Route is one route of the API and what guards it: a permission an API
// key's scopes must grant, or for the public routes a guard of their own.
type Route struct {
	Method, Path string
	Permission   retain.Permission
	Guard        string // PermPublic routes: what protects them instead
}

// Routes lists the API's routes with their permissions.
func (a *API) Routes() []Route { return a.table }

// routes lists every route of the API with who may call it; the route ×
// scope test in permissions_test.go walks this list.
func (a *API) routes(mux *http.ServeMux) {
	a.plain(mux, "GET /healthz", "none: a probe", "healthz", http.HandlerFunc(a.healthz))
	a.plain(mux, "GET /metrics", "none: counters only, no customer data", "", a.metrics.Handler())
	a.plain(mux, "POST /hooks/delivery", "the gateway's HMAC signature", "hook-delivery", http.HandlerFunc(a.hookDelivery))
	a.plain(mux, "POST /hooks/reply", "the gateway's HMAC signature", "hook-reply", http.HandlerFunc(a.hookReply))
	a.plain(mux, "POST /hooks/email", "the mail service's HMAC signature", "hook-email", http.HandlerFunc(a.hookEmail))
	a.plain(mux, "POST /hooks/courier/{key}", "the courier connector's secret (HMAC-SHA256 of the body, or a token)", "hook-courier", http.HandlerFunc(a.hookCourier))
	a.plain(mux, "GET /hooks/whatsapp", "the business's verify token (Meta's subscription handshake)", "hook-whatsapp", http.HandlerFunc(a.whatsAppHandshake))
	a.plain(mux, "POST /hooks/whatsapp", "Meta's X-Hub-Signature-256 under the app secret", "hook-whatsapp", http.HandlerFunc(a.whatsAppHook))
	a.plain(mux, "GET /hooks/messenger", "the page's verify token", "hook-messenger", http.HandlerFunc(a.messengerHandshake))
	a.plain(mux, "POST /hooks/messenger", "Meta's X-Hub-Signature-256 (the app secret)", "hook-messenger", http.HandlerFunc(a.messengerHook))
	a.plain(mux, "GET /unsubscribe/{token}", "the signed token in the link", "unsubscribe", http.HandlerFunc(a.unsubscribe))
	a.plain(mux, "POST /unsubscribe/{token}", "the signed token in the link", "unsubscribe", http.HandlerFunc(a.unsubscribe))
	a.plain(mux, "GET /api/docs", "none: the API's description, as the OpenAPI document", "", http.HandlerFunc(a.reference))
	a.plain(mux, "GET /calendar/{file}", "the feed's secret token", "calendar", http.HandlerFunc(a.calendar))

	register(a, huma.Operation{
		OperationID:   "post-events",
		Method:        http.MethodPost,
		Path:          "/api/v1/events",
		Summary:       "Send a batch of events",
		Description:   eventsDoc,
		Tags:          []string{"Events"},
		MaxBodyBytes:  4 << 20,
		DefaultStatus: http.StatusOK,
	}, retain.PermEventsWrite, a.postEvents)
	register(a, huma.Operation{
		OperationID: "get-customer-scores",
		Method:      http.MethodGet,
		Path:        "/api/v1/customers/{id}/scores",
		Summary:     "A customer's latest scores, with the health score's factors",
		Tags:        []string{"Scores"},
	}, retain.PermCustomersRead, a.getScores)

	op := func(id, method, path, summary, tag string, status int) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag}, DefaultStatus: status}
	}
	register(a, op("list-customers", http.MethodGet, "/api/v1/customers", "Customers in pages (cursor), optionally by stage or changed since a time", "Read", 200), retain.PermCustomersRead, a.listCustomers)
	register(a, op("list-orders", http.MethodGet, "/api/v1/orders", "Orders in pages (cursor), optionally one customer's or changed since a time", "Read", 200), retain.PermCustomersRead, a.listOrders)
	register(a, op("list-tickets", http.MethodGet, "/api/v1/tickets", "Tickets in pages (cursor), optionally one customer's, by status or changed since a time", "Read", 200), retain.PermCustomersRead, a.listTickets)
	register(a, op("list-survey-responses", http.MethodGet, "/api/v1/survey-responses", "Survey answers in pages (cursor), optionally one customer's or one kind", "Read", 200), retain.PermCustomersRead, a.listSurveyResponses)
	register(a, op("list-alerts", http.MethodGet, "/api/v1/alerts", "Alerts, most urgent first", "Alerts", 200), retain.PermWorkRead, a.listAlerts)
	register(a, op("snooze-alert", http.MethodPost, "/api/v1/alerts/{id}/snooze", "Snooze an alert until a time, with a reason", "Alerts", 204), retain.PermWorkAct, a.snoozeAlert)
	register(a, op("resolve-alert", http.MethodPost, "/api/v1/alerts/{id}/resolve", "Resolve an alert with its outcome", "Alerts", 204), retain.PermWorkAct, a.resolveAlert)
	register(a, op("list-tasks", http.MethodGet, "/api/v1/tasks", "Tasks by due time", "Tasks", 200), retain.PermWorkRead, a.listTasks)
	register(a, op("complete-task", http.MethodPost, "/api/v1/tasks/{id}/done", "Mark a task done", "Tasks", 204), retain.PermWorkAct, a.completeTask)
	register(a, op("outcomes", http.MethodGet, "/api/v1/playbooks", "Playbooks with their enrollments, outcomes and the recovery rate", "Playbooks", 200), retain.PermPlaybooksRead, a.outcomes)
	register(a, op("get-playbook", http.MethodGet, "/api/v1/playbooks/{key}", "A playbook's current definition", "Playbooks", 200), retain.PermPlaybooksRead, a.getPlaybook)
	register(a, op("put-playbook", http.MethodPut, "/api/v1/playbooks/{key}", "Store a definition as the playbook's next version", "Playbooks", 200), retain.PermPlaybooksManage, a.putPlaybook)
	register(a, op("enable-playbook", http.MethodPost, "/api/v1/playbooks/{key}/enabled", "Enable or disable a playbook", "Playbooks", 204), retain.PermPlaybooksManage, a.enablePlaybook)
	register(a, op("list-surveys", http.MethodGet, "/api/v1/surveys", "Surveys with their response rates", "Surveys", 200), retain.PermPlaybooksRead, a.listSurveys)
	register(a, op("get-survey", http.MethodGet, "/api/v1/surveys/{key}", "A survey's current definition", "Surveys", 200), retain.PermPlaybooksRead, a.getSurvey)
	register(a, op("put-survey", http.MethodPut, "/api/v1/surveys/{key}", "Store a definition as the survey's next version", "Surveys", 200), retain.PermPlaybooksManage, a.putSurvey)
	register(a, op("invite-survey", http.MethodPost, "/api/v1/surveys/{key}/invitations", "Send a customer the survey (201; 200 for an id sent before, or with not_sent saying why nothing went)", "Surveys", 201), retain.PermWorkAct, a.inviteSurvey)
	register(a, op("desk-tickets", http.MethodGet, "/api/v1/desk/tickets", "The support desk's tickets by view, deadline nearest first", "Desk", 200), retain.PermTicketsRead, a.deskTickets)
	register(a, op("get-ticket", http.MethodGet, "/api/v1/tickets/{id}", "A ticket with its thread", "Desk", 200), retain.PermTicketsRead, a.getTicket)
	register(a, op("reply-ticket", http.MethodPost, "/api/v1/tickets/{id}/replies", "Reply to the customer on the ticket's channel, or add an internal note", "Desk", 200), retain.PermTicketsWork, a.replyTicket)
	register(a, op("update-ticket", http.MethodPatch, "/api/v1/tickets/{id}", "Change a ticket's status, priority, cause, assignee, tags, team or linked order", "Desk", 200), retain.PermTicketsWork, a.patchTicket)
	register(a, op("get-points", http.MethodGet, "/api/v1/customers/{id}/points", "A customer's points: the balance, its lots and when they expire", "Loyalty", 200), retain.PermCustomersRead, a.getPoints)
	register(a, op("redeem-points", http.MethodPost, "/api/v1/customers/{id}/points/redemptions", "Spend a customer's points, all or none, once per key", "Loyalty", 200), retain.PermLoyaltyRedeem, a.redeemPoints)
	register(a, op("adjust-points", http.MethodPost, "/api/v1/customers/{id}/points/adjustments", "Give or take a customer's points by hand, with the reason, once per key", "Loyalty", 200), retain.PermLoyaltyManage, a.adjustPoints)
	register(a, op("redeem-reward", http.MethodPost, "/api/v1/customers/{id}/rewards", "Buy a reward of the catalogue with a customer's points: the customer's own coupon, once per key", "Loyalty", 200), retain.PermLoyaltyRedeem, a.redeemReward)
	register(a, op("loyalty-report", http.MethodGet, "/api/v1/loyalty/report", "The programme's cost and use, and its effect against comparable non-members", "Loyalty", 200), retain.PermDashboard, a.loyaltyReport)
	register(a, op("import-balances", http.MethodPost, "/api/v1/loyalty/balances", "Opening balances from a CSV (points, stamps), each customer's once per source; rows refused with their line and field", "Loyalty", 200), retain.PermLoyaltyManage, a.importBalances)
	register(a, op("card-link", http.MethodPost, "/api/v1/customers/{id}/card-link", "A new link to the customer's public loyalty card (the old one stops working); optionally sent to them", "Loyalty", 200), retain.PermLoyaltyRedeem, a.cardLink)
	register(a, op("customer-deliveries", http.MethodGet, "/api/v1/customers/{id}/deliveries", "The customer's phone number's deliveries across every order placed with it: delivered, refused, returned, and whether a new cash-on-delivery order is confirmed by call first", "Customers", 200), retain.PermCustomersRead, a.deliveries)
	register(a, op("referral-code", http.MethodGet, "/api/v1/customers/{id}/referral", "The customer's refer-a-friend code and landing page link, made on first ask", "Loyalty", 200), retain.PermLoyaltyRedeem, a.referralCode)
	register(a, op("refer", http.MethodPost, "/api/v1/referrals", "Credit a friend to the referral code they came with; refused ones are recorded with why (self, same_phone, same_email, same_address, not_new)", "Loyalty", 200), retain.PermLoyaltyRedeem, a.refer)
	register(a, op("list-referrals", http.MethodGet, "/api/v1/referrals", "Referrals, newest first: who referred whom, where each stands, why one was refused", "Loyalty", 200), retain.PermCustomersRead, a.referrals)
	register(a, op("add-stamps", http.MethodPost, "/api/v1/customers/{id}/stamps", "Put stamps on a customer's stamp card, once per key; a full card issues its reward coupon", "Loyalty", 200), retain.PermLoyaltyRedeem, a.addStamps)
	register(a, op("list-coupons", http.MethodGet, "/api/v1/coupons", "Coupons: a customer's, a batch's, or the latest", "Coupons", 200), retain.PermCustomersRead, a.listCoupons)
	register(a, op("issue-coupon", http.MethodPost, "/api/v1/coupons", "Issue a coupon, once per key", "Coupons", 200), retain.PermLoyaltyManage, a.issueCoupon)
	register(a, op("generate-coupons", http.MethodPost, "/api/v1/coupons/batches", "Generate a batch of open coupons with random codes", "Coupons", 200), retain.PermLoyaltyManage, a.generateCoupons)
	register(a, op("void-coupon", http.MethodPost, "/api/v1/coupons/{code}/void", "Stop a coupon from being used", "Coupons", 204), retain.PermLoyaltyManage, a.voidCoupon)
	register(a, op("check-coupon", http.MethodPost, "/api/v1/coupons/check", "What a coupon takes off an order, or why it cannot be used on it", "Coupons", 200), retain.PermLoyaltyRedeem, a.checkCoupon)
	register(a, op("hold-coupon", http.MethodPost, "/api/v1/coupons/holds", "Hold a coupon for an order until it is confirmed or released, once per key", "Coupons", 200), retain.PermLoyaltyRedeem, a.holdCoupon)
	register(a, op("confirm-coupon", http.MethodPost, "/api/v1/coupons/holds/{key}/confirm", "Use a held coupon on the order", "Coupons", 200), retain.PermLoyaltyRedeem, a.confirmCoupon)
	register(a, op("release-coupon", http.MethodPost, "/api/v1/coupons/holds/{key}/release", "Give a held coupon back", "Coupons", 200), retain.PermLoyaltyRedeem, a.releaseCoupon)
	register(a, op("merge-ticket", http.MethodPost, "/api/v1/tickets/{id}/merge", "Merge a ticket into another of the same customer's: its thread moves there and it closes", "Desk", 200), retain.PermTicketsWork, a.mergeTicket)
	register(a, op("split-ticket", http.MethodPost, "/api/v1/tickets/{id}/split", "Move a message and those after it into a new ticket", "Desk", 200), retain.PermTicketsWork, a.splitTicket)
	register(a, op("inbound", http.MethodPost, "/api/v1/inbound", "A customer's message from a form, mail service or chat tool: opens or continues their conversation", "Desk", 201), retain.PermEventsWrite, a.inbound)
	register(a, op("simulate-playbook", http.MethodPost, "/api/v1/playbooks/{key}/simulate", "What the playbook would do for a customer, and when (sends nothing)", "Playbooks", 200), retain.PermPlaybooksRead, a.simulatePlaybook)
}

// plain registers a route outside huma (probes, gateway hooks, signed
// links), with what guards it instead of an API key.
func (a *API) plain(mux *http.ServeMux, pattern, guard, metric string, h http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	a.table = append(a.table, Route{Method: method, Path: path, Permission: retain.PermPublic, Guard: guard})
	if metric != "" {
		h = a.metrics.instrument(metric, h)
	}
	mux.Handle(pattern, h)
}

// register adds an API-key operation that needs perm: the key's scopes
// must grant it (authenticate checks), and the OpenAPI document says which.
func register[I, O any](a *API, op huma.Operation, perm retain.Permission, h func(context.Context, *I) (*O, error)) {
	op.Security = bearer
	op.Metadata = map[string]any{permissionKey: perm}
	op.Description += "\n\nNeeds an API key whose scopes grant `" + string(perm) + "`."
	op.Middlewares = append(op.Middlewares, a.metrics.humaMiddleware(op.OperationID))
	a.table = append(a.table, Route{Method: op.Method, Path: op.Path, Permission: perm})
	huma.Register(a.huma, op, h)
}

const permissionKey = "permission"
