// Package classify names the root cause of a customer's dissatisfaction —
// quality, price (vs. value), usability, service (and communication) or
// delivery (docs/product.md: Unhappiness and its causes) — from a reason code or free text in English,
// Bengali or Nepali, with keyword lexicons. It is pure and small on
// purpose: a model can replace it behind the same function later.
package classify

import (
	"strings"
	"unicode"
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

// lexicon holds stems per cause; a word matches a stem it starts with
// (English) or contains (Bengali and Nepali, whose suffixes attach).
var lexicon = map[string][]string{
	Quality: {"broken", "break", "defect", "faulty", "damag", "quality", "poor", "fake", "expired", "stale", "rotten", "torn",
		"stopped working", "not working", "doesn't work", "fault", "leak", "wrong size", "wrong item", "smell",
		"ভাঙা", "নষ্ট", "খারাপ", "মান", "নকল", "মেয়াদোত্তীর্ণ", "পচা", "ছেঁড়া", "কাজ করে না",
		"बिग्रिएको", "फुटेको", "खराब", "गुणस्तर", "नक्कली", "म्याद", "कुहिएको", "च्यातिएको", "काम गर्दैन"},
	Price: {"expensive", "price", "overpriced", "costly", "cheaper", "refund", "money back", "not worth", "value for money", "too much",
		"দাম", "বেশি দাম", "দামি", "টাকা ফেরত", "মূল্য",
		"महँगो", "मूल्य", "पैसा फिर्ता", "धेरै महँगो"},
	Usability: {"confus", "complicated", "difficult", "hard to", "can't find", "cannot find", "instructions", "login", "password",
		"app", "website", "checkout", "how to use",
		"জটিল", "কঠিন", "বুঝতে পারছি না", "ব্যবহার", "অ্যাপ", "ওয়েবসাইট",
		"जटिल", "गाह्रो", "बुझिन", "प्रयोग", "एप", "वेबसाइट"},
	Service: {"rude", "no response", "no reply", "nobody", "ignored", "support", "staff", "unhelpful", "waiting", "call back", "never answered",
		"customer service", "behaviour", "behavior", "attitude",
		"ব্যবহার খারাপ", "সাড়া", "উত্তর", "কেউ", "কর্মী", "সাপোর্ট", "অপেক্ষা",
		"जवाफ", "कोही", "कर्मचारी", "सहयोग", "पर्खिरहेको", "व्यवहार"},
	Delivery: {"late", "delay", "deliver", "courier", "shipping", "shipment", "arrived", "never came", "not received", "lost parcel", "tracking",
		"দেরি", "ডেলিভারি", "কুরিয়ার", "পৌঁছায়নি", "পাইনি", "পার্সেল",
		"ढिला", "डेलिभरी", "कुरियर", "आइपुगेन", "पाइन", "पार्सल"},
}

// reasonCodes map the reason codes of returns, refunds and tickets.
var reasonCodes = map[string]string{
	"defective": Quality, "damaged": Quality, "not_as_described": Quality, "wrong_item": Quality, "quality": Quality, "broken": Quality,
	"too_expensive": Price, "price": Price, "better_price": Price, "not_worth": Price,
	"hard_to_use": Usability, "usability": Usability, "confusing": Usability,
	"service": Service, "rude_staff": Service, "no_response": Service, "communication": Service,
	"late": Delivery, "late_delivery": Delivery, "delivery": Delivery, "lost": Delivery, "not_received": Delivery,
	"refused": Delivery, "customer not reachable": Delivery,
}

// Cause names the root cause of a reason code or, failing that, of text;
// "" when nothing matches. A known reason code wins over the text.
func Cause(reasonCode, text string) string {
	if c, ok := reasonCodes[strings.ToLower(strings.TrimSpace(reasonCode))]; ok {
		return c
	}
	s := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text+" "+strings.ReplaceAll(reasonCode, "_", " ")), func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '\'')
	}), " ") + " "
	best, bestN := "", 0
	for _, cause := range Causes {
		n := 0
		for _, stem := range lexicon[cause] {
			if isLatin(stem) {
				n += strings.Count(s, " "+stem)
			} else {
				n += strings.Count(s, stem)
			}
		}
		if n > bestN {
			best, bestN = cause, n
		}
	}
	return best
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}
