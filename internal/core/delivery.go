package core

import (
	"context"
	"fmt"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/delivery"
	"github.com/retainhq/retain/internal/store"
)

// Cash on delivery (internal/delivery). Every order placed unpaid is
// checked against its phone number's deliveries — across every customer
// record with that number — and one from a number that refused two of its
// last three is a cod_risk alert, due within two hours, so someone calls
// to confirm before the parcel goes out (the built-in cod_confirm playbook
// makes it a task).

// codConfirmWithin is how soon a risky order should be confirmed.
const codConfirmWithin = 2 * time.Hour

// deliveryRisk raises cod_risk for an unpaid order whose phone's history
// makes it a risk.
func (d *detector) deliveryRisk(ctx context.Context, o store.OrderSignal, st *DetectStats) error {
	if !o.Unpaid || o.Phone == "" {
		return nil
	}
	past, err := d.tx.PhoneDeliveries(ctx, o.Phone, o.ID)
	if err != nil {
		return err
	}
	risky, refused, of := delivery.NewHistory(o.Phone, past).Risk()
	if !risky {
		return nil
	}
	now := d.tx.Now()
	a := retain.Alert{CustomerID: o.CustomerID, Type: retain.AlertRisk, Reason: "cod_risk", Severity: retain.SeverityHigh,
		Source: fmt.Sprintf("order:%d:cod", o.ID), SignalAt: now, DueAt: now.Add(codConfirmWithin),
		Title:     fmt.Sprintf("Confirm order %s of %s by phone: %d of the last %d deliveries to %s were refused", o.Order, o.Customer, refused, of, o.Phone),
		Detail:    fmt.Sprintf("order %s: %d of %d refused", o.Order, refused, of),
		DetailKey: "alertdetail.cod_risk", DetailArgs: map[string]any{"order": o.Order, "refused": refused, "of": of}}
	st.Signals++
	_, err = d.triggers.raise(ctx, d.tx, a, st)
	return err
}

// Deliveries is the delivery history of a customer's phone number, by
// external id (customers:read): every order placed with the number, by any
// customer record.
func (w Work) Deliveries(ctx context.Context, a retain.Actor, ref string) (DeliveryView, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return DeliveryView{}, err
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if err != nil {
		return DeliveryView{}, fieldNotFound("customer_id", err)
	}
	if err := w.customerInScope(ctx, a, c.ID); err != nil {
		return DeliveryView{}, err
	}
	return deliveryView(ctx, w.DB, c.Phone)
}

// DeliveriesByPhone is the history of a phone number however it is typed
// (customers:read).
func (w Work) DeliveriesByPhone(ctx context.Context, a retain.Actor, phone string) (DeliveryView, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return DeliveryView{}, err
	}
	norm, err := retain.NormalizePhone(phone, PhoneCountry(ctx, w.DB))
	if err != nil {
		return DeliveryView{}, retain.FieldError("phone", "%v", err)
	}
	return deliveryView(ctx, w.DB, norm)
}

// DeliveryView is a phone's delivery history as pages and the API show it.
type DeliveryView struct {
	Phone     string `json:"phone"`
	Orders    int    `json:"orders" doc:"Orders placed with the number (not cancelled), at most the last 200."`
	Delivered int    `json:"delivered"`
	Refused   int    `json:"refused"`
	Returned  int    `json:"returned"`
	Risky     bool   `json:"risky" doc:"A new unpaid order from the number is confirmed by call first: 2 of its last 3 finished deliveries were refused."`
	Recent    int    `json:"recent_refused" doc:"Of the last finished deliveries (up to 3), how many were refused."`
	RecentOf  int    `json:"recent_of"`
}

func deliveryView(ctx context.Context, db *store.DB, phone string) (DeliveryView, error) {
	past, err := db.PhoneDeliveries(ctx, phone, 0)
	if err != nil {
		return DeliveryView{}, err
	}
	h := delivery.NewHistory(phone, past)
	v := DeliveryView{Phone: phone, Orders: h.Orders, Delivered: h.Delivered, Refused: h.Refused, Returned: h.Returned}
	v.Risky, v.Recent, v.RecentOf = h.Risk()
	return v, nil
}
