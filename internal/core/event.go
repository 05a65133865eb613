package core

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// The event schema: what the events API (and, later, a stream consumer)
// receives, and its conversion to store rows. The struct tags document the
// schema for the API's OpenAPI document; validation that matters is in
// toBatch and the domain types' Validate methods, so a caller that is not
// the HTTP API gets the same checks.

// Event is one event. Which object it carries depends on its type.
type Event struct {
	ID             string            `json:"id" minLength:"1" maxLength:"200" doc:"Your unique id for this event (idempotency key)."`
	Type           string            `json:"type" enum:"customer.upsert,order.placed,order.paid,order.shipped,order.out_for_delivery,order.delivered,order.delayed,order.returned,order.refunded,order.chargeback,order.refused,ticket.upsert,survey.response,subscription.upsert"`
	OccurredAt     *time.Time        `json:"occurred_at,omitempty" doc:"When it happened (RFC 3339); default: when received."`
	OrderID        string            `json:"order_id,omitempty" maxLength:"200" doc:"order.* status events: the order's external id."`
	Reason         string            `json:"reason,omitempty" maxLength:"2000" doc:"Why: the return, refund, chargeback, refusal or delay reason."`
	Amount         string            `json:"amount,omitempty" pattern:"^[0-9]+(\\.[0-9]+)?$" doc:"Refunded or charged-back amount, in units of currency."`
	Currency       string            `json:"currency,omitempty" doc:"ISO 4217 code of amount."`
	Staff          string            `json:"staff,omitempty" maxLength:"200" doc:"order.* status events: external id of the staff member who handled it (the rider who delivered); a survey about it is about them."`
	TrackingURL    string            `json:"tracking_url,omitempty" maxLength:"500" doc:"order.shipped and later: the courier's tracking page, for the customer's messages."`
	RiderPhone     string            `json:"rider_phone,omitempty" maxLength:"40" doc:"order.out_for_delivery: the rider's number, for the customer's message."`
	Customer       *CustomerBody     `json:"customer,omitempty"`
	Order          *OrderBody        `json:"order,omitempty"`
	Ticket         *TicketBody       `json:"ticket,omitempty"`
	SurveyResponse *SurveyBody       `json:"survey_response,omitempty"`
	Subscription   *SubscriptionBody `json:"subscription,omitempty"`
}

// CustomerBody is a customer to create or update; empty fields keep stored values.
type CustomerBody struct {
	ExternalID string            `json:"external_id" minLength:"1" maxLength:"200"`
	Name       string            `json:"name,omitempty" maxLength:"300"`
	Email      string            `json:"email,omitempty"`
	Phone      string            `json:"phone,omitempty" doc:"E.164 (+8801712345678)."`
	Locale     string            `json:"locale,omitempty" doc:"en, bn or ne."`
	TimeZone   string            `json:"time_zone,omitempty" doc:"IANA name, e.g. Asia/Dhaka."`
	Stage      string            `json:"stage,omitempty" enum:"prospect,new,active,loyal,won_back,at_risk,lapsed,churned"`
	Owner      string            `json:"owner,omitempty" doc:"External id of the owning staff member."`
	Attributes map[string]string `json:"attributes,omitempty"`
	Consents   []ConsentBody     `json:"consents,omitempty"`
}

// ConsentBody grants or revokes contact on a channel.
type ConsentBody struct {
	Channel string `json:"channel" enum:"email,sms,whatsapp,phone"`
	Purpose string `json:"purpose" enum:"transactional,marketing"`
	Granted bool   `json:"granted"`
}

// OrderBody is an order; total defaults to the sum of its lines.
type OrderBody struct {
	ExternalID         string     `json:"external_id" minLength:"1" maxLength:"200"`
	CustomerID         string     `json:"customer_id" minLength:"1" maxLength:"200"`
	Status             string     `json:"status,omitempty"`
	Channel            string     `json:"channel,omitempty"`
	Currency           string     `json:"currency" minLength:"3" maxLength:"3"`
	Total              string     `json:"total,omitempty" pattern:"^[0-9]+(\\.[0-9]+)?$"`
	PlacedAt           time.Time  `json:"placed_at"`
	ExpectedDeliveryAt *time.Time `json:"expected_delivery_at,omitempty"`
	Lines              []LineBody `json:"lines,omitempty" maxItems:"1000"`
}

