// Package classify names the root cause of a customer's dissatisfaction —
// quality, price (vs. value), usability, service (and communication) or
// delivery (docs/product.md: Unhappiness and its causes) — from a reason
// code or free text in English, Bengali or Nepali, in their scripts or
// romanized: a naive Bayes model over words, letter n-grams, negations and
// a lexicon's matches, trained on the labelled corpus in corpus/ and
// measured on its held-out part (docs/classifier.md).
package classify

import (
	"strings"
)

// The root causes.
const (
	Quality   = "quality"
	Price     = "price"
	Usability = "usability"
	Service   = "service"
	Delivery  = "delivery"
)

// Causes lists them in a fixed order.
var Causes = []string{Quality, Price, Usability, Service, Delivery}

// reasonCodes map the reason codes of returns, refunds and tickets.
var reasonCodes = map[string]string{
	"defective": Quality, "damaged": Quality, "not_as_described": Quality, "wrong_item": Quality, "quality": Quality, "broken": Quality,
	"too_expensive": Price, "price": Price, "better_price": Price, "not_worth": Price,
	"hard_to_use": Usability, "usability": Usability, "confusing": Usability,
	"service": Service, "rude_staff": Service, "no_response": Service, "communication": Service,
	"late": Delivery, "late_delivery": Delivery, "delivery": Delivery, "lost": Delivery, "not_received": Delivery,
	"refused": Delivery, "customer not reachable": Delivery,
}

// Cause names the root cause of a reason code or, failing that, of text
// (with the code's words); "" when there is none. A known reason code wins
// over the text.
func Cause(reasonCode, text string) string { return Explain(reasonCode, text).Cause }

// Explain is Cause with the words of the text that decided it (none when
// a reason code did).
func Explain(reasonCode, text string) Result {
	if c, ok := reasonCodes[strings.ToLower(strings.TrimSpace(reasonCode))]; ok {
		return Result{Cause: c, Confidence: 1}
	}
	return Classify(strings.TrimSpace(text + " " + strings.ReplaceAll(reasonCode, "_", " ")))
}

// Classify is the built-in model's reading of a text: its cause, how sure
// it is and the words that decided it.
func Classify(text string) Result { return Embedded().Classify(text) }

// RuleCause is the lexicon's reading alone, for comparison: the class
// with the most matches (praise under a negation counting for quality, a
// negated complaint word for none), "" on a tie.
func RuleCause(text string) string {
	fs, _ := lexiconFeatures(words(text))
	votes := map[string]int{}
	for _, f := range fs {
		class := strings.TrimPrefix(f, "lex:")
		switch {
		case class == "not-"+praise:
			class = Quality
		case class == praise || strings.HasPrefix(class, "not-"):
			class = ""
		}
		votes[class]++
	}
	best, n, tie := "", 0, false
	for class, v := range votes {
		switch {
		case v > n:
			best, n, tie = class, v, false
		case v == n:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}
