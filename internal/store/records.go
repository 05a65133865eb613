package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The read API's pages: customers, orders, tickets and survey answers in
// id order after a cursor (the last id already read), so a client walks
// a million rows with a query per page that costs the same on page 1 and
// page 10,000, and rows written meanwhile are not skipped or repeated.

// Page is where a page starts and how long it is.
type Page struct {
	AfterID int64
	Limit   int
}

// RecordFilter narrows a page: one customer's records (its internal id),
// those changed since a time (not survey answers, which never change), a
// status or kind.
type RecordFilter struct {
	CustomerID   int64
	UpdatedSince time.Time
	Status       string // tickets
	Kind         string // survey answers
	Stage        string // customers
}

// CustomerRecord is a customer as the read API gives it.
type CustomerRecord struct {
	ID         int64     `json:"-"`
	ExternalID string    `json:"id"`
	Name       string    `json:"name"`
	Email      string    `json:"email,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	Locale     string    `json:"locale,omitempty"`
	TimeZone   string    `json:"time_zone,omitempty"`
	Stage      string    `json:"stage"`
	Owner      string    `json:"owner,omitempty"` // the owner's staff id
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// OrderRecord is an order as the read API gives it (lines left out).
type OrderRecord struct {
	ID                 int64      `json:"-"`
	ExternalID         string     `json:"id"`
	CustomerID         string     `json:"customer_id"`
	Status             string     `json:"status"`
	Channel            string     `json:"channel,omitempty"`
	Currency           string     `json:"currency"`
	TotalMinor         int64      `json:"-"`
	PlacedAt           time.Time  `json:"placed_at"`
	ExpectedDeliveryAt *time.Time `json:"expected_delivery_at,omitempty"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// TicketRecord is a ticket as the read API gives it.
type TicketRecord struct {
	ID              int64      `json:"-"`
	ExternalID      string     `json:"id"`
	CustomerID      string     `json:"customer_id"`
	Channel         string     `json:"channel"`
	Subject         string     `json:"subject,omitempty"`
	Status          string     `json:"status"`
	Priority        string     `json:"priority"`
	RootCause       string     `json:"root_cause,omitempty"`
	OpenedAt        time.Time  `json:"opened_at"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// SurveyRecord is a survey answer as the read API gives it.
type SurveyRecord struct {
	ID          int64     `json:"-"`
	ExternalID  string    `json:"id"`
	CustomerID  string    `json:"customer_id"`
	Kind        string    `json:"kind"`
	Score       int       `json:"score"`
	Comment     string    `json:"comment,omitempty"`
	Cause       string    `json:"cause,omitempty"`
	Staff       string    `json:"staff,omitempty"` // the staff member's id
	OrderID     string    `json:"order_id,omitempty"`
	RespondedAt time.Time `json:"responded_at"`
}

// pageQuery adds the filter, the cursor and the limit to a query over
// alias, in id order. It asks for one row more than the page, so the
// caller knows whether another page follows.
func pageQuery(sel, alias string, p Page, where []string, args []any) (string, []any) {
	args = append(args, p.AfterID)
	where = append(where, alias+".id > $"+fmt.Sprint(len(args)))
	args = append(args, p.Limit+1)
	return sel + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + alias + ".id LIMIT $" + fmt.Sprint(len(args)), args
}

// where is the filter's conditions on alias.
func (f RecordFilter) where(alias string) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != 0 {
		col := alias + ".customer_id"
		if alias == "c" {
			col = "c.id"
		}
		add(col+" = $%d", f.CustomerID)
	}
	if !f.UpdatedSince.IsZero() {
		add(alias+".updated_at >= $%d", f.UpdatedSince.UTC())
	}
	if f.Status != "" {
		add(alias+".status = $%d", f.Status)
	}
	if f.Kind != "" {
		add(alias+".kind = $%d", f.Kind)
	}
	if f.Stage != "" {
		add(alias+".stage = $%d", f.Stage)
	}
	return where, args
}

// CustomerRecords is a page of customers in id order.
func (db *DB) CustomerRecords(ctx context.Context, p Page, f RecordFilter) ([]CustomerRecord, bool, error) {
	where, args := f.where("c")
	q, args := pageQuery(`SELECT c.id, c.external_id, c.name, c.email, c.phone, c.locale, c.time_zone, c.stage, COALESCE(s.external_id, ''), c.created_at, c.updated_at
		FROM customers c LEFT JOIN staff s ON s.id = c.owner_id`, "c", p, where, args)
	return scanPage(db, ctx, q, args, p.Limit, func(sc interface{ Scan(...any) error }) (CustomerRecord, error) {
		var r CustomerRecord
		err := sc.Scan(&r.ID, &r.ExternalID, &r.Name, &r.Email, &r.Phone, &r.Locale, &r.TimeZone, &r.Stage, &r.Owner, &r.CreatedAt, &r.UpdatedAt)
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		return r, err
	})
}

// OrderRecords is a page of orders in id order.
func (db *DB) OrderRecords(ctx context.Context, p Page, f RecordFilter) ([]OrderRecord, bool, error) {
	where, args := f.where("t")
	q, args := pageQuery(`SELECT t.id, t.external_id, c.external_id, t.status, t.channel, t.currency, t.total_minor, t.placed_at, t.expected_delivery_at, t.updated_at
		FROM orders t JOIN customers c ON c.id = t.customer_id`, "t", p, where, args)
	return scanPage(db, ctx, q, args, p.Limit, func(sc interface{ Scan(...any) error }) (OrderRecord, error) {
		var r OrderRecord
		var exp nullTime
		err := sc.Scan(&r.ID, &r.ExternalID, &r.CustomerID, &r.Status, &r.Channel, &r.Currency, &r.TotalMinor, &r.PlacedAt, &exp, &r.UpdatedAt)
		r.PlacedAt, r.UpdatedAt, r.ExpectedDeliveryAt = r.PlacedAt.UTC(), r.UpdatedAt.UTC(), timePtr(exp.T)
		return r, err
	})
}

// TicketRecords is a page of tickets in id order.
func (db *DB) TicketRecords(ctx context.Context, p Page, f RecordFilter) ([]TicketRecord, bool, error) {
	where, args := f.where("t")
	q, args := pageQuery(`SELECT t.id, t.external_id, c.external_id, t.channel, t.subject, t.status, t.priority, t.root_cause, t.opened_at,
		t.first_response_at, t.resolved_at, t.updated_at FROM tickets t JOIN customers c ON c.id = t.customer_id`, "t", p, where, args)
	return scanPage(db, ctx, q, args, p.Limit, func(sc interface{ Scan(...any) error }) (TicketRecord, error) {
		var r TicketRecord
		var first, resolved nullTime
		err := sc.Scan(&r.ID, &r.ExternalID, &r.CustomerID, &r.Channel, &r.Subject, &r.Status, &r.Priority, &r.RootCause, &r.OpenedAt, &first, &resolved, &r.UpdatedAt)
		r.OpenedAt, r.UpdatedAt, r.FirstResponseAt, r.ResolvedAt = r.OpenedAt.UTC(), r.UpdatedAt.UTC(), timePtr(first.T), timePtr(resolved.T)
		return r, err
	})
}

// SurveyRecords is a page of survey answers in id order.
func (db *DB) SurveyRecords(ctx context.Context, p Page, f RecordFilter) ([]SurveyRecord, bool, error) {
	where, args := f.where("t")
	q, args := pageQuery(`SELECT t.id, t.external_id, c.external_id, t.kind, t.score, t.comment, t.cause, COALESCE(s.external_id, ''),
		COALESCE(o.external_id, ''), t.responded_at FROM survey_responses t JOIN customers c ON c.id = t.customer_id
		LEFT JOIN staff s ON s.id = t.staff_id LEFT JOIN orders o ON o.id = t.order_id`, "t", p, where, args)
	return scanPage(db, ctx, q, args, p.Limit, func(sc interface{ Scan(...any) error }) (SurveyRecord, error) {
		var r SurveyRecord
		err := sc.Scan(&r.ID, &r.ExternalID, &r.CustomerID, &r.Kind, &r.Score, &r.Comment, &r.Cause, &r.Staff, &r.OrderID, &r.RespondedAt)
		r.RespondedAt = r.RespondedAt.UTC()
		return r, err
	})
}

// scanPage runs a page query and reports whether more rows follow.
func scanPage[T any](db *DB, ctx context.Context, q string, args []any, limit int, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, bool, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("store: page: %w", err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, false, fmt.Errorf("store: page: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: page: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