// LineBody is an order line.
type LineBody struct {
	LineID      string `json:"line_id,omitempty" maxLength:"200"`
	SKU         string `json:"sku,omitempty" maxLength:"200"`
	ProductName string `json:"product_name,omitempty"`
	Category    string `json:"category,omitempty"`
	Quantity    int64  `json:"quantity" minimum:"1"`
	UnitPrice   string `json:"unit_price" pattern:"^[0-9]+(\\.[0-9]+)?$"`
}

// TicketBody is a support ticket.
type TicketBody struct {
	ExternalID      string     `json:"external_id" minLength:"1" maxLength:"200"`
	CustomerID      string     `json:"customer_id" minLength:"1" maxLength:"200"`
	Channel         string     `json:"channel" enum:"email,phone,web,chat,sms,whatsapp,messenger,in_store"`
	Subject         string     `json:"subject,omitempty" maxLength:"500"`
	Body            string     `json:"body,omitempty"`
	Status          string     `json:"status,omitempty" enum:"new,open,pending,on_hold,resolved,closed"`
	Priority        string     `json:"priority,omitempty" enum:"low,normal,high,urgent"`
	Assignee        string     `json:"assignee,omitempty"`
	RootCause       string     `json:"root_cause,omitempty" enum:"quality,price_value,usability,service,delivery,other"`
	OpenedAt        time.Time  `json:"opened_at"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
}

// SurveyBody is one survey answer.
type SurveyBody struct {
	ExternalID  string     `json:"external_id,omitempty" maxLength:"200" doc:"Default: the event id."`
	CustomerID  string     `json:"customer_id" minLength:"1" maxLength:"200"`
	Kind        string     `json:"kind" enum:"nps,csat,ces"`
	Score       int        `json:"score" doc:"NPS 0–10, CSAT 1–5, CES 1–7."`
	Comment     string     `json:"comment,omitempty"`
	Staff       string     `json:"staff,omitempty" doc:"The staff member the customer named."`
	OrderID     string     `json:"order_id,omitempty"`
	TicketID    string     `json:"ticket_id,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
}

// SubscriptionBody is a recurring contract: a B2B supply, a service plan;
// its renewal date starts the renewal reminders.
type SubscriptionBody struct {
	ExternalID string     `json:"external_id" minLength:"1" maxLength:"200"`
	CustomerID string     `json:"customer_id" minLength:"1" maxLength:"200"`
	Plan       string     `json:"plan" minLength:"1" maxLength:"200"`
	Status     string     `json:"status,omitempty" enum:"active,cancelled,lapsed" doc:"Default: active."`
	Value      string     `json:"value" pattern:"^[0-9]+(\\.[0-9]+)?$" doc:"What a period costs, in units of currency."`
	Currency   string     `json:"currency" doc:"ISO 4217."`
	Interval   string     `json:"interval,omitempty" enum:"month,quarter,year" doc:"Default: month."`
	StartedAt  time.Time  `json:"started_at"`
	RenewsAt   *time.Time `json:"renews_at,omitempty"`
}

