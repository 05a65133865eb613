package messaging

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/retainhq/retain"
)

// A customer answers "how was it, 1 to 5?" by SMS or WhatsApp in many
// ways: "4", "৪", "४", "4/5", "four", "চার", "चार", "char", "4 the rider
// was rude", or a tap on a WhatsApp button ("score:4"). ParseScore reads
// all of them; anything else is not a score (it may be a comment).

// scoreWords are number words up to ten, in English, Bengali, Nepali and
// the romanized spellings people type on phones without those keyboards.
var scoreWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	// Bengali.
	"শূন্য": 0, "এক": 1, "দুই": 2, "তিন": 3, "চার": 4, "পাঁচ": 5, "ছ\u09df": 6, "ছ\u09af\u09bc": 6, "সাত": 7, "আট": 8, "ন\u09df": 9, "ন\u09af\u09bc": 9, "দশ": 10,
	// Nepali.
	"शून्य": 0, "एक": 1, "दुई": 2, "तीन": 3, "चार": 4, "पाँच": 5, "पांच": 5, "छ": 6, "सात": 7, "आठ": 8, "नौ": 9, "दस": 10,
	// Romanized Bangla and Nepali.
	"shunno": 0, "sunya": 0, "ek": 1, "dui": 2, "tin": 3, "teen": 3, "char": 4, "chaar": 4, "pach": 5, "panch": 5, "paach": 5,
	"chhoy": 6, "choy": 6, "chha": 6, "sat": 7, "saat": 7, "at": 8, "aat": 8, "aath": 8, "noy": 9, "nau": 9, "dosh": 10, "das": 10,
}

// fivePointWords name the points of a five-point scale (CSAT): a reply of
// "excellent" or "খারাপ" is a score there, and only there.
var fivePointWords = map[string]int{
	"very bad": 1, "terrible": 1, "awful": 1, "very poor": 1, "bad": 2, "poor": 2, "ok": 3, "okay": 3, "average": 3,
	"good": 4, "great": 5, "excellent": 5, "very good": 5,
	"খুব খারাপ": 1, "খারাপ": 2, "মোটামুটি": 3, "ভালো": 4, "ভাল": 4, "খুব ভালো": 5, "চমৎকার": 5,
	"धेरै नराम्रो": 1, "नराम्रो": 2, "ठीकै": 3, "ठिकै": 3, "राम्रो": 4, "धेरै राम्रो": 5, "उत्कृष्ट": 5,
	"kharap": 2, "valo": 4, "bhalo": 4, "khub valo": 5, "thikai": 3, "naramro": 2, "ramro": 4, "dherai ramro": 5,
}

// ScoreReplyPrefix marks a tapped answer's id: "score:4".
const ScoreReplyPrefix = "score:"

// ParseScore reads a score from lo to hi at the start of a reply and
// returns what follows it as the comment.
func ParseScore(reply string, lo, hi int) (score int, comment string, ok bool) {
	s := strings.TrimSpace(reply)
	if id, found := strings.CutPrefix(s, ScoreReplyPrefix); found {
		if n, err := strconv.Atoi(id); err == nil && n >= lo && n <= hi {
			return n, "", true
		}
		return 0, "", false
	}
	// A number first: "4", "4/5", "4 out of 5", "4. late again".
	r := []rune(s)
	i := 0
	for i < len(r) && isDigit(r[i]) {
		i++
	}
	if i > 0 {
		n, err := strconv.Atoi(retain.LatinDigits(string(r[:i])))
		if err != nil || n < lo || n > hi {
			return 0, "", false
		}
		rest := r[i:]
		for _, of := range []string{"/" + strconv.Itoa(hi), " out of " + strconv.Itoa(hi)} {
			// The per-rune maps keep one rune for one, so a prefix found in
			// the folded text is as long in the original.
			if k := len([]rune(of)); len(rest) >= k && strings.ToLower(retain.LatinDigits(string(rest[:k]))) == of {
				rest = rest[k:]
				break
			}
		}
		return n, strings.TrimFunc(string(rest), separator), true
	}
	s = strings.ToLower(s)
	words := strings.Join(strings.FieldsFunc(s, separator), " ")
	if n, found := scoreWords[words]; found && n >= lo && n <= hi {
		return n, "", true
	}
	if hi-lo == 4 {
		if n, found := fivePointWords[words]; found {
			return lo + n - 1, "", true
		}
	}
	return 0, "", false
}

// separator: spaces and punctuation between a score and a comment (the
// danda ends Bengali and Nepali sentences).
func separator(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '।' }

func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '০' && r <= '৯') || (r >= '०' && r <= '९')
}
