// Package httpapi is Retain's JSON API: typed handlers registered with huma,
// which also generates the OpenAPI 3.1 document. routes.go lists every route.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// API serves the JSON API on a mux.
type API struct {
	db   *store.DB
	live *core.LiveSettings
	// inFlight holds a token per API request being served (backpressure).
	inFlight chan struct{}
	log      *slog.Logger
	metrics  *Metrics
	huma     huma.API
	table    []Route
	// couponGuesses counts each caller's lookups of codes that are not
	// coupons (loyalty.go).
	couponGuesses *auth.Limiter
}

// New mounts the API, /healthz and /metrics on mux.
func New(mux *http.ServeMux, db *store.DB, log *slog.Logger, metrics *Metrics) *API {
	cfg := huma.DefaultConfig("Retain API", retain.Version)
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.DocsPath = "" // huma's docs page loads scripts from a CDN; Retain serves nothing from outside
	cfg.Info.Description = "Retain's API. Authenticate with an API key (retain user apikey create) as 'Authorization: Bearer KEY'."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API key from `retain user apikey create`."},
	}
	a := &API{db: db, live: &core.LiveSettings{DB: db}, log: log, metrics: metrics, couponGuesses: auth.NewLimiter()}
	a.huma = humago.New(mux, cfg)
	a.inFlight = make(chan struct{}, MaxInFlight)
	a.huma.UseMiddleware(a.backpressure, a.authenticate)
	a.routes(mux)
	return a
}

// MaxInFlight is how many API requests are served at once, and QueueWait
// how long one more may wait for a turn before it is turned away with 503
// and Retry-After: past that, queueing only makes every client slower (one
// database writer serves them all) and clients time out and retry anyway.
const (
	MaxInFlight = 32
	QueueWait   = 250 * time.Millisecond
)

// backpressure bounds the requests in flight; one that cannot get a turn
// within QueueWait gets 503 with Retry-After, which well-behaved clients
// (and the events API's idempotent retries) are made for.
func (a *API) backpressure(ctx huma.Context, next func(huma.Context)) {
	select {
	case a.inFlight <- struct{}{}:
	default:
		t := time.NewTimer(QueueWait)
		select {
		case a.inFlight <- struct{}{}:
			t.Stop()
		case <-t.C:
			a.metrics.shed.Inc()
			ctx.SetHeader("Retry-After", "1")
			huma.WriteErr(a.huma, ctx, http.StatusServiceUnavailable, "busy: too many requests at once; retry after 1 s (events are idempotent by id)")
			return
		case <-ctx.Context().Done():
			t.Stop()
			return
		}
	}
	defer func() { <-a.inFlight }()
	next(ctx)
}

type ctxKey int

const actorCtx ctxKey = 1

// authenticate checks the Bearer API key of operations that require one,
// and that the key's scopes grant the permission the operation names. An
// operation that names none is refused: a route added without deciding
// who may call it must not be open.
func (a *API) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	perm, named := op.Metadata[permissionKey].(retain.Permission)
	if len(op.Security) == 0 && !named {
		next(ctx)
		return
	}
	if !named {
		huma.WriteErr(a.huma, ctx, http.StatusForbidden, "this operation names no permission")
		return
	}
	token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	if !ok || token == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="retain"`)
		huma.WriteErr(a.huma, ctx, http.StatusUnauthorized, "missing API key: send 'Authorization: Bearer KEY' (create one with retain user apikey create)")
		return
	}
	key, err := a.db.AuthenticateAPIKey(ctx.Context(), strings.TrimSpace(token))
	if err != nil {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="retain", error="invalid_token"`)
		if retain.ErrorCode(err) == retain.EUNAUTHORIZED {
			huma.WriteErr(a.huma, ctx, http.StatusUnauthorized, "invalid or revoked API key")
			return
		}
		a.log.ErrorContext(ctx.Context(), "authenticate", slog.Any("err", err))
		huma.WriteErr(a.huma, ctx, http.StatusServiceUnavailable, "cannot check the API key now; retry")
		return
	}
	actor := retain.KeyActor(key.ID, key.Name, key.Scopes)
	if !actor.Can(perm) {
		huma.WriteErr(a.huma, ctx, http.StatusForbidden, fmt.Sprintf("this API key's scopes (%s) do not grant %s; create a key with the scope it needs (retain user apikey create --scopes)",
			retain.JoinScopes(key.Scopes), perm))
		return
	}
	next(huma.WithValue(ctx, actorCtx, actor))
}

// actorFrom is the API key that made the request, as the one who acts.
func actorFrom(ctx context.Context) retain.Actor {
	a, _ := ctx.Value(actorCtx).(retain.Actor)
	return a
}

// work is the core's checked actions for this API's database.
func (a *API) work() core.Work { return core.Work{DB: a.db} }

var bearer = []map[string][]string{{"bearer": {}}}
