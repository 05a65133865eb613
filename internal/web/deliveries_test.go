package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCustomerDeliveries: a customer whose number refused two of three
// parcels shows its delivery history on their page and a warning to
// confirm new cash-on-delivery orders by phone, in Bengali too, and the
// counter shows the warning.
func TestCustomerDeliveries(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	now := s.db.Now()
	var b store.Batch
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "cod-1", Name: "Rafiq Islam", Phone: "+8801711999001"}})
	for i, outcome := range []retain.OrderEventType{retain.EventRefused, retain.EventDelivered, retain.EventRefused} {
		id := fmt.Sprint("COD-", i)
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: retain.Order{ExternalID: id, CustomerRef: "cod-1", Currency: "BDT", Total: 120000, HasTotal: true,
			PlacedAt: now.AddDate(0, 0, -30+i*10)}})
		b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{ExternalID: id + "-e", OrderRef: id, Type: outcome, OccurredAt: now.AddDate(0, 0, -28+i*10)}})
	}
	if _, err := core.Ingest(ctx, s.db, retain.System("test"), core.Rows(&b)); err != nil {
		t.Fatal(err)
	}
	c, err := s.db.GetCustomer(ctx, "cod-1")
	if err != nil {
		t.Fatal(err)
	}
	agent := s.client(t)
	agent.login("admin@shop.example", password)
	code, page := agent.get(fmt.Sprintf("/customers/%d", c.ID))
	if code != http.StatusOK || !strings.Contains(page, `id="c360-deliveries"`) || !strings.Contains(page, `id="c360-cod-risk"`) || !strings.Contains(page, "2 refused") {
		t.Errorf("the customer's page: %d", code)
	}
	agent.post("/lang", map[string][]string{"lang": {"bn"}}, "")
	if code, page := agent.get(fmt.Sprintf("/customers/%d", c.ID)); code != http.StatusOK || !strings.Contains(page, "২টি নেওয়া হয়নি") {
		t.Errorf("in Bengali: %d", code)
	}
	if code, page := agent.get("/counter?q=999001"); code != http.StatusOK || !strings.Contains(page, `id="counter-cod-risk"`) {
		t.Errorf("the counter: %d", code)
	}
}
