package importer

import (
	"fmt"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// parser turns records into batch rows for one kind.
type parser struct {
	opts  *Options
	batch store.Batch
	rows  int            // records in the batch
	bytes int            // their raw size
	raw   map[int]string // line → raw text, for rejects the store reports

	orderIdx  map[string]int  // order id → index in batch.Orders
	lineKeys  map[string]bool // order/line ids in the batch
	lastOrder string          // order id of the previous record
	cdnowSeen map[string]int  // customer+date → orders so far (CDNOW)
}

func newParser(opts *Options) *parser {
	p := &parser{opts: opts, cdnowSeen: map[string]int{}}
	p.reset()
	return p
}

// next returns a parser for the next batch, carrying the state that spans
// batches (the previous order id, CDNOW's per-day counters); p itself is
// handed to the writer and not touched again.
func (p *parser) next() *parser {
	q := &parser{opts: p.opts, lastOrder: p.lastOrder, cdnowSeen: p.cdnowSeen}
	q.reset()
	return q
}

func (p *parser) reset() {
	p.batch = store.Batch{}
	p.rows, p.bytes = 0, 0
	p.raw = map[int]string{}
	p.orderIdx = map[string]int{}
	p.lineKeys = map[string]bool{}
}

// canFlushBefore keeps all rows of one order (one row per line item) in the
// same batch: Shopify's continuation rows carry only line fields.
func (p *parser) canFlushBefore(rec record) bool {
	// A CDNOW record is a whole order (it has no order id to compare:
	// comparing empty ids once kept a whole file in one transaction).
	if p.opts.Kind != "orders" || rec.fields == nil || p.opts.Format == "cdnow" {
		return true
	}
	return p.orderKey(rec.fields) != p.lastOrder
}

func (p *parser) orderKey(f map[string]string) string {
	if p.opts.Format == "shopify" {
		return f["name"]
	}
	return f["order_id"]
}

func (p *parser) add(rec record) error {
	p.rows++
	p.bytes += len(rec.raw)
	p.raw[rec.line] = rec.raw
	if p.opts.Format == "jsonl" {
		canon, unknown := canonical(p.opts.Kind, keys(rec.fields))
		if len(unknown) > 0 && p.opts.Kind != "customers" {
			return fmt.Errorf("unknown fields: %s", strings.Join(unknown, ", "))
		}
		f := make(map[string]string, len(rec.fields))
		for k, v := range rec.fields {
			if c := canon[k]; c != "" {
				f[c] = v
			} else {
				f["attr."+k] = v
			}
		}
		rec.fields = f
	}
	r := newFieldReader(rec.fields, p.opts)
	switch {
	case p.opts.Format == "cdnow":
		return p.cdnow(rec, r)
	case p.opts.Format == "shopify":
		return p.shopify(rec, r)
	}
	switch p.opts.Kind {
	case "customers":
		return p.customer(rec, r)
	case "orders":
		return p.order(rec, r)
	case "order-lines":
		return p.orderLine(rec, r)
	case "order-events":
		return p.orderEvent(rec, r)
	case "tickets":
		return p.ticket(rec, r)
	case "survey-responses":
		return p.survey(rec, r)
	case "subscriptions":
		return p.subscription(rec, r)
	}
	return fmt.Errorf("unknown kind %s", p.opts.Kind)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (p *parser) customer(rec record, r *fieldReader) error {
	c := retain.Customer{
		ExternalID: r.required("external_id"), Name: r.str("name"), Email: r.email("email"), Phone: r.phone("phone"),
		Locale: r.locale("locale"), TimeZone: r.str("time_zone"), Stage: r.enum("stage", ""), OwnerRef: r.str("owner"),
		FirstSeenAt: r.time("first_seen_at", false),
	}
	for _, ch := range []retain.Channel{retain.ChannelEmail, retain.ChannelSMS, retain.ChannelWhatsApp} {
		if cs, ok := r.consent("consent_"+string(ch), ch); ok {
			c.Consents = append(c.Consents, cs)
		}
	}
	for k, v := range rec.fields {
		if name, ok := strings.CutPrefix(k, "attr."); ok && v != "" {
			if c.Attributes == nil {
				c.Attributes = map[string]string{}
			}
			c.Attributes[name] = v
		}
	}
	for k, v := range rec.attrs {
		if c.Attributes == nil {
			c.Attributes = map[string]string{}
		}
		c.Attributes[k] = v
	}
	r.check(c.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	p.batch.Customers = append(p.batch.Customers, store.Row[retain.Customer]{Ref: rec.line, V: c})
	return nil
}

// rowCustomer reads the customer fields an order or ticket row carries,
// before the row's problems are checked: a bad email refuses the row, it
// is not dropped from a row that is otherwise stored.
func rowCustomer(r *fieldReader) retain.Customer {
	return retain.Customer{Name: r.str("customer_name"), Email: r.email("customer_email"), Phone: r.phone("customer_phone")}
}

// addRowCustomer adds the customer an order or ticket row names, when the
// row says more of them than the id.
func (p *parser) addRowCustomer(line int, c retain.Customer, id string) {
	if id != "" && (c.Name != "" || c.Email != "" || c.Phone != "") {
		c.ExternalID = id
		p.batch.Customers = append(p.batch.Customers, store.Row[retain.Customer]{Ref: line, V: c})
	}
}

// line reads the line-item fields of a row; ok is false when it has none.
func (p *parser) line(r *fieldReader, orderID, cur string) (retain.OrderLine, bool) {
	l := retain.OrderLine{ExternalID: r.str("line_id"), SKU: r.str("sku"), Name: r.str("product_name"), Category: r.str("category")}
	if l.SKU == "" && l.Name == "" && r.str("quantity") == "" && r.str("unit_price") == "" {
		return l, false
	}
	l.Quantity = r.integer("quantity", 1)
	price, hasPrice := r.amount("unit_price", cur)
	total, hasTotal := r.amount("line_total", cur)
	switch {
	case hasPrice && !hasTotal:
		var err error
		if total, err = retain.MulAmount(price, l.Quantity); err != nil {
			r.p.Add("quantity", "%v", err)
		}
	case hasTotal && !hasPrice && l.Quantity > 0:
		price = total / l.Quantity
	case !hasPrice && !hasTotal:
		r.p.Add("unit_price", "a line needs unit_price or line_total")
	}
	l.UnitPrice, l.Total = price, total
	if l.ExternalID == "" {
		key := l.SKU
		if key == "" {
			key = l.Name
		}
		l.ExternalID = orderID + "/" + key
	}
	r.check(l.Validate())
	return l, true
}

func (p *parser) addLineOnce(orderID string, l retain.OrderLine) error {
	k := l.ExternalID
	if p.lineKeys[k] {
		return retain.Problems{"line_id": *retain.Because("line_repeated", "order %s already has a line %q in this file; add a line_id column to tell them apart", orderID, k)}.Err()
	}
	p.lineKeys[k] = true
	return nil
}

func (p *parser) order(rec record, r *fieldReader) error {
	id := r.required("order_id")
	p.lastOrder = id
	cur := r.currency()
	if i, ok := p.orderIdx[id]; ok && id != "" {
		// Another line item of an order already in this batch.
		o := &p.batch.Orders[i].V
		l, has := p.line(r, id, o.Currency)
		if !has {
			r.p.Add("sku", "a repeated order_id needs line-item fields (one row per line item)")
		}
		if err := r.p.Err(); err != nil {
			return err
		}
		if err := p.addLineOnce(id, l); err != nil {
			return err
		}
		o.Lines = append(o.Lines, l)
		return nil
	}
	o := retain.Order{ExternalID: id, CustomerRef: r.required("customer_id"), Status: r.enum("status", ""), Channel: r.str("channel"),
		Currency: cur, PlacedAt: r.time("placed_at", true), ExpectedDeliveryAt: r.time("expected_delivery_at", false)}
	o.Total, o.HasTotal = r.amount("total", cur)
	cust := rowCustomer(r)
	if l, has := p.line(r, id, cur); has {
		o.Lines = append(o.Lines, l)
	}
	for i, nested := range rec.lines { // JSON lines: "lines": [{…}, …]
		nr := newFieldReader(nested, p.opts)
		l, _ := p.line(nr, id, cur)
		if l.ExternalID == id+"/" {
			l.ExternalID = fmt.Sprintf("%s/%d", id, i+1)
		}
		r.p.Merge(fmt.Sprintf("lines[%d].", i), nr.p)
		o.Lines = append(o.Lines, l)
	}
	r.check(o.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	for _, l := range o.Lines {
		if err := p.addLineOnce(id, l); err != nil {
			return err
		}
	}
	p.addRowCustomer(rec.line, cust, o.CustomerRef)
	p.orderIdx[id] = len(p.batch.Orders)
	p.batch.Orders = append(p.batch.Orders, store.Row[retain.Order]{Ref: rec.line, V: o})
	return nil
}

func (p *parser) orderLine(rec record, r *fieldReader) error {
	orderID := r.required("order_id")
	l, _ := p.line(r, orderID, r.currency())
	if err := r.p.Err(); err != nil {
		return err
	}
	if err := p.addLineOnce(orderID, l); err != nil {
		return err
	}
	p.batch.OrderLines = append(p.batch.OrderLines, store.Row[store.LineRow]{Ref: rec.line, V: store.LineRow{OrderRef: orderID, OrderLine: l}})
	return nil
}

func (p *parser) orderEvent(rec record, r *fieldReader) error {
	e := retain.OrderEvent{ExternalID: r.str("event_id"), OrderRef: r.required("order_id"), Type: retain.OrderEventType(r.enum("type", "")),
		Reason: r.str("reason"), OccurredAt: r.time("occurred_at", true), TrackingURL: r.str("tracking_url"), RiderPhone: r.str("rider_phone")}
	if r.str("amount") != "" {
		e.Amount, _ = r.amount("amount", r.currency())
	}
	if e.ExternalID == "" {
		// Without an id, the event is what happened to which order when.
		e.ExternalID = e.OrderRef + ":" + string(e.Type) + ":" + r.str("occurred_at")
	}
	r.check(e.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	p.batch.OrderEvents = append(p.batch.OrderEvents, store.Row[retain.OrderEvent]{Ref: rec.line, V: e})
	return nil
}

func (p *parser) ticket(rec record, r *fieldReader) error {
	t := retain.Ticket{ExternalID: r.required("ticket_id"), CustomerRef: r.required("customer_id"), Channel: r.enum("channel", "email"),
		Subject: r.str("subject"), Body: r.str("body"), Status: r.enum("status", "open"), Priority: r.enum("priority", "normal"),
		AssigneeRef: r.str("assignee"), RootCause: r.enum("root_cause", ""), OpenedAt: r.time("opened_at", true),
		FirstResponseAt: r.time("first_response_at", false), ResolvedAt: r.time("resolved_at", false),
		Team: r.str("team"), OrderRef: r.str("order_id")}
	if tags := r.str("tags"); tags != "" { // an empty cell keeps the ticket's tags
		t.Tags = retain.NormalizeTags(tags)
	}
	cust := rowCustomer(r)
	r.check(t.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	p.addRowCustomer(rec.line, cust, t.CustomerRef)
	p.batch.Tickets = append(p.batch.Tickets, store.Row[retain.Ticket]{Ref: rec.line, V: t})
	return nil
}

func (p *parser) survey(rec record, r *fieldReader) error {
	s := retain.SurveyResponse{ExternalID: r.str("response_id"), CustomerRef: r.required("customer_id"), Kind: r.enum("kind", ""),
		Score: int(r.integer("score", -1)), Comment: r.str("comment"), StaffRef: r.str("staff"), OrderRef: r.str("order_id"),
		TicketRef: r.str("ticket_id"), RespondedAt: r.time("responded_at", true)}
	if r.str("score") == "" {
		r.p.Add("score", "is required")
	}
	if s.ExternalID == "" {
		s.ExternalID = s.CustomerRef + ":" + s.Kind + ":" + r.str("responded_at")
	}
	r.check(s.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	p.batch.SurveyResponses = append(p.batch.SurveyResponses, store.Row[retain.SurveyResponse]{Ref: rec.line, V: s})
	return nil
}

func (p *parser) subscription(rec record, r *fieldReader) error {
	cur := r.currency()
	s := retain.Subscription{ExternalID: r.required("subscription_id"), CustomerRef: r.required("customer_id"), Plan: r.str("plan"),
		Status: r.enum("status", "active"), Currency: cur, Interval: r.enum("interval", "month"),
		StartedAt: r.time("started_at", true), RenewsAt: r.time("renews_at", false)}
	if r.str("value") == "" {
		r.p.Add("value", "is required")
	} else {
		s.Value, _ = r.amount("value", cur)
	}
	r.check(s.Validate())
	if err := r.p.Err(); err != nil {
		return err
	}
	p.batch.Subscriptions = append(p.batch.Subscriptions, store.Row[retain.Subscription]{Ref: rec.line, V: s})
	return nil
}
