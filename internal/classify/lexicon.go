package classify

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// The lexicon: words that name a cause, or praise, in English, Bengali and
// Nepali, each in its script and romanized as people type it on phones.
// Written from what customers of shops and couriers say, not from the
// corpus. A stem matches a word that starts with it; a stem of several
// words matches them in a row. The model reads each match as one more
// feature (lex:CAUSE), worth several n-grams, and praise under a negation
// ("ভালো না", "ramro chaina", "not good") as a complaint about quality.
var lexicon = map[string][]string{
	Quality: {
		"bad", "broke", "break", "defect", "faulty", "damag", "quality", "poor", "fake", "expired", "stale", "rotten", "torn", "tore", "crack",
		"stopped working", "not working", "doesnt work", "fault", "leak", "wrong size", "smell", "fade", "faded", "stain", "peel", "snap",
		"cheap fabric", "thin", "dead pixel", "insect", "sour", "came apart",
		"ভাঙ", "নষ্ট", "খারাপ", "মান", "নকল", "মেয়াদ", "পচা", "ছেড়া", "ছিড়ে", "কাজ করে না", "ফেটে", "ফুটো", "দাগ", "রং উঠে", "বাসি", "টক",
		"সেলাই", "পাতলা", "নিম্নমান", "বিগড়", "তাজা ছিল না", "গন্ধ", "পোকা", "পাথর", "থেতলে",
		"बिग्र", "फुट", "खराब", "गुणस्तर", "नक्कली", "म्याद", "कुहि", "च्यात", "काम गर्दैन", "काम गर्न छोड", "उड्यो", "चुहि", "दाग", "बासी",
		"सिलाइ", "पातलो", "सस्तो खाल", "भाँचि", "उप्कि", "गन्ध", "कीरा", "ढुङ्गा", "किचि", "ताजा थिएन",
		"valo na", "kharap", "nosto", "noshto", "vanga", "vange", "pocha", "nokol", "meyad", "chire", "fete", "futo", "dag", "rong uthe",
		"bashi", "selai", "patla", "baje quality", "kaj kore na", "taja chilo na", "poka", "pathor", "chapte",
		"ramro chaina", "bigri", "phut", "kharab", "gunastar", "nakkali", "myad", "kuhi", "chyati", "kaam gardaina", "kaam garna chod",
		"chuhi", "daag", "basi", "silai", "patalo", "sasto khal", "upki", "kira", "dhunga", "kichi", "taja thiyena", "chaldaina",
	},
	Price: {
		"expensive", "price", "overpriced", "costly", "cheaper", "cheap", "money", "not worth", "worth", "value for money", "charge",
		"billed", "fee", "discount", "coupon code", "budget", "paid full", "refund",
		"দাম", "দামি", "টাকা", "মূল্য", "চার্জ", "ছাড়", "ডিসকাউন্ট", "বাজেট", "পোষায় না", "ন্যায্য", "কেটেছে",
		"महँगो", "मूल्य", "पैसा", "भाउ", "शुल्क", "छुट", "बजेट", "सस्तो", "लायक छैन", "उचित", "काटियो",
		"dam", "dami", "taka", "charge", "discount", "budget", "poshay na", "keteche",
		"mahango", "mulya", "paisa", "bhau", "sulka", "chhut", "sasto", "layak chaina", "katiyo",
	},
	Usability: {
		"confus", "complicated", "difficult", "hard to", "cant find", "cannot find", "instruction", "login", "log in", "logging", "log out",
		"password", "app", "website", "site", "checkout page", "how to", "crash", "error", "otp", "search", "menu", "form", "button",
		"figure out", "size chart", "set up", "track my order",
		"জটিল", "কঠিন", "বুঝতে পারছি না", "বোঝা", "বুঝি না", "অ্যাপ", "ওয়েবসাইট", "লগ", "পাসওয়ার্ড", "এরর", "ওটিপি", "সার্চ",
		"মেনু", "ফর্ম", "বাটন", "কিভাবে", "খুজে পাচ্ছি না", "নির্দেশনা", "ধাপ",
		"जटिल", "गाह्रो", "बुझिन", "बुझ्न", "एप", "वेबसाइट", "लग", "पासवर्ड", "त्रुटि", "ओटिपि", "खोज्दा", "मेनु", "फारम", "बटन", "कसरी",
		"भेट्टाउन सकिन", "निर्देशन", "चरण", "थाहा भएन",
		"jotil", "kothin", "bujhte parchi na", "bujha", "bujhi na", "website", "log", "password", "error", "otp", "kivabe", "khuje pacchi na",
		"step", "menu", "button", "form",
		"jatil", "garo", "gaaro", "bujhina", "bujhna", "bujhidaina", "kasari", "bhettauna sakina", "tarika",
	},
	Service: {
		"rude", "no response", "no reply", "nobody", "no one", "ignored", "unhelpful", "waiting", "call back", "never answered", "hotline",
		"customer care", "customer service", "behaviour", "behavior", "attitude", "shouted", "lied", "promise", "informed", "told me",
		"responded", "pick up", "extra money", "asked for money", "asked me for", "answer", "support closed", "staff",
		"ব্যবহার খারাপ", "বাজে ব্যবহার", "সাড়া", "উত্তর", "কেউ", "কর্মী", "সাপোর্ট", "অপেক্ষা", "জানায়নি", "ফোন ধরে না", "ফোন ধরেনি",
		"পাত্তা", "চিৎকার", "মিথ্যা", "কথা রাখে না", "আচরণ", "বাড়তি টাকা", "টাকা চাইল", "টাকা চেয়েছে", "কাস্টমার কেয়ার", "সাহায্য করেনি",
		"जवाफ", "कसैले", "कर्मचारी", "सहयोग गरेन", "पर्खाइ", "व्यवहार", "फोन उठा", "वास्ता", "कराए", "झुट", "वचन", "जानकारी दिएन",
		"थप पैसा", "पैसा माग", "ग्राहक सेवा", "भनेन",
		"baje behave", "behave", "reply", "uttor", "keu", "staff", "patta", "janay nai", "phone dhore na", "phone dhore nai", "chillai",
		"mittha", "kotha rakhe na", "achoron", "extra taka", "taka chailo", "taka chaise", "customer care",
		"jawaf", "kasaile", "karmachari", "byabahar", "phone uthau", "wastai", "karaye", "jhut", "bachan", "bhanena", "thap paisa",
		"sahayog garenan", "paisa magyo",
	},
	Delivery: {
		"late", "delay", "deliver", "courier", "shipping", "shipment", "arrived", "never came", "not received", "lost", "tracking",
		"parcel", "rider went", "wrong address", "wrong district", "half of my order", "still waiting", "slow", "took two weeks",
		"দেরি", "ডেলিভারি", "কুরিয়ার", "পৌছায়নি", "পাইনি", "পার্সেল", "আসেনি", "হারিয়ে", "ট্র্যাকিং", "ভুল ঠিকানা", "শিপিং", "ধীর",
		"সপ্তাহ লেগেছে", "ফেরত পাঠিয়েছে",
		"ढिलो", "डेलिभरि", "कुरियर", "आइपुग", "पाइन", "पार्सल", "आएन", "हरायो", "ट्र्याकिङ", "गलत ठेगाना", "ढुवानी", "हप्ता लाग्यो",
		"फिर्ता पठायो",
		"deri", "delivery", "courier", "pai nai", "parcel", "ashe nai", "hariye", "tracking", "vul thikana", "slow",
		"dhilo", "aaipug", "paina", "payeko chaina", "aayena", "harayo", "galat thegana", "hapta lagyo", "phirta pathayo",
	},
	praise: {
		"great", "good", "excellent", "happy", "love", "thank", "fine", "satisfied", "delicious", "recommend", "perfect", "neat", "polite",
		"five stars", "okay", "fits well", "helpful", "on time", "easy", "fast",
		"ভালো", "খুশি", "ধন্যবাদ", "পছন্দ", "সন্তুষ্ট", "চমৎকার", "মজা", "সুন্দর", "ঠিক আছে", "ঠিক ছিল", "সহজ", "সময়মতো", "দ্রুত",
		"আন্তরিক", "ভদ্র", "সমস্যা হয়নি", "সাহায্য করেছেন", "সাহায্যকারী",
		"राम्रो", "खुसी", "धन्यवाद", "मन पर्", "सन्तुष्ट", "उत्कृष्ट", "मीठो", "सफा", "ठीक", "ठिकै", "सजिलो", "समयमै", "छिटो", "मिजासिला",
		"नम्र", "समस्या भएन", "सहयोगी", "सहयोग गर्नुभयो",
		"valo", "khushi", "dhonnobad", "pochondo", "shontushto", "moja", "sundor", "thik", "shohoj", "somoy moto", "fast",
		"ramro", "khusi", "dhanyabad", "man paryo", "santusta", "mitho", "safa", "thikai", "sajilo", "samayamai", "chito", "sahayogi",
		"samasya bhayena", "somossa hoy nai",
	},
}

