package retain

import (
	"regexp"
	"slices"
	"strings"
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
	// Tags label the conversation (nil: unchanged; empty: none). Team is
	// the team's name and OrderRef the linked order's external id; empty
	// leaves either as it is.
	Tags     []string
	Team     string
	OrderRef string
}

// Ticket vocabularies.
var (
	TicketChannels = []string{"email", "phone", "web", "chat", "sms", "whatsapp", "messenger", "in_store"}
	// TicketStatuses: new (no agent has answered yet), open, pending (on
	// the customer: the SLA clock stops), on_hold (on someone else: a
	// courier, a supplier; the clock runs), resolved, closed.
	TicketStatuses   = []string{"new", "open", "pending", "on_hold", "resolved", "closed"}
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
	if len(t.Tags) > MaxTicketTags {
		p.Add("tags", "has %d tags; at most %d", len(t.Tags), MaxTicketTags)
	}
	for i, tag := range t.Tags {
		if !ticketTag.MatchString(tag) {
			p.Add("tags", "tag %d (%q) is not 1 to 40 lowercase letters, digits, - or _", i+1, tag)
			break
		}
	}
	checkRef(p, "order_id", t.OrderRef, false)
	return p
}

// MaxTicketTags is how many tags one ticket may carry.
const MaxTicketTags = 20

// ticketTag is a tag as stored: lowercase letters of any script, digits,
// - and _ (what NormalizeTags makes of what an agent types).
var ticketTag = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{M}\p{Nd}_-]{1,40}$`)

// NormalizeTags turns what an agent types ("Late delivery, refund") into
// tags: lowercased, spaces as -, de-duplicated, in the order given.
func NormalizeTags(text string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		tag := strings.Join(strings.Fields(strings.ToLower(f)), "-")
		if tag != "" && !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out
}

// TicketMessage is one message of a ticket's thread.
type TicketMessage struct {
	ExternalID string
	TicketRef  string // the ticket's external id
	Author     string // one of TicketAuthors
	StaffRef   string // the agent's external id (agent and note)
	Channel    string // the channel it came or went on; empty for notes
	Body       string
	SentAt     time.Time
	// Deliver: an agent's reply written in Retain (or Retain's own
	// reminder), to be sent to the customer on the ticket's channel. A
	// reply imported from another system's history is only recorded.
	Deliver bool
}

// TicketAuthors: the customer's words, an agent's reply (sent to the
// customer on the ticket's channel), an agent's internal note (never
// sent) and what Retain itself recorded.
var TicketAuthors = []string{"customer", "agent", "note", "system"}

// MaxTicketMessage is the longest message body a thread keeps, in bytes.
const MaxTicketMessage = 64 << 10

// Validate checks m.
func (m *TicketMessage) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", m.ExternalID, true)
	checkRef(p, "ticket_id", m.TicketRef, true)
	checkRef(p, "staff", m.StaffRef, false)
	if !slices.Contains(TicketAuthors, m.Author) {
		p.Add("author", "%q is not one of %v", m.Author, TicketAuthors)
	}
	if m.Channel != "" && !slices.Contains(TicketChannels, m.Channel) {
		p.Add("channel", "%q is not one of %v", m.Channel, TicketChannels)
	}
	if strings.TrimSpace(m.Body) == "" {
		p.Add("body", "is required")
	} else if len(m.Body) > MaxTicketMessage {
		p.Add("body", "is longer than %d bytes", MaxTicketMessage)
	}
	if m.SentAt.IsZero() {
		p.Add("sent_at", "is required")
	}
	return p
}
