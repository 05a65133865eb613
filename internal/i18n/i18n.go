// Package i18n holds the UI's catalogs (English, Bengali, Nepali) and the
// formatting of numbers, money and dates per language. Catalogs are
// go-i18n JSON files; the number formatting is Retain's own because the CLDR
// data in x/text groups Nepali and Bengali numbers the Western way
// (12,34,567 is right for both) and knows no native-digit switch.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the UI languages, in menu order.
var Languages = []string{"en", "bn", "ne"}

// Names are the languages' own names.
var Names = map[string]string{"en": "English", "bn": "বাংলা", "ne": "नेपाली"}

//go:embed locales/*.json
var catalogs embed.FS

var bundle = func() *goi18n.Bundle {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range Languages {
		if _, err := b.LoadMessageFileFS(catalogs, "locales/"+l+".json"); err != nil {
			panic(err) // the catalogs are embedded: a broken one is a build error
		}
	}
	return b
}()

// Lang picks a supported language from a tag (bn-BD → bn), English by default.
func Lang(tag string) string {
	for _, l := range Languages {
		if strings.HasPrefix(strings.ToLower(tag), l) {
			return l
		}
	}
	return "en"
}

// Localizer translates into one language.
type Localizer struct {
	Lang   string
	Native bool // native digits (০১২ / ०१२) for bn and ne
	// Zone is where times are shown (Date, DateTime with no location of
	// their own): the reader's or the business's; UTC when nil.
	Zone *time.Location
	// Calendar is what Date and DateTime write days in: CalendarGregorian
	// ("") or CalendarBangla.
	Calendar string
	l        *goi18n.Localizer
}

// New returns the localizer of a language.
func New(lang string, native bool) *Localizer {
	lang = Lang(lang)
	return &Localizer{Lang: lang, Native: native && lang != "en", l: goi18n.NewLocalizer(bundle, lang)}
}

// Missing is how a missing key shows on a page, so tests can find it.
const Missing = "⟦missing:"

// T translates id; data fills {{.Name}} placeholders. A key missing from
// the catalog shows as ⟦missing:id⟧ (never silently as English).
func (z *Localizer) T(id string, data ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) == 1 {
		cfg.TemplateData = data[0]
	} else if len(data) > 1 {
		m := map[string]any{}
		for i := 0; i+1 < len(data); i += 2 {
			m[fmt.Sprint(data[i])] = data[i+1]
		}
		cfg.TemplateData = m
	}
	s, tag, err := z.l.LocalizeWithTag(cfg)
	if err != nil || tag.String() != z.Lang && !(z.Lang == "en" && tag == language.English) {
		return Missing + id + "⟧"
	}
	return z.Digits(s)
}

// N translates a message about n things: the catalog's plural form for n
// ("1 customer", "2 customers"), with n written in the reader's digits as
// {{.Count}}; data adds more placeholders.
func (z *Localizer) N(id string, n int64, data ...any) string {
	m := map[string]any{"Count": z.Int(n)}
	for i := 0; i+1 < len(data); i += 2 {
		m[fmt.Sprint(data[i])] = data[i+1]
	}
	s, tag, err := z.l.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id, TemplateData: m, PluralCount: n})
	if err != nil || tag.String() != z.Lang && !(z.Lang == "en" && tag == language.English) {
		return Missing + id + "⟧"
	}
	return z.Digits(s)
}

// ZoneName is a time zone as readers know it ("Dhaka time"), the IANA
// name for zones the catalog does not name.
func (z *Localizer) ZoneName(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	if s := z.T("zone." + loc.String()); !strings.HasPrefix(s, Missing) {
		return s
	}
	return loc.String()
}

// Keys lists a catalog's message ids.
func Keys(lang string) ([]string, error) {
	b, err := fs.ReadFile(catalogs, "locales/"+lang+".json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}
