package importer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kinds of import and the fields each understands. Aliases let common
// column titles work without a --map: "Customer ID", "id" and "customer"
// all reach customer_id where that is the only reading.
var kindFields = map[string][]string{
	"customers": {"external_id", "name", "email", "phone", "locale", "time_zone", "stage", "owner", "first_seen_at",
		"consent_email", "consent_sms", "consent_whatsapp"},
	"orders": {"order_id", "customer_id", "customer_name", "customer_email", "customer_phone", "status", "channel", "currency",
		"total", "placed_at", "expected_delivery_at", "line_id", "sku", "product_name", "category", "quantity", "unit_price", "line_total"},
	"order-lines":      {"order_id", "line_id", "sku", "product_name", "category", "quantity", "unit_price", "line_total", "currency"},
	"order-events":     {"event_id", "order_id", "type", "reason", "amount", "currency", "occurred_at", "tracking_url", "rider_phone"},
	"tickets":          {"ticket_id", "customer_id", "customer_name", "customer_email", "customer_phone", "channel", "subject", "body", "status", "priority", "assignee", "root_cause", "opened_at", "first_response_at", "resolved_at", "tags", "team", "order_id"},
	"survey-responses": {"response_id", "customer_id", "kind", "score", "comment", "staff", "order_id", "ticket_id", "responded_at"},
	"subscriptions":    {"subscription_id", "customer_id", "plan", "status", "value", "currency", "interval", "started_at", "renews_at"},
}

var aliases = map[string]map[string]string{
	"customers":        {"id": "external_id", "customer_id": "external_id", "customer": "external_id", "timezone": "time_zone", "language": "locale"},
	"orders":           {"id": "order_id", "external_id": "order_id", "order": "order_id", "order_number": "order_id", "order_no": "order_id", "invoice": "order_id", "invoice_no": "order_id", "customer": "customer_id", "date": "placed_at", "order_date": "placed_at", "created_at": "placed_at", "amount": "total", "order_total": "total", "product": "product_name", "price": "unit_price", "qty": "quantity"},
	"order-lines":      {"id": "line_id", "external_id": "line_id", "order": "order_id", "product": "product_name", "price": "unit_price", "qty": "quantity"},
	"order-events":     {"id": "event_id", "external_id": "event_id", "order": "order_id", "event": "type", "date": "occurred_at", "at": "occurred_at", "tracking": "tracking_url", "tracking_link": "tracking_url", "rider": "rider_phone"},
	"tickets":          {"id": "ticket_id", "external_id": "ticket_id", "customer": "customer_id", "message": "body", "description": "body", "date": "opened_at", "created_at": "opened_at", "agent": "assignee"},
	"survey-responses": {"id": "response_id", "external_id": "response_id", "customer": "customer_id", "survey": "kind", "type": "kind", "representative": "staff", "staff_id": "staff", "date": "responded_at", "created_at": "responded_at"},
	"subscriptions":    {"id": "subscription_id", "external_id": "subscription_id", "contract": "subscription_id", "contract_id": "subscription_id", "customer": "customer_id", "price": "value", "amount": "value", "period": "interval", "start": "started_at", "start_date": "started_at", "renewal": "renews_at", "renewal_date": "renews_at", "renews": "renews_at"},
}

// Kinds lists the import kinds.
func Kinds() []string {
	out := make([]string, 0, len(kindFields))
	for k := range kindFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// canonical maps the names in a header (or a JSON object) to the kind's field
// names and returns the names it does not know.
func canonical(kind string, names []string) (map[string]string, []string) {
	known := kindFields[kind]
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
	}
	out := map[string]string{}
	var unknown []string
	for _, n := range names {
		switch {
		case slices.Contains(known, n):
			out[n] = n
		case aliases[kind][n] != "" && !present[aliases[kind][n]]:
			out[n] = aliases[kind][n]
		default:
			unknown = append(unknown, n)
		}
	}
	return out, unknown
}

func unknownColumnsError(kind string, unknown []string) error {
	return fmt.Errorf("unknown columns for %s: %s. Known: %s. Rename with --map 'Your Column=field' or skip with --ignore 'Your Column'",
		kind, strings.Join(unknown, ", "), strings.Join(kindFields[kind], ", "))
}

// Fields lists the fields an import kind reads, nil for an unknown kind.
func Fields(kind string) []string { return slices.Clone(kindFields[kind]) }

// Suggest is what an import does with each column of header when given no
// mapping: the field it is read as, "" for a column the kind does not know
// (customers keep those as attributes; other kinds refuse them unless they
// are mapped or ignored). The upload page shows it as the starting mapping.
func Suggest(kind string, header []string) []string {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = normalizeName(h)
	}
	canon, _ := canonical(kind, names)
	out := make([]string, len(header))
	for i, n := range names {
		out[i] = canon[n]
	}
	return out
}
