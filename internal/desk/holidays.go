package desk

import (
	"fmt"
	"slices"
	"strings"
)

// Public holidays of Bangladesh and Nepal, a starting point for a desk's
// own list: the settings page and `retain desk holidays` add them to the
// policy, where the business edits them (a shop may open on some, close on
// others, or close longer around Eid and Dashain).
//
// Holidays on a fixed date (Victory Day, Nepal's Republic Day) are as the
// law sets them. Those that follow the moon (Eid, Durga Puja, Buddha
// Purnima, Dashain, Tihar, Holi…) or Nepal's own calendar are the dates
// expected when this list was made; the government announces each one
// shortly before, sometimes a day either side, so check them against its
// notice. Only days closed for everyone are listed, each festival's main
// day (a business adds the days around it it closes too).

// Holiday is one public holiday: its date and its name in each language.
type Holiday struct {
	Date     string            // YYYY-MM-DD
	Name     map[string]string // en, bn, ne
	Expected bool              // the moon's or Nepal's calendar: confirm the date when the government announces it
}

// HolidayCountries are the countries with a list, by the name the desk's
// week presets use.
var HolidayCountries = []string{"bangladesh", "nepal"}

// PublicHolidays are a country's public holidays in a year, by date; an
// error names what there is no list for.
func PublicHolidays(country string, year int) ([]Holiday, error) {
	if !slices.Contains(HolidayCountries, country) {
		return nil, fmt.Errorf("country: %q is not one of %v", country, HolidayCountries)
	}
	var out []Holiday
	for _, h := range publicHolidays[country] {
		if strings.HasPrefix(h.Date, fmt.Sprint(year)+"-") {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("year: no %s list for %d (there are lists for %v); enter the dates yourself", country, year, HolidayYears(country))
	}
	slices.SortFunc(out, func(a, b Holiday) int { return strings.Compare(a.Date, b.Date) })
	return out, nil
}

// HolidayYears are the years a country has a list for.
func HolidayYears(country string) []int {
	var years []int
	for _, h := range publicHolidays[country] {
		var y int
		fmt.Sscanf(h.Date, "%d-", &y)
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	return years
}

// Line is the holiday as a line of the policy's list: its date and its
// name in lang.
func (h Holiday) Line(lang string) string {
	name := h.Name[lang]
	if name == "" {
		name = h.Name["en"]
	}
	return h.Date + " " + name
}

// names: a holiday's name in English, Bengali and Nepali.
func names(en, bn, ne string) map[string]string {
	return map[string]string{"en": en, "bn": bn, "ne": ne}
}

var (
	shabEBarat      = names("Shab-e-Barat", "শবে বরাত", "शब-ए-बरात")
	languageDay     = names("Language Martyrs' Day", "শহীদ দিবস ও আন্তর্জাতিক মাতৃভাষা দিবস", "भाषा शहीद दिवस")
	shabEQadr       = names("Shab-e-Qadr", "শবে কদর", "शब-ए-कद्र")
	eidUlFitr       = names("Eid ul-Fitr", "ঈদুল ফিতর", "इद-उल-फित्र")
	independenceDay = names("Independence Day", "স্বাধীনতা দিবস", "स्वतन्त्रता दिवस")
	boishakh        = names("Bengali New Year", "পহেলা বৈশাখ", "बङ्गाली नयाँ वर्ष")
	mayDay          = names("May Day", "মে দিবস", "मजदुर दिवस")
	buddhaPurnima   = names("Buddha Purnima", "বুদ্ধ পূর্ণিমা", "बुद्ध जयन्ती")
	eidUlAdha       = names("Eid ul-Adha", "ঈদুল আজহা", "बकर इद")
	ashura          = names("Ashura", "আশুরা", "आसुरा")
	julyUprising    = names("July Mass Uprising Day", "জুলাই গণঅভ্যুত্থান দিবস", "जुलाई जनविद्रोह दिवस")
	miladunnabi     = names("Eid-e-Miladunnabi", "ঈদে মিলাদুন্নবী", "इद-ए-मिलादुन्नबी")
	janmashtami     = names("Janmashtami", "জন্মাষ্টমী", "कृष्ण जन्माष्टमी")
	durgaPuja       = names("Durga Puja (Bijoya Dashami)", "দুর্গাপূজা (বিজয়া দশমী)", "दुर्गा पूजा (विजया दशमी)")
	victoryDay      = names("Victory Day", "বিজয় দিবস", "विजय दिवस")
	christmas       = names("Christmas", "বড়দিন", "क्रिसमस")

	prithviJayanti = names("Prithvi Jayanti", "পৃথ্বী জয়ন্তী", "पृथ्वी जयन्ती")
	magheSankranti = names("Maghe Sankranti", "মাঘে সংক্রান্তি", "माघे संक्रान्ति")
	martyrsDay     = names("Martyrs' Day", "শহীদ দিবস", "शहीद दिवस")
	shivaratri     = names("Maha Shivaratri", "মহা শিবরাত্রি", "महाशिवरात्रि")
	democracyDay   = names("Democracy Day", "গণতন্ত্র দিবস", "प्रजातन्त्र दिवस")
	holi           = names("Holi (Fagu Purnima)", "হোলি", "फागु पूर्णिमा (होली)")
	womensDay      = names("International Women's Day", "আন্তর্জাতিক নারী দিবস", "अन्तर्राष्ट्रिय नारी दिवस")
	nepaliNewYear  = names("Nepali New Year", "নেপালি নববর্ষ", "नयाँ वर्ष")
	republicDay    = names("Republic Day", "প্রজাতন্ত্র দিবস", "गणतन्त्र दिवस")
	janaiPurnima   = names("Janai Purnima", "জনৈ পূর্ণিমা", "जनै पूर्णिमा")
	constitution   = names("Constitution Day", "সংবিধান দিবস", "संविधान दिवस")
	ghatasthapana  = names("Ghatasthapana", "ঘটস্থাপনা", "घटस्थापना")
	vijayaDashami  = names("Dashain (Vijaya Dashami)", "দশাইন (বিজয়া দশমী)", "दशैं (विजया दशमी)")
	laxmiPuja      = names("Tihar (Laxmi Puja)", "তিহার (লক্ষ্মী পূজা)", "तिहार (लक्ष्मी पूजा)")
	bhaiTika       = names("Tihar (Bhai Tika)", "তিহার (ভাই টিকা)", "तिहार (भाइटीका)")
	chhath         = names("Chhath", "ছট পূজা", "छठ पर्व")
	tamuLhosar     = names("Tamu Lhosar", "তামু লোসার", "तमु ल्होसार")
)

// publicHolidays: Expected marks what follows the moon or Nepal's calendar.
var publicHolidays = map[string][]Holiday{
	"bangladesh": {
		{"2026-02-04", shabEBarat, true}, {"2026-02-21", languageDay, false}, {"2026-03-17", shabEQadr, true},
		{"2026-03-20", eidUlFitr, true}, {"2026-03-21", eidUlFitr, true}, {"2026-03-26", independenceDay, false},
		{"2026-04-14", boishakh, false}, {"2026-05-01", mayDay, false}, {"2026-05-01", buddhaPurnima, true},
		{"2026-05-27", eidUlAdha, true}, {"2026-05-28", eidUlAdha, true}, {"2026-06-26", ashura, true},
		{"2026-08-05", julyUprising, false}, {"2026-08-26", miladunnabi, true}, {"2026-09-04", janmashtami, true},
		{"2026-10-20", durgaPuja, true}, {"2026-12-16", victoryDay, false}, {"2026-12-25", christmas, false},

		{"2027-01-24", shabEBarat, true}, {"2027-02-21", languageDay, false}, {"2027-03-06", shabEQadr, true},
		{"2027-03-10", eidUlFitr, true}, {"2027-03-11", eidUlFitr, true}, {"2027-03-26", independenceDay, false},
		{"2027-04-14", boishakh, false}, {"2027-05-01", mayDay, false}, {"2027-05-17", eidUlAdha, true},
		{"2027-05-18", eidUlAdha, true}, {"2027-05-20", buddhaPurnima, true}, {"2027-06-16", ashura, true},
		{"2027-08-05", julyUprising, false}, {"2027-08-16", miladunnabi, true}, {"2027-08-25", janmashtami, true},
		{"2027-10-09", durgaPuja, true}, {"2027-12-16", victoryDay, false}, {"2027-12-25", christmas, false},
	},
	"nepal": {
		{"2026-01-11", prithviJayanti, true}, {"2026-01-15", magheSankranti, true}, {"2026-01-30", martyrsDay, true},
		{"2026-02-15", shivaratri, true}, {"2026-02-19", democracyDay, true}, {"2026-03-02", holi, true},
		{"2026-03-08", womensDay, false}, {"2026-04-14", nepaliNewYear, true}, {"2026-05-01", mayDay, false},
		{"2026-05-01", buddhaPurnima, true}, {"2026-05-29", republicDay, true}, {"2026-08-28", janaiPurnima, true},
		{"2026-09-04", janmashtami, true}, {"2026-09-19", constitution, true}, {"2026-10-11", ghatasthapana, true},
		{"2026-10-21", vijayaDashami, true}, {"2026-11-08", laxmiPuja, true}, {"2026-11-11", bhaiTika, true},
		{"2026-11-15", chhath, true}, {"2026-12-25", christmas, false}, {"2026-12-30", tamuLhosar, true},

		{"2027-01-11", prithviJayanti, true}, {"2027-01-15", magheSankranti, true}, {"2027-01-30", martyrsDay, true},
		{"2027-02-19", democracyDay, true}, {"2027-03-06", shivaratri, true}, {"2027-03-08", womensDay, false},
		{"2027-03-22", holi, true}, {"2027-04-14", nepaliNewYear, true}, {"2027-05-01", mayDay, false},
		{"2027-05-20", buddhaPurnima, true}, {"2027-05-29", republicDay, true}, {"2027-08-17", janaiPurnima, true},
		{"2027-08-25", janmashtami, true}, {"2027-09-20", constitution, true}, {"2027-09-30", ghatasthapana, true},
		{"2027-10-09", vijayaDashami, true}, {"2027-10-29", laxmiPuja, true}, {"2027-11-01", bhaiTika, true},
		{"2027-11-04", chhath, true}, {"2027-12-25", christmas, false}, {"2027-12-30", tamuLhosar, true},
	},
}

// AddHolidays adds the holidays to a policy's list as lines in lang,
// skipping dates it already has, and returns how many it added.
func (p *Policy) AddHolidays(hs []Holiday, lang string) int {
	have := map[string]bool{}
	for _, line := range p.Holidays {
		have[holidayDate(line)] = true
	}
	n := 0
	for _, h := range hs {
		if !have[h.Date] {
			have[h.Date] = true
			p.Holidays = append(p.Holidays, h.Line(lang))
			n++
		}
	}
	slices.SortStableFunc(p.Holidays, func(a, b string) int { return strings.Compare(holidayDate(a), holidayDate(b)) })
	return n
}

// holidayDate is the date a line of the holiday list begins with (what
// follows is its name).
func holidayDate(line string) string {
	date, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return date
}
