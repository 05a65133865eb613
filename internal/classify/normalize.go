package classify

import (
	"strings"
	"unicode"

	"github.com/retainhq/retain"
)

// Text as customers type it is normalised before anything reads it, so
// that the same word written several ways is one word:
//   - Latin letters in lower case; Bengali and Devanagari digits as 0–9;
//   - zero-width joiners and non-joiners gone (keyboards insert them);
//   - a nukta written as a separate mark joined to its letter (য + ় is য়),
//     and Devanagari's nukta dropped (ड़ and ड are one letter to a reader);
//   - chandrabindu dropped (ছেঁড়া and ছেড়া, पाँच and पाच are spelled both ways);
//   - long and short i and u vowel signs merged (ী ি, ू ु: the commonest
//     spelling slip in both scripts);
//   - punctuation, the danda included, as a space.

var normalizer = strings.NewReplacer(
	"\u200c", "", "\u200d", "", "\ufeff", "",
	// Bengali: decomposed nukta letters, chandrabindu, long vowels.
	"\u09af\u09bc", "\u09df", "\u09a1\u09bc", "\u09dc", "\u09a2\u09bc", "\u09dd",
	"\u0981", "", "\u09c0", "\u09bf", "\u09c2", "\u09c1",
	// Devanagari: nukta, chandrabindu, long vowels.
	"\u093c", "", "\u0901", "", "\u0940", "\u093f", "\u0942", "\u0941",
)

// normalize is text as the classifier reads it.
func normalize(text string) string {
	s := normalizer.Replace(retain.LatinDigits(strings.ToLower(text)))
	return strings.Map(func(r rune) rune {
		if r == '\'' || r == '’' {
			return -1 // don't, didn't: one word
		}
		if unicode.IsPunct(r) || unicode.IsSymbol(r) || r == '।' || r == '॥' {
			return ' '
		}
		return r
	}, s)
}

// words are the normalised text's words.
func words(text string) []string { return strings.Fields(normalize(text)) }
