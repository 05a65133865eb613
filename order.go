package retain

import (
	"slices"
	"strings"
	"time"
)

// Order is one purchase. Money is in minor units of Currency.
type Order struct {
	ID                 int64
	ExternalID         string
	CustomerRef        string // customer external id
	Status             string
	Channel            string
	Currency           string
	Total              int64 // minor units
	HasTotal           bool  // false: the total is the sum of the lines
	PlacedAt           time.Time
	ExpectedDeliveryAt time.Time
	Lines              []OrderLine
}

// OrderStatuses are the states an order can be in.
var OrderStatuses = []string{"placed", "paid", "fulfilled", "shipped", "delivered", "cancelled", "returned", "refunded"}

// OrderLine is one product line of an order.
type OrderLine struct {
	ExternalID string // unique; the importer derives one from order and SKU when absent
	SKU        string // product external id
	Name       string
	Category   string
	Quantity   int64
	UnitPrice  int64 // minor units
	Total      int64 // minor units; Quantity × UnitPrice unless given
}

// OrderEventType is something that happened to an order after it was placed.
type OrderEventType string

// Order event types (docs/product.md: Orders and their status; docs/architecture.md, Data model).
const (
	EventPlaced         OrderEventType = "placed"
	EventPaid           OrderEventType = "paid"
	EventShipped        OrderEventType = "shipped"
	EventOutForDelivery OrderEventType = "out_for_delivery"
	EventDelivered      OrderEventType = "delivered"
	EventDelayed        OrderEventType = "delayed"
	EventReturned       OrderEventType = "returned"
	EventRefunded       OrderEventType = "refunded"
	EventChargeback     OrderEventType = "chargeback"
	EventRefused        OrderEventType = "refused"
)

// OrderEventTypes lists every valid OrderEventType.
var OrderEventTypes = []string{"placed", "paid", "shipped", "out_for_delivery", "delivered", "delayed", "returned", "refunded", "chargeback", "refused"}

// OrderEvent records a step in an order's life, with a reason for the unhappy ones.
type OrderEvent struct {
	ExternalID string
	OrderRef   string // order external id
	Type       OrderEventType
	Reason     string
	Amount     int64 // refunded or charged-back amount, minor units of the order's currency
	OccurredAt time.Time
	StaffRef   string // staff external id of who handled it (the rider who delivered)
	// TrackingURL is the courier's page for the parcel (a shipped event's);
	// RiderPhone the number of whoever brings it (out for delivery).
	TrackingURL string
	RiderPhone  string
}

// Validate checks o and its lines.
func (o *Order) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", o.ExternalID, true)
	checkRef(p, "customer_id", o.CustomerRef, true)
	if o.Status != "" && !slices.Contains(OrderStatuses, o.Status) {
		p.Add("status", "%q is not one of %v", o.Status, OrderStatuses)
	}
	if _, err := CurrencyDigits(o.Currency); err != nil {
		p.Add("currency", "%v", err)
	}
	if o.HasTotal && o.Total < 0 {
		p.Add("total", "must not be negative")
	}
	if o.PlacedAt.IsZero() {
		p.Add("placed_at", "is required")
	}
	if !o.HasTotal && len(o.Lines) == 0 {
		p.Add("total", "is required when the order has no lines")
	}
	var sum int64
	for i, l := range o.Lines {
		p.Merge("lines["+itoa(i)+"].", l.Validate())
		var err error
		if sum, err = AddAmounts(sum, l.Total); err != nil && !o.HasTotal {
			p.Add("lines", "%v", err)
			break
		}
	}
	return p
}

// Validate checks l.
func (l *OrderLine) Validate() Problems {
	p := Problems{}
	checkRef(p, "line_id", l.ExternalID, true)
	if l.SKU == "" && l.Name == "" {
		p.Add("sku", "a line needs a sku or a product name")
	}
	if l.Quantity <= 0 {
		p.Add("quantity", "must be a positive whole number")
	}
	if l.UnitPrice < 0 {
		p.Add("unit_price", "must not be negative")
	}
	if l.Total < 0 {
		p.Add("line_total", "must not be negative")
	}
	return p
}

// Validate checks e.
func (e *OrderEvent) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", e.ExternalID, true)
	checkRef(p, "order_id", e.OrderRef, true)
	checkRef(p, "staff", e.StaffRef, false)
	if !slices.Contains(OrderEventTypes, string(e.Type)) {
		p.Add("type", "%q is not one of %v", e.Type, OrderEventTypes)
	}
	if e.OccurredAt.IsZero() {
		p.Add("occurred_at", "is required")
	}
	if e.Amount < 0 {
		p.Add("amount", "must not be negative")
	}
	if e.TrackingURL != "" && !(strings.HasPrefix(e.TrackingURL, "https://") || strings.HasPrefix(e.TrackingURL, "http://")) || len(e.TrackingURL) > 500 {
		p.Add("tracking_url", "is not a web address (http:// or https://, up to 500 characters)")
	}
	if len(e.RiderPhone) > 40 {
		p.Add("rider_phone", "is longer than %d characters", 40)
	}
	if len(e.Reason) > 2000 {
		p.Add("reason", "is longer than %d characters", 2000)
	}
	return p
}
