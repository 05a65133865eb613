package httpapi

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every route of the API, with who may call it.
func (a *API) routes(mux *http.ServeMux) {
	// Public: probes.
	mux.Handle("GET /healthz", a.metrics.instrument("healthz", http.HandlerFunc(a.healthz)))
	mux.Handle("GET /metrics", a.metrics.Handler())

	// Signed by the gateways: delivery reports and customers' replies (STOP).
	mux.Handle("POST /hooks/delivery", a.metrics.instrument("hook-delivery", http.HandlerFunc(a.hookDelivery)))
	mux.Handle("POST /hooks/reply", a.metrics.instrument("hook-reply", http.HandlerFunc(a.hookReply)))

	// Signed links in marketing messages: unsubscribe (GET asks, POST acts).
	mux.Handle("GET /unsubscribe/{token}", a.metrics.instrument("unsubscribe", http.HandlerFunc(a.unsubscribe)))
	mux.Handle("POST /unsubscribe/{token}", a.metrics.instrument("unsubscribe", http.HandlerFunc(a.unsubscribe)))

	// A secret URL: a staff member's tasks as an iCalendar feed.
	mux.Handle("GET /calendar/{file}", a.metrics.instrument("calendar", http.HandlerFunc(a.calendar)))

	// API key: event ingestion.
	huma.Register(a.huma, huma.Operation{
		OperationID:   "post-events",
		Method:        http.MethodPost,
		Path:          "/api/v1/events",
		Summary:       "Send a batch of events",
		Description:   eventsDoc,
		Tags:          []string{"Events"},
		Security:      bearer,
		MaxBodyBytes:  4 << 20,
		DefaultStatus: http.StatusOK,
		Middlewares:   huma.Middlewares{a.metrics.humaMiddleware("post-events")},
	}, a.postEvents)

	// API key: scores.
	huma.Register(a.huma, huma.Operation{
		OperationID: "get-customer-scores",
		Method:      http.MethodGet,
		Path:        "/api/v1/customers/{id}/scores",
		Summary:     "A customer's latest scores, with the health score's factors",
		Tags:        []string{"Scores"},
		Security:    bearer,
		Middlewares: huma.Middlewares{a.metrics.humaMiddleware("get-customer-scores")},
	}, a.getScores)

	// API key: alerts, tasks, playbooks.
	a.engineRoutes()
}
