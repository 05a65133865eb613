// Package delivery holds what a business learns from its deliveries, free
// of storage: a phone number's history of cash-on-delivery outcomes across
// every order placed with it, and when that history makes a new order a
// risk to confirm by call before it is sent. Fake and refused orders cost
// a Dhaka seller the courier's fee both ways; a number that refused two of
// its last three parcels will likely refuse the next.
package delivery

// Outcomes of an order's delivery.
const (
	Delivered = "delivered"
	Refused   = "refused"  // the customer would not take or pay for it
	Returned  = "returned" // taken, then sent back
	Pending   = ""         // not delivered yet, nor refused or returned
)

// History is a phone number's orders' outcomes, newest first, and their
// counts.
type History struct {
	Phone                                string
	Outcomes                             []string `json:"-"`
	Orders, Delivered, Refused, Returned int
}

// NewHistory counts outcomes (newest first).
func NewHistory(phone string, outcomes []string) History {
	h := History{Phone: phone, Outcomes: outcomes, Orders: len(outcomes)}
	for _, o := range outcomes {
		switch o {
		case Delivered:
			h.Delivered++
		case Refused:
			h.Refused++
		case Returned:
			h.Returned++
		}
	}
	return h
}

// The risk rule: of the last RiskWindow finished deliveries (delivered,
// refused or returned; pending ones are not known yet), RiskRefusals or
// more refused.
const (
	RiskWindow   = 3
	RiskRefusals = 2
)

// Risk says whether a new order from the number should be confirmed first,
// with how many of how many recent deliveries were refused.
func (h History) Risk() (risky bool, refused, of int) {
	for _, o := range h.Outcomes {
		if o == Pending {
			continue
		}
		if of++; o == Refused {
			refused++
		}
		if of == RiskWindow {
			break
		}
	}
	return refused >= RiskRefusals, refused, of
}