// toBatch converts event i into batch rows and returns its problems, with
// field names as they appear in the request body.
func toBatch(b *store.Batch, i int, e Event, now time.Time) retain.Problems {
	p := retain.Problems{}
	at := now
	if e.OccurredAt != nil {
		at = e.OccurredAt.UTC().Truncate(time.Microsecond)
	}
	need := func(field string, present bool) bool {
		if !present {
			p.Add(field, "is required for a %s event", e.Type)
		}
		return present
	}
	switch kind, sub, _ := strings.Cut(e.Type, "."); {
	case e.Type == "customer.upsert":
		if need("customer", e.Customer != nil) {
			c, cp := customerFromBody(*e.Customer)
			p.Merge("customer.", cp)
			b.Customers = append(b.Customers, store.Row[retain.Customer]{Ref: i, V: c})
		}
	case e.Type == "order.placed":
		if need("order", e.Order != nil) {
			o, op := orderFromBody(*e.Order)
			p.Merge("order.", op)
			b.Orders = append(b.Orders, store.Row[retain.Order]{Ref: i, V: o})
			b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{Ref: i,
				V: retain.OrderEvent{ExternalID: e.ID, OrderRef: o.ExternalID, Type: retain.EventPlaced, OccurredAt: o.PlacedAt}})
		}
	case kind == "order":
		if need("order_id", e.OrderID != "") {
			ev := retain.OrderEvent{ExternalID: e.ID, OrderRef: e.OrderID, Type: retain.OrderEventType(sub), Reason: e.Reason, OccurredAt: at, StaffRef: e.Staff,
				TrackingURL: strings.TrimSpace(e.TrackingURL), RiderPhone: strings.TrimSpace(e.RiderPhone)}
			if e.Amount != "" {
				if e.Currency == "" {
					p.Add("currency", "is required with amount")
				} else if amt, err := retain.ParseAmount(e.Amount, strings.ToUpper(e.Currency)); err != nil {
					p.Add("amount", "%v", err)
				} else {
					ev.Amount = amt
				}
			}
			p.Merge("", ev.Validate())
			b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{Ref: i, V: ev})
		}
	case e.Type == "ticket.upsert":
		if need("ticket", e.Ticket != nil) {
			t := e.Ticket
			tk := retain.Ticket{ExternalID: t.ExternalID, CustomerRef: t.CustomerID, Channel: t.Channel, Subject: t.Subject, Body: t.Body,
				Status: or(t.Status, "open"), Priority: or(t.Priority, "normal"), AssigneeRef: t.Assignee, RootCause: t.RootCause,
				OpenedAt: t.OpenedAt.UTC().Truncate(time.Microsecond), FirstResponseAt: timeOf(t.FirstResponseAt), ResolvedAt: timeOf(t.ResolvedAt)}
			p.Merge("ticket.", tk.Validate())
			b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{Ref: i, V: tk})
		}
	case e.Type == "survey.response":
		if need("survey_response", e.SurveyResponse != nil) {
			s := e.SurveyResponse
			r := retain.SurveyResponse{ExternalID: or(s.ExternalID, e.ID), CustomerRef: s.CustomerID, Kind: s.Kind, Score: s.Score,
				Comment: s.Comment, StaffRef: s.Staff, OrderRef: s.OrderID, TicketRef: s.TicketID, RespondedAt: at}
			if s.RespondedAt != nil {
				r.RespondedAt = s.RespondedAt.UTC().Truncate(time.Microsecond)
			}
			p.Merge("survey_response.", r.Validate())
			b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{Ref: i, V: r})
		}
	case e.Type == "subscription.upsert":
		if need("subscription", e.Subscription != nil) {
			sb := e.Subscription
			sub := retain.Subscription{ExternalID: sb.ExternalID, CustomerRef: sb.CustomerID, Plan: sb.Plan, Status: or(sb.Status, "active"),
				Currency: strings.ToUpper(sb.Currency), Interval: or(sb.Interval, "month"), StartedAt: sb.StartedAt.UTC().Truncate(time.Microsecond),
				RenewsAt: timeOf(sb.RenewsAt)}
			if sub.Currency == "" {
				p.Add("subscription.currency", "is required")
			} else if v, err := retain.ParseAmount(sb.Value, sub.Currency); err != nil {
				p.Add("subscription.value", "%v", err)
			} else {
				sub.Value = v
			}
			p.Merge("subscription.", sub.Validate())
			b.Subscriptions = append(b.Subscriptions, store.Row[retain.Subscription]{Ref: i, V: sub})
		}
	default:
		p.Add("type", "%q is not an event type", e.Type)
	}
	return p
}

