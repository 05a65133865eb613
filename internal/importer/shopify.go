package importer

import (
	"fmt"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// shopify reads Shopify's orders export: one row per line item, the order's
// own fields (Email, Total, Created at…) on its first row only. The customer
// is identified by email, else by billing phone.
func (p *parser) shopify(rec record, r *fieldReader) error {
	f := rec.fields
	name := f["name"]
	if name == "" {
		return fmt.Errorf("name: the order name (#1001) is required")
	}
	p.lastOrder = name
	lineFields := &fieldReader{f: map[string]string{
		"sku": f["lineitem_sku"], "product_name": f["lineitem_name"], "quantity": f["lineitem_quantity"],
		"unit_price": f["lineitem_price"], "category": f["vendor"],
	}, p: r.p, opts: p.opts}
	if i, ok := p.orderIdx[name]; ok {
		o := &p.batch.Orders[i].V
		l, has := p.line(lineFields, name, o.Currency)
		if !has {
			return fmt.Errorf("lineitem_name: a repeated order row needs a line item")
		}
		if err := r.p.Err(); err != nil {
			return err
		}
		if err := p.addLineOnce(name, l); err != nil {
			return err
		}
		o.Lines = append(o.Lines, l)
		return nil
	}
	if f["created_at"] == "" && f["total"] == "" {
		return fmt.Errorf("name: line item of order %s whose first row is not directly above it", name)
	}
	cur := r.currency()
	email := r.email("email")
	phone := ""
	if f["billing_phone"] != "" {
		phone = r.phone("billing_phone")
	} else if f["phone"] != "" {
		phone = r.phone("phone")
	}
	cust := strings.ToLower(email)
	if cust == "" {
		cust = phone
	}
	if cust == "" && len(r.p) == 0 {
		r.p.Add("email", "an order needs the customer's email or phone")
	}
	status := "placed"
	switch fs := r.enum("financial_status", ""); {
	case r.str("cancelled_at") != "":
		status = "cancelled"
	case fs == "refunded" || fs == "partially_refunded":
		status = "refunded"
	case r.enum("fulfillment_status", "") == "fulfilled":
		status = "fulfilled"
	case fs == "paid":
		status = "paid"
	}
	o := retain.Order{ExternalID: name, CustomerRef: cust, Status: status, Channel: r.str("source"), Currency: cur,
		PlacedAt: r.time("created_at", true)}
	o.Total, o.HasTotal = r.amount("total", cur)
	if l, has := p.line(lineFields, name, cur); has {
		o.Lines = append(o.Lines, l)
	}
	r.check(o.Validate())
	paidAt, fulfilledAt := r.time("paid_at", false), r.time("fulfilled_at", false)
	if err := r.p.Err(); err != nil {
		return err
	}
	for _, l := range o.Lines {
		if err := p.addLineOnce(name, l); err != nil {
			return err
		}
	}
	if f["billing_name"] != "" || email != "" || phone != "" {
		p.batch.Customers = append(p.batch.Customers, store.Row[retain.Customer]{Ref: rec.line,
			V: retain.Customer{ExternalID: cust, Name: f["billing_name"], Email: email, Phone: phone}})
	}
	p.orderIdx[name] = len(p.batch.Orders)
	p.batch.Orders = append(p.batch.Orders, store.Row[retain.Order]{Ref: rec.line, V: o})
	if !paidAt.IsZero() {
		p.batch.OrderEvents = append(p.batch.OrderEvents, store.Row[retain.OrderEvent]{Ref: rec.line,
			V: retain.OrderEvent{ExternalID: name + ":paid", OrderRef: name, Type: retain.EventPaid, OccurredAt: paidAt}})
	}
	if !fulfilledAt.IsZero() {
		p.batch.OrderEvents = append(p.batch.OrderEvents, store.Row[retain.OrderEvent]{Ref: rec.line,
			V: retain.OrderEvent{ExternalID: name + ":shipped", OrderRef: name, Type: retain.EventShipped, OccurredAt: fulfilledAt}})
	}
	return nil
}
