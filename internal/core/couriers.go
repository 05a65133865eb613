package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/courier"
	"github.com/retainhq/retain/internal/store"
)

// Couriers' status webhooks (internal/courier): each update a connector
// reads becomes an order event through the one way in — shipped with its
// tracking link, out for delivery with the rider's number, delivered,
// returned, refused with the courier's reason — so the order-status
// messages, the cash-on-delivery history and the alerts follow as from
// any other event. An update is keyed by courier, parcel and status, so a
// courier retrying its webhook changes nothing.

// Couriers are the connectors in force (secrets included: for the hook).
func Couriers(ctx context.Context, db *store.DB) ([]courier.Connector, error) {
	v, ok, err := db.Setting(ctx, courier.SettingsKey)
	if err != nil || !ok {
		return nil, err
	}
	var out []courier.Connector
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("courier settings: %w", err)
	}
	return out, nil
}

// SaveCouriers checks and stores the connectors (settings:manage).
func SaveCouriers(ctx context.Context, db *store.DB, by retain.Actor, cs []courier.Connector) error {
	if err := by.Require(retain.PermSettingsManage); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range cs {
		if err := c.Check(fmt.Sprintf("couriers[%d].", i)); err != nil {
			field, why, _ := strings.Cut(err.Error(), ": ")
			return retain.FieldError(field, "%s", why)
		}
		if seen[c.Key] {
			return retain.FieldError(fmt.Sprintf("couriers[%d].key", i), "%q is another connector's", c.Key)
		}
		seen[c.Key] = true
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	return db.SaveSetting(ctx, by, courier.SettingsKey, string(b))
}

// CourierResult is what a courier's webhook did.
type CourierResult struct {
	Order    string `json:"order_id"`
	Event    string `json:"event,omitempty" doc:"The order event recorded; empty when the status is not mapped (ignored)."`
	Ignored  string `json:"ignored,omitempty"`
	Repeated bool   `json:"repeated,omitempty" doc:"The same update came before: nothing changed."`
}

// Errors a courier's webhook is answered with.
var (
	ErrNoCourier     = errors.New("no such courier connector")
	ErrBadSignature  = errors.New("the request is not signed with the connector's secret")
	ErrUnknownParcel = errors.New("no such order")
)

// TakeCourierUpdate checks a courier's webhook (its connector's key, the
// header its proof is in, the body) and records what it says.
func TakeCourierUpdate(ctx context.Context, db *store.DB, key string, proof func(header string) string, body []byte) (CourierResult, error) {
	cs, err := Couriers(ctx, db)
	if err != nil {
		return CourierResult{}, err
	}
	var c *courier.Connector
	for i := range cs {
		if cs[i].Key == key {
			c = &cs[i]
		}
	}
	if c == nil {
		return CourierResult{}, ErrNoCourier
	}
	if !c.Verify(proof(c.Header), body) {
		return CourierResult{}, ErrBadSignature
	}
	u, err := c.Read(body)
	if err != nil {
		return CourierResult{}, retain.FieldError("body", "%v", strings.TrimPrefix(err.Error(), courier.ErrField.Error()+": "))
	}
	out := CourierResult{Order: u.Order, Event: u.Event}
	if u.Event == "" {
		out.Ignored = fmt.Sprintf("status %q is not mapped to an order event", u.CourierStatus)
		return out, nil
	}
	if _, err := db.GetOrder(ctx, u.Order); retain.ErrorCode(err) == retain.ENOTFOUND {
		return out, ErrUnknownParcel
	} else if err != nil {
		return out, err
	}
	ev := Event{ID: fmt.Sprintf("courier:%s:%s:%s:%s", c.Key, u.Order, u.Tracking, u.CourierStatus), Type: "order." + u.Event, OrderID: u.Order,
		Reason: u.Reason, TrackingURL: u.TrackingURL, RiderPhone: u.Rider}
	if !u.At.IsZero() {
		ev.OccurredAt = &u.At
	}
	res, err := Ingest(ctx, db, retain.System("courier:"+c.Key), Input{Events: []Event{ev}})
	out.Repeated = err == nil && res.Duplicates > 0
	return out, err
}