// praise is the lexicon's class of words that praise.
const praise = "praise"

// lexiconFeatures are the lexicon's matches in ws, as features with the
// words they come from, in the lexicon's order (classes as listed, then
// stems, then positions).
func lexiconFeatures(ws []string) (fs []string, from []string) {
	idx := lexIndex()
	type match struct{ entry, at int }
	var found []match
	for i, w := range ws {
		// A one-word stem is a prefix of the word: look each prefix up.
		for end := range len(w) + 1 {
			if end == len(w) || utf8.RuneStart(w[end]) {
				for _, e := range idx.byPrefix[w[:end]] {
					found = append(found, match{e, i})
				}
			}
		}
		// A stem of several words starts with this one, whole.
		for _, e := range idx.byFirst[w] {
			if parts := idx.entries[e].parts; i+len(parts) <= len(ws) && matchAt(ws, i, parts) {
				found = append(found, match{e, i})
			}
		}
	}
	slices.SortFunc(found, func(a, b match) int { return cmp.Or(cmp.Compare(a.entry, b.entry), cmp.Compare(a.at, b.at)) })
	for _, m := range found {
		e, i := idx.entries[m.entry], m.at
		f := "lex:" + e.class
		phrase := strings.Join(ws[i:i+len(e.parts)], " ")
		// Praise under a negation right after it (or "not" before it) is
		// a complaint; a complaint word negated is not.
		after := i+len(e.parts) < len(ws) && negatorsAfter[ws[i+len(e.parts)]]
		if before := i > 0 && negatorsBefore[ws[i-1]]; len(e.parts) == 1 && (after || before) {
			f = "lex:not-" + e.class
			if after {
				phrase += " " + ws[i+1]
			} else {
				phrase = ws[i-1] + " " + phrase
			}
		}
		fs, from = append(fs, f), append(from, phrase)
	}
	return fs, from
}

