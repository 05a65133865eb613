package retain

import (
	"slices"
	"time"
)

// Ticket is a support request from a customer.
type Ticket struct {
	ExternalID      string
	CustomerRef     string
	Channel         string
	Subject         string
	Body            string // the customer's first message, if any
	Status          string
	Priority        string
	AssigneeRef     string // staff external id
	RootCause       string
	OpenedAt        time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
}

// Ticket vocabularies.
var (
	TicketChannels   = []string{"email", "phone", "web", "chat", "sms", "whatsapp", "messenger", "in_store"}
	TicketStatuses   = []string{"open", "pending", "resolved", "closed"}
	TicketPriorities = []string{"low", "normal", "high", "urgent"}
	// RootCauses are the causes of dissatisfaction (docs/product.md: Unhappiness and its causes).
	RootCauses = []string{"quality", "price_value", "usability", "service", "delivery", "other"}
)

// Validate checks t.
func (t *Ticket) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", t.ExternalID, true)
	checkRef(p, "customer_id", t.CustomerRef, true)
	checkRef(p, "assignee", t.AssigneeRef, false)
	if !slices.Contains(TicketChannels, t.Channel) {
		p.Add("channel", "%q is not one of %v", t.Channel, TicketChannels)
	}
	if !slices.Contains(TicketStatuses, t.Status) {
		p.Add("status", "%q is not one of %v", t.Status, TicketStatuses)
	}
	if !slices.Contains(TicketPriorities, t.Priority) {
		p.Add("priority", "%q is not one of %v", t.Priority, TicketPriorities)
	}
	if t.RootCause != "" && !slices.Contains(RootCauses, t.RootCause) {
		p.Add("root_cause", "%q is not one of %v", t.RootCause, RootCauses)
	}
	if t.OpenedAt.IsZero() {
		p.Add("opened_at", "is required")
	}
	if !t.ResolvedAt.IsZero() && t.ResolvedAt.Before(t.OpenedAt) {
		p.Add("resolved_at", "is before opened_at")
	}
	if len(t.Subject) > 500 {
		p.Add("subject", "is longer than %d characters", 500)
	}
	return p
}
