package importer

import (
	"fmt"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// cdnow reads one CDNOW transaction: one order of the customer on that date
// with its dollar value and one line for the CDs bought. The order id is the
// customer, the date and the count of that customer's orders on that date so
// far, so the sample and the master file (which share customer ids) name the
// same transaction the same way. Same-day orders stay separate orders here;
// the analytics merge them into one purchase.
func (p *parser) cdnow(rec record, r *fieldReader) error {
	cust, date := r.required("customer_id"), r.required("date")
	placed := r.time("date", true)
	total, ok := r.amount("dollars", p.opts.Currency)
	if !ok && r.str("dollars") == "" {
		r.p.Add("dollars", "is required")
	}
	cds := r.integer("cds", 0)
	if cds < 0 {
		r.p.Add("cds", "must not be negative")
	}
	if err := r.p.Err(); err != nil {
		return err
	}
	key := cust + "-" + date
	p.cdnowSeen[key]++
	id := fmt.Sprintf("cdnow-%s-%d", key, p.cdnowSeen[key])
	o := retain.Order{ExternalID: id, CustomerRef: cust, Currency: p.opts.Currency, Total: total, HasTotal: true, PlacedAt: placed}
	if cds > 0 {
		o.Lines = []retain.OrderLine{{ExternalID: id + "/cd", SKU: "cd", Name: "CD", Category: "music", Quantity: cds,
			UnitPrice: total / cds, Total: total}}
	}
	if sample := r.str("sample_id"); sample != "" {
		p.batch.Customers = append(p.batch.Customers, store.Row[retain.Customer]{Ref: rec.line,
			V: retain.Customer{ExternalID: cust, Attributes: map[string]string{"cdnow_sample_id": sample}}})
	}
	p.batch.Orders = append(p.batch.Orders, store.Row[retain.Order]{Ref: rec.line, V: o})
	return nil
}
