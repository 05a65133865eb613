package messaging

import (
	"strings"
	"unicode"
)

// optOutWords are the replies that revoke consent to texts (FCC 24-24: any
// reasonable means), in English, Bengali and Nepali. A reply opts out when
// it is one of them, ignoring case, spaces and punctuation around it.
var optOutWords = map[string]bool{
	"stop": true, "stopall": true, "stop all": true, "quit": true, "end": true, "revoke": true, "opt out": true,
	"optout": true, "opt-out": true, "cancel": true, "unsubscribe": true,
	// Bengali: stop, close (bondho), cancel (batil), don't send (pathaben na).
	"স্টপ": true, "বন্ধ": true, "বন্ধ করুন": true, "বাতিল": true, "পাঠাবেন না": true,
	// Nepali: stop (rok), close (banda), cancel (radda), don't send (napathaunus).
	"स्टप": true, "रोक": true, "रोक्नुहोस्": true, "बन्द": true, "बन्द गर्नुहोस्": true, "रद्द": true, "नपठाउनुहोस्": true,
}

// IsOptOut reports whether an inbound SMS or WhatsApp reply asks to stop.
func IsOptOut(reply string) bool {
	s := strings.ToLower(strings.TrimFunc(reply, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '।' // the danda ends Bengali and Nepali sentences
	}))
	return optOutWords[strings.Join(strings.Fields(s), " ")]
}
