package httpapi

import (
	"context"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/store"
)

// The read API: customers, orders, tickets and survey answers, each in
// pages after a cursor. A cursor is opaque to clients: pass next_cursor
// back as cursor until it comes back empty.

// cursorOf is the cursor after a row's id.
func cursorOf(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// afterCursor is the id a cursor points after; "" is the first page.
func afterCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 3 && string(b[:3]) == "id:" {
		if id, err := strconv.ParseInt(string(b[3:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, retain.FieldError("cursor", "is not a cursor this API gave out (pass next_cursor back as it came)")
}

// PageIn is the paging every list takes.
type PageIn struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; empty for the first."`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

func (p PageIn) page() (store.Page, error) {
	after, err := afterCursor(p.Cursor)
	return store.Page{AfterID: after, Limit: p.Limit}, err
}

// sinceIn reads an updated_since time; zero when absent.
func sinceIn(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, retain.FieldError("updated_since", "%q is not an RFC 3339 time such as 2026-03-01T00:00:00Z", s)
	}
	return t, nil
}

// nextCursor is the cursor after the last row of a page that has a
// successor, "" for the last page.
func nextCursor[T any](rows []T, more bool, id func(T) int64) string {
	if !more || len(rows) == 0 {
		return ""
	}
	return cursorOf(id(rows[len(rows)-1]))
}

// recordFilter reads the filters the lists share: one customer (their
// external id) and a time of change.
func (a *API) recordFilter(ctx context.Context, customerRef, updatedSince string) (store.RecordFilter, error) {
	var f store.RecordFilter
	var err error
	if f.UpdatedSince, err = sinceIn(updatedSince); err != nil {
		return f, err
	}
	f.CustomerID, err = a.customerID(ctx, customerRef)
	return f, err
}

type customersInput struct {
	PageIn
	Stage        string `query:"stage" enum:"prospect,new,active,loyal,won_back,at_risk,lapsed,churned," doc:"Only customers in this lifecycle stage."`
	UpdatedSince string `query:"updated_since" doc:"Only customers changed at or after this time (RFC 3339): a sync's next pass."`
}

type customersOutput struct {
	Body struct {
		Customers  []store.CustomerRecord `json:"customers"`
		NextCursor string                 `json:"next_cursor"`
	}
}

func (a *API) listCustomers(ctx context.Context, in *customersInput) (*customersOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, a.apiError(ctx, "list-customers", err)
	}
	f, err := a.recordFilter(ctx, "", in.UpdatedSince)
	if err != nil {
		return nil, a.apiError(ctx, "list-customers", err)
	}
	f.Stage = in.Stage
	rows, more, err := a.db.CustomerRecords(ctx, p, f)
	if err != nil {
		return nil, a.apiError(ctx, "list-customers", err)
	}
	out := &customersOutput{}
	out.Body.Customers = rows
	out.Body.NextCursor = nextCursor(rows, more, func(r store.CustomerRecord) int64 { return r.ID })
	return out, nil
}

type ordersInput struct {
	PageIn
	CustomerID   string `query:"customer_id" doc:"One customer's orders (their external id)."`
	UpdatedSince string `query:"updated_since" doc:"Only orders changed at or after this time (RFC 3339)."`
}

type orderOut struct {
	store.OrderRecord
	Total string `json:"total" doc:"In major units, as a decimal string: 1550.00"`
}

type ordersOutput struct {
	Body struct {
		Orders     []orderOut `json:"orders"`
		NextCursor string     `json:"next_cursor"`
	}
}

func (a *API) listOrders(ctx context.Context, in *ordersInput) (*ordersOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, a.apiError(ctx, "list-orders", err)
	}
	f, err := a.recordFilter(ctx, in.CustomerID, in.UpdatedSince)
	if err != nil {
		return nil, a.apiError(ctx, "list-orders", err)
	}
	rows, more, err := a.db.OrderRecords(ctx, p, f)
	if err != nil {
		return nil, a.apiError(ctx, "list-orders", err)
	}
	out := &ordersOutput{}
	out.Body.Orders = []orderOut{}
	for _, o := range rows {
		out.Body.Orders = append(out.Body.Orders, orderOut{OrderRecord: o, Total: retain.FormatAmount(o.TotalMinor, o.Currency)})
	}
	out.Body.NextCursor = nextCursor(rows, more, func(r store.OrderRecord) int64 { return r.ID })
	return out, nil
}

type ticketsInput struct {
	PageIn
	CustomerID   string `query:"customer_id" doc:"One customer's tickets (their external id)."`
	Status       string `query:"status" enum:"open,pending,resolved,closed,"`
	UpdatedSince string `query:"updated_since" doc:"Only tickets changed at or after this time (RFC 3339)."`
}

type ticketsOutput struct {
	Body struct {
		Tickets    []store.TicketRecord `json:"tickets"`
		NextCursor string               `json:"next_cursor"`
	}
}

func (a *API) listTickets(ctx context.Context, in *ticketsInput) (*ticketsOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, a.apiError(ctx, "list-tickets", err)
	}
	f, err := a.recordFilter(ctx, in.CustomerID, in.UpdatedSince)
	if err != nil {
		return nil, a.apiError(ctx, "list-tickets", err)
	}
	f.Status = in.Status
	rows, more, err := a.db.TicketRecords(ctx, p, f)
	if err != nil {
		return nil, a.apiError(ctx, "list-tickets", err)
	}
	out := &ticketsOutput{}
	out.Body.Tickets = rows
	out.Body.NextCursor = nextCursor(rows, more, func(r store.TicketRecord) int64 { return r.ID })
	return out, nil
}

type surveysInput struct {
	PageIn
	CustomerID string `query:"customer_id" doc:"One customer's answers (their external id)."`
	Kind       string `query:"kind" enum:"nps,csat,ces,"`
}

type surveysOutput struct {
	Body struct {
		Responses  []store.SurveyRecord `json:"survey_responses"`
		NextCursor string               `json:"next_cursor"`
	}
}

func (a *API) listSurveyResponses(ctx context.Context, in *surveysInput) (*surveysOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, a.apiError(ctx, "list-survey-responses", err)
	}
	f, err := a.recordFilter(ctx, in.CustomerID, "")
	if err != nil {
		return nil, a.apiError(ctx, "list-survey-responses", err)
	}
	f.Kind = in.Kind
	rows, more, err := a.db.SurveyRecords(ctx, p, f)
	if err != nil {
		return nil, a.apiError(ctx, "list-survey-responses", err)
	}
	// The cause is the comment's, read by the classifier as the alerts'
	// causes are (no answer stores one of its own).
	for i := range rows {
		if rows[i].Cause == "" && rows[i].Comment != "" {
			rows[i].Cause = classify.Cause("", rows[i].Comment)
		}
	}
	out := &surveysOutput{}
	out.Body.Responses = rows
	out.Body.NextCursor = nextCursor(rows, more, func(r store.SurveyRecord) int64 { return r.ID })
	return out, nil
}