func customerFromBody(c CustomerBody) (retain.Customer, retain.Problems) {
	p := retain.Problems{}
	out := retain.Customer{ExternalID: c.ExternalID, Name: c.Name, TimeZone: c.TimeZone, Stage: c.Stage, OwnerRef: c.Owner, Attributes: c.Attributes}
	var err error
	if c.Email != "" {
		if out.Email, err = retain.NormalizeEmail(c.Email); err != nil {
			p.Add("email", "%v", err)
		}
	}
	if c.Phone != "" {
		if out.Phone, err = retain.NormalizePhone(c.Phone, ""); err != nil {
			p.Add("phone", "%v", err)
		}
	}
	if c.Locale != "" {
		if out.Locale, err = retain.NormalizeLocale(c.Locale); err != nil {
			p.Add("locale", "%v", err)
		}
	}
	for _, cs := range c.Consents {
		out.Consents = append(out.Consents, retain.Consent{Channel: retain.Channel(cs.Channel), Purpose: retain.Purpose(cs.Purpose), Granted: cs.Granted, Source: "api"})
	}
	p.Merge("", out.Validate())
	return out, p
}

func orderFromBody(o OrderBody) (retain.Order, retain.Problems) {
	p := retain.Problems{}
	cur := strings.ToUpper(o.Currency)
	out := retain.Order{ExternalID: o.ExternalID, CustomerRef: o.CustomerID, Status: o.Status, Channel: o.Channel, Currency: cur,
		PlacedAt: o.PlacedAt.UTC().Truncate(time.Microsecond), ExpectedDeliveryAt: timeOf(o.ExpectedDeliveryAt)}
	_, curErr := retain.CurrencyDigits(cur)
	if o.Total != "" && curErr == nil {
		t, err := retain.ParseAmount(o.Total, cur)
		if err != nil {
			p.Add("total", "%v", err)
		}
		out.Total, out.HasTotal = t, true
	}
	for j, l := range o.Lines {
		line := retain.OrderLine{ExternalID: l.LineID, SKU: l.SKU, Name: l.ProductName, Category: l.Category, Quantity: l.Quantity}
		if line.ExternalID == "" {
			line.ExternalID = fmt.Sprintf("%s/%d", o.ExternalID, j+1)
		}
		if curErr == nil {
			price, err := retain.ParseAmount(l.UnitPrice, cur)
			if err != nil {
				p.Add(fmt.Sprintf("lines[%d].unit_price", j), "%v", err)
			}
			total, err := retain.MulAmount(price, l.Quantity)
			if err != nil {
				p.Add(fmt.Sprintf("lines[%d].quantity", j), "%v", err)
			}
			line.UnitPrice, line.Total = price, total
		}
		out.Lines = append(out.Lines, line)
	}
	p.Merge("", out.Validate())
	return out, p
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func or(v, dflt string) string {
	if v == "" {
		return dflt
	}
	return v
}

// textProblems names every string in v (an event, by its JSON field names)
// that is no text: a NUL byte, which PostgreSQL refuses, or invalid UTF-8.
func textProblems(v reflect.Value, path string, p retain.Problems) {
	switch v.Kind() {
	case reflect.String:
		if why := retain.TextProblem(v.String()); why != "" {
			p.Add(strings.TrimPrefix(path, "."), "%s", why)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			textProblems(v.Elem(), path, p)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" || !t.Field(i).IsExported() {
				continue
			}
			textProblems(v.Field(i), path+"."+name, p)
		}
	case reflect.Slice:
		for i := range v.Len() {
			textProblems(v.Index(i), fmt.Sprintf("%s[%d]", path, i), p)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := fmt.Sprint(iter.Key().Interface())
			if why := retain.TextProblem(key); why != "" {
				p.Add(strings.TrimPrefix(path, "."), "a key %s", why)
			}
			textProblems(iter.Value(), path+"."+key, p)
		}
	}
}
