package store

import (
	"github.com/retainhq/retain"
)

// Row is one input item with Ref, the caller's name for where it came from
// (a line number in a file, an index in an API batch), used in rejects.
type Row[T any] struct {
	Ref int
	V   T
}

// LineRow is an order line imported on its own, naming its order.
type LineRow struct {
	OrderRef string
	retain.OrderLine
}

// Batch is a set of upserts applied in one transaction, in dependency order:
// staff, customers, products, orders, lines, order events, tickets, ticket
// messages, survey responses, subscriptions, interactions. Customers and staff that rows refer
// to are created if missing (with just their external id); orders that lines
// and events refer to must exist, or be in the batch, else the row is rejected.
//
// Within a batch a later row with the same external id wins. A value left
// empty never erases a stored one.
type Batch struct {
	Staff           []Row[retain.Staff]
	Customers       []Row[retain.Customer]
	Orders          []Row[retain.Order]
	OrderLines      []Row[LineRow]
	OrderEvents     []Row[retain.OrderEvent]
	Tickets         []Row[retain.Ticket]
	TicketMessages  []Row[retain.TicketMessage]
	SurveyResponses []Row[retain.SurveyResponse]
	Subscriptions   []Row[retain.Subscription]
	Interactions    []Row[retain.Interaction]
}

// Len is the number of rows in b.
func (b *Batch) Len() int {
	return len(b.Staff) + len(b.Customers) + len(b.Orders) + len(b.OrderLines) + len(b.OrderEvents) +
		len(b.Tickets) + len(b.TicketMessages) + len(b.SurveyResponses) + len(b.Subscriptions) + len(b.Interactions)
}

// Reset empties b, keeping its capacity.
func (b *Batch) Reset() {
	b.Staff, b.Customers, b.Orders = b.Staff[:0], b.Customers[:0], b.Orders[:0]
	b.OrderLines, b.OrderEvents, b.Tickets, b.TicketMessages = b.OrderLines[:0], b.OrderEvents[:0], b.Tickets[:0], b.TicketMessages[:0]
	b.SurveyResponses, b.Subscriptions, b.Interactions = b.SurveyResponses[:0], b.Subscriptions[:0], b.Interactions[:0]
}

// Reject is a row the store refused, with the reason.
type Reject struct {
	Ref   int
	Field string // the field whose value it could not use: order_id, ticket_id
	Why   retain.Reason
}