// matchAt says whether the words at i start with parts, the last word by
// its stem.
func matchAt(ws []string, i int, parts []string) bool {
	for j, p := range parts {
		if j == len(parts)-1 {
			if !strings.HasPrefix(ws[i+j], p) {
				return false
			}
		} else if ws[i+j] != p {
			return false
		}
	}
	return true
}

// A lexEntry is a stem of a class, normalised as texts are, in words.
type lexEntry struct {
	class string
	parts []string
}

// lexIndex is the lexicon normalised and indexed once, so that a text is
// read in time proportional to its length, not to the lexicon's: one-word
// stems by the stem (a word's prefixes are looked up), longer ones by
// their first word.
var lexIndex = sync.OnceValue(func() (idx struct {
	entries  []lexEntry
	byPrefix map[string][]int
	byFirst  map[string][]int
}) {
	idx.byPrefix, idx.byFirst = map[string][]int{}, map[string][]int{}
	for _, class := range append(slices.Clone(Causes), praise) {
		for _, stem := range lexicon[class] {
			parts := words(stem)
			if len(parts) == 0 {
				continue
			}
			n := len(idx.entries)
			idx.entries = append(idx.entries, lexEntry{class, parts})
			if len(parts) == 1 {
				idx.byPrefix[parts[0]] = append(idx.byPrefix[parts[0]], n)
			} else {
				idx.byFirst[parts[0]] = append(idx.byFirst[parts[0]], n)
			}
		}
	}
	return idx
})
