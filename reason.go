package retain

import (
	"errors"
	"fmt"
)

// A Reason is why a value was refused, kept in a form any language can say:
// Code names the message (a UI's catalog holds it as "reason."+Code) and
// Args are the values it quotes, in order. Text is the English sentence the
// API, the CLI and a rejects file show. A reason with no Code is one no
// catalog knows; a UI says only that the value cannot be used.
type Reason struct {
	Code string
	Args []string
	Text string
}

// Error makes a *Reason an error, so that a parser can return one and a
// caller further up still knows which refusal it was.
func (r *Reason) Error() string { return r.Text }

// Because is the refusal code, its English text formatted from format and
// args.
func Because(code, format string, args ...any) *Reason {
	r := &Reason{Code: code, Text: fmt.Sprintf(format, args...)}
	for _, a := range args {
		r.Args = append(r.Args, fmt.Sprint(a))
	}
	return r
}

// ReasonOf is err's Reason when err is or wraps one, else a reason with no
// code whose text is err's message.
func ReasonOf(err error) Reason {
	var r *Reason
	if errors.As(err, &r) {
		return *r
	}
	return Reason{Text: err.Error()}
}

// reasonCodes names the messages that Problems.Add is given as formats, so
// that what a validator writes in English reaches a reader in any
// language. A test checks that every format this package, the importer and
// core (the events API's ingest) pass to Add is here and in every catalog.
var reasonCodes = map[string]string{
	"is required":                                                        "required",
	"is longer than %d characters":                                       "too_long",
	"is longer than %d bytes":                                            "too_long_bytes",
	"a phone number or an e-mail address is required":                    "contact_needed",
	"is not valid UTF-8":                                                 "not_utf8",
	"contains a NUL byte":                                                "nul_byte",
	"%q is not one of %v":                                                "not_one_of",
	"must not be negative":                                               "negative",
	"must be a positive whole number":                                    "not_positive_whole",
	"is required when the order has no lines":                            "total_needed",
	"a line needs a sku or a product name":                               "line_needs_product",
	"a line needs unit_price or line_total":                              "line_needs_price",
	"a repeated order_id needs line-item fields (one row per line item)": "repeated_order",
	"an order needs the customer's email or phone":                       "order_needs_contact",
	"is before opened_at":                                                "before_opened",
	"is before started_at":                                               "before_started",
	"is not a web address (http:// or https://, up to 500 characters)":   "not_web_address",
	"%d is outside %d–%d for %s":                                         "score_outside",
	"the name %q %s":                                                     "attribute_name",
	"%q is not transactional or marketing":                               "not_purpose",
	"%q is not a whole number":                                           "not_whole_number",
	"%q is not yes or no":                                                "not_yes_no",
	"is required for a login user":                                       "required",
	// The events API's.
	"is required for a %s event":              "required_for_event",
	"is required with amount":                 "currency_with_amount",
	"%q is not an event type":                 "not_event_type",
	"a key %s":                                "bad_key",
	"repeats events[%d].id in the same batch": "repeated_event_id",
	"is required, up to 2000 bytes":           "summary_required",
	// A playbook's.
	"a name without spaces or slashes is required": "key_needed",
	"give alerts, an event or a score condition":   "trigger_needed",
	"days cannot be negative":                      "days_negative",
	"at least one step":                            "steps_needed",
	"missing or repeated":                          "step_id_bad",
	"a wait needs days or hours":                   "wait_needed",
	"transactional or marketing":                   "purpose_needed",
	"a branch needs a condition":                   "branch_needs_condition",
	"no step %q to go to":                          "no_such_step",
	"only stage can be set":                        "only_stage",
	"the %s text is missing":                       "text_missing",
	"%s needs a number":                            "needs_number",
	// A ticket's.
	"has %d tags; at most %d":                                      "too_many_tags",
	"tag %d (%q) is not 1 to 40 lowercase letters, digits, - or _": "bad_tag",
	"no team %q":                        "no_team",
	"no order %q":                       "no_order",
	"order %q is another customer's":    "order_other_customer",
	"is the ticket itself":              "same_ticket",
	"no ticket %d":                      "no_ticket",
	"ticket %s is merged or closed":     "ticket_merged",
	"ticket %s is another customer's":   "ticket_other_customer",
	"no message %d in ticket %s":        "no_message",
	"is the ticket's first message":     "first_message",
	"no customer %q":                    "no_customer",
	"is required, up to 100 characters": "key_required",
	// Loyalty's.
	"is more than the %d points the customer can spend": "points_short",
	"is not in the future":                              "not_future",
	// Coupons'.
	"must be a positive amount":                             "positive_amount",
	"must be from %d to %d":                                 "from_to",
	"is required, up to %d characters":                      "required_up_to",
	"%q is not a three-letter currency code":                "not_currency",
	"must be -1 (no limit) or more":                         "max_uses_range",
	"is required: up to 60 characters, no spaces or colons": "batch_name",
	"no such coupon":                                        "no_coupon",
	"is void":                                               "coupon_void",
	"expired on %s":                                         "coupon_expired",
	"is required for this coupon":                           "coupon_needs_customer",
	"is another customer's":                                 "coupon_other_customer",
	"is not the coupon's %s":                                "coupon_currency",
	"is below the coupon's minimum spend of %s":             "coupon_min_spend",
	"is used up":                                            "coupon_used_up",
	"is used up for this customer (%d of %d)":               "coupon_customer_limit",
	"was used to hold another coupon":                       "key_other_coupon",
	"no coupon is held with this key":                       "no_hold",
	"the coupon is used on an order already":                "hold_confirmed",
	"the hold is released: hold the coupon again":           "hold_released",
	"no reward %q in the catalogue":                         "no_reward",
	"costs %d points; the customer can spend %d":            "reward_short",
	"is taken by another coupon":                            "code_taken",
	"the header needs customer_id and points, or customer_id, card and stamps": "balance_header",
	"no stamp card %q":                         "no_stamp_card",
	"the programme is off: switch it on first": "programme_off",
	"is not in the past":                       "not_past",
	"%q is not a date (YYYY-MM-DD)":            "not_day",
	// A survey's.
	"from 1 to %d questions":                    "questions_count",
	"a %s survey asks its %d–%d score first":    "score_first",
	"a scale of 2 to 11 points, from 0 or more": "scale_range",
	"from 2 to 10 options":                      "options_count",
}

// ReasonCodes are the codes Problems.Add gives the messages it knows; the
// codes of Because calls are found in the source by the catalog test.
func ReasonCodes() []string {
	out := make([]string, 0, len(reasonCodes))
	for _, c := range reasonCodes {
		out = append(out, c)
	}
	return out
}
