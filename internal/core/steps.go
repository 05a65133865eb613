package core

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Action is what a playbook does at one step for one customer: the
// interpreter below turns steps into actions, which the runner commits and
// the simulator prints.
type Action struct {
	Step    int
	StepID  string
	Type    string // message, task, branch, set, wait, exit, end
	Channel retain.Channel
	To      string
	Purpose retain.Purpose
	Kind    string
	Text    string // message body or task title
	// Titles is a task's title in every language the playbook wrote it
	// in, so each reader of the inbox sees their own.
	Titles   map[string]string
	Due      time.Duration
	Wait     time.Duration
	Lateness time.Duration
	Note     string // why (branch taken, channel skipped)
	// WaitingFor: no preferred channel is set up. The message is queued
	// on the first the customer can be reached on, waiting for any of
	// these (the preferred channels that reach the same address).
	WaitingFor []string
	// A coupon step's terms (Text is the new coupon's code); a points
	// step's points (Note is the reason).
	Coupon *retain.CouponSpec
	Points int64
}

// Subject is one customer as the interpreter sees them.
type Subject struct {
	Facts           store.Facts
	Locale          string
	Recommendations []string
	Reason          string          // the alert reason that enrolled them, if any
	Channels        map[string]bool // channels the business has configured
	Business        string          // the business's name for messages
	ReviewURL       string          // the business's public review page
	Now             time.Time
	// InRecovery: a service recovery is open for the customer (and this
	// playbook is not one). Tone: no welcome and no marketing until it ends.
	InRecovery bool
	// Surveys are the current versions of the surveys the playbook sends,
	// read once per step run: a survey step's message reads as it will be
	// sent, and the step sends that version.
	Surveys map[string]SurveyHead
	// Points is the customer's balance; CouponCode the code of the coupon
	// the enrollment gave them last (as printed). A coupon or points step
	// updates them for the messages after it.
	Points     int64
	CouponCode string
	Tier       string // the customer's tier's name in their language; "" without tiers
	// Savings is what the customer's coupons took off their orders, in
	// their language's words ("৳১,২৫০.০০"); "" for none.
	Savings string
	// ReferralLink is the customer's refer-a-friend page; "" when the
	// programme takes no referrals.
	ReferralLink string
	// The order the enrollment is about (an order-status message's), in
	// the customer's words: its number, total, expected delivery day, the
	// courier's tracking page and the rider's number; "" when none.
	Order, OrderTotal, ExpectedDelivery, TrackingLink, RiderPhone string
}

// next runs the playbook from step until it has to wait or ends, and
// returns the actions and the step to resume at (len(Steps) when done).
func next(p *retain.Playbook, s Subject, step int) ([]Action, int) {
	var out []Action
	for guard := 0; guard < 4*len(p.Steps)+4; guard++ {
		if step >= len(p.Steps) {
			return append(out, Action{Step: step, Type: "end"}), step
		}
		st := p.Steps[step]
		a := Action{Step: step, StepID: st.ID, Type: st.Type}
		switch st.Type {
		case "wait":
			a.Wait = time.Duration((st.Days*24 + st.Hours) * float64(time.Hour))
			return append(out, a), step + 1
		case "message":
			a.Purpose, a.Kind = st.Purpose, st.Kind
			a.Lateness = time.Duration(st.MaxLatenessHours) * time.Hour
			a.Text = render(st.Text, s)
			if s.InRecovery && (st.Purpose == retain.PurposeMarketing || p.Trigger.Event == "first_order") {
				// A welcome or an offer in the same hour as an apology reads
				// as not listening: the step is skipped, with the reason.
				a.Note = HeldForRecovery
				break
			}
			a.Channel, a.To, a.Note, a.WaitingFor = pickChannel(p.Channels, s)
		case "survey":
			// Sent on the first channel that works now: an invitation
			// that waits for a channel would ask about a week-old delivery.
			a.Kind, a.Purpose = st.Survey, retain.PurposeTransactional
			a.Lateness = time.Duration(st.MaxLatenessHours) * time.Hour
			a.Channel, a.To, a.Note, a.WaitingFor = pickChannel(p.Channels, s)
			if len(a.WaitingFor) > 0 {
				a.Channel, a.WaitingFor, a.Note = "", nil, SurveyNoChannel
			}
			if sv, ok := s.Surveys[st.Survey]; ok {
				a.Text, _ = InviteText(sv.Def, s, a.Channel, "")
			}
		case "task":
			staff := s
			staff.Locale = LocaleOf(s.Facts.OwnerLocale) // the task is for the owner
			a.Text = render(st.Title, staff)
			a.Titles = map[string]string{}
			for l := range st.Title {
				staff.Locale = l
				a.Titles[l] = render(st.Title, staff)
			}
			a.Due = time.Duration(st.DueHours * float64(time.Hour))
		case "branch":
			ok := holds(st.If, s.Facts, s.Now)
			to := st.Else
			if ok {
				to = st.Then
			}
			a.Note = fmt.Sprintf("%s %s %v: %v", st.If.Field, st.If.Op, st.If.Value, ok)
			out = append(out, a)
			if to == "" {
				step++
			} else {
				step = stepIndex(p, to)
			}
			continue
		case "set":
			a.Text = st.Value
		case "coupon":
			a.Coupon, a.Text = st.Coupon, loyalty.NewCode() // a simulation shows a code it never stores
			s.CouponCode = loyalty.FormatCode(a.Text)
		case "points":
			a.Points, a.Note = st.Points, st.Reason
			s.Points += st.Points
		case "exit":
			return append(out, a), len(p.Steps)
		}
		out = append(out, a)
		step++
	}
	return append(out, Action{Step: step, Type: "exit", Note: "too many steps without a wait (a branch loop?)"}), len(p.Steps)
}

func stepIndex(p *retain.Playbook, id string) int {
	for i, s := range p.Steps {
		if s.ID == id {
			return i
		}
	}
	return len(p.Steps)
}

// pickChannel takes the first preferred channel the business has set up and
// the customer can be reached on. When none is set up, the message waits
// on the first one the customer can be reached on, for any preferred
// channel to the same address (WhatsApp or SMS to their phone), so that
// setting one up later still sends it; with no address at all, there is
// no channel and the step is skipped, with the note saying why.
func pickChannel(prefs []retain.Channel, s Subject) (channel retain.Channel, to, note string, waitingFor []string) {
	for _, c := range prefs {
		if addr := address(c, s.Facts); addr != "" && s.Channels[string(c)] {
			return c, addr, "", nil
		}
	}
	for _, c := range prefs {
		if addr := address(c, s.Facts); addr != "" && (to == "" || addr == to) {
			if to == "" {
				channel, to = c, addr
			}
			waitingFor = append(waitingFor, string(c))
		}
	}
	if channel != "" {
		return channel, to, fmt.Sprintf("waiting: no channel of %v is set up yet", prefs), waitingFor
	}
	return "", "", fmt.Sprintf("the customer has no address for any channel of %v", prefs), nil
}

// address is the customer's address on a channel, "" when they have none.
func address(channel retain.Channel, f store.Facts) string {
	switch channel {
	case retain.ChannelSMS, retain.ChannelWhatsApp:
		return f.Phone
	case retain.ChannelEmail:
		return f.Email
	}
	return ""
}

// HeldForRecovery is the note on a message step skipped because a service
// recovery is open for the customer.
const HeldForRecovery = "not sent: a service recovery is open for this customer"

// templateData is what message and task templates can use.
type templateData struct {
	Name, FirstName, Business, FavouriteCategory, Recommendations, Reason, ReviewLink, CouponCode, Tier, Savings, ReferralLink string
	Order, OrderTotal, ExpectedDelivery, TrackingLink, RiderPhone                                                              string
	Orders, LastOrderDays                                                                                                      int
	Points                                                                                                                     int64
}

func render(texts map[string]string, s Subject) string {
	src := texts[s.Locale]
	if src == "" {
		src = texts["en"]
	}
	name := s.Facts.Name
	if name == "" {
		name = s.Facts.ExternalID
	}
	first, _, _ := strings.Cut(name, " ")
	business := s.Business
	if business == "" {
		business = map[string]string{"en": "our shop", "bn": "আমাদের দোকান", "ne": "हाम्रो पसल"}[s.Locale]
	}
	d := templateData{Name: name, FirstName: first, Business: business, FavouriteCategory: s.Facts.FavouriteCategory,
		Recommendations: strings.Join(s.Recommendations, ", "), Reason: reasonLabel(s.Reason, s.Locale), Orders: s.Facts.Orders,
		ReviewLink: s.ReviewURL, Points: s.Points, CouponCode: s.CouponCode, Tier: s.Tier, Savings: s.Savings,
		ReferralLink: s.ReferralLink, Order: s.Order, OrderTotal: s.OrderTotal, ExpectedDelivery: s.ExpectedDelivery, TrackingLink: s.TrackingLink,
		RiderPhone: s.RiderPhone}
	if !s.Facts.LastOrderAt.IsZero() {
		d.LastOrderDays = int(s.Now.Sub(s.Facts.LastOrderAt).Hours() / 24)
	}
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return src // validated on load; a stored playbook cannot get here
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return src
	}
	return b.String()
}

// reasonLabels name alert reasons in messages and task titles.
var reasonLabels = map[string][3]string{ // en, bn, ne
	"detractor":        {"unhappy (low NPS)", "অসন্তুষ্ট (কম NPS)", "असन्तुष्ट (कम NPS)"},
	"low_csat":         {"low satisfaction", "কম সন্তুষ্টি", "कम सन्तुष्टि"},
	"high_effort":      {"found it hard", "কঠিন লেগেছে", "गाह्रो लाग्यो"},
	"complaint":        {"complaint", "অভিযোগ", "गुनासो"},
	"return":           {"returned an order", "অর্ডার ফেরত দিয়েছেন", "अर्डर फिर्ता गर्नुभयो"},
	"chargeback":       {"chargeback", "চার্জব্যাক", "चार्जब्याक"},
	"refused":          {"refused a delivery", "ডেলিভারি নেননি", "डेलिभरी अस्वीकार गर्नुभयो"},
	"late_delivery":    {"late delivery", "দেরিতে ডেলিভারি", "ढिलो डेलिभरी"},
	"cod_risk":         {"refused recent deliveries", "সাম্প্রতিক ডেলিভারি নেননি", "हालका डेलिभरी अस्वीकार गर्नुभयो"},
	"promoter":         {"promoter", "প্রচারক", "प्रवर्द्धक"},
	"points_expiring":  {"points about to expire", "পয়েন্টের মেয়াদ শেষ হচ্ছে", "पोइन्टको म्याद सकिँदै"},
	"reward_available": {"a reward available", "পুরস্কার নেওয়া যাবে", "पुरस्कार लिन मिल्छ"},
	"near_tier":        {"close to the next tier", "পরের স্তরের কাছাকাছি", "अर्को तहको नजिक"},
}

func reasonLabel(reason, locale string) string {
	l, ok := reasonLabels[reason]
	if !ok {
		return reason
	}
	switch locale {
	case "bn":
		return l[1]
	case "ne":
		return l[2]
	}
	return l[0]
}

// holds evaluates a condition on a customer's facts.
func holds(c *retain.Condition, f store.Facts, now time.Time) bool {
	var num float64
	var str string
	isNum := true
	switch c.Field {
	case "orders":
		num = float64(f.Orders)
	case "days_since_last_order":
		if f.LastOrderAt.IsZero() {
			return false
		}
		num = now.Sub(f.LastOrderAt).Hours() / 24
	case "health":
		num = f.Health
	case "p_alive":
		num = f.PAlive
	case "clv":
		num = f.CLV
	case "segment":
		str, isNum = f.Segment, false
	case "locale":
		str, isNum = f.Locale, false
	case "stage":
		str, isNum = f.Stage, false
	}
	if !isNum {
		want := fmt.Sprint(c.Value)
		return (c.Op == "=") == (str == want)
	}
	if !f.Scored && (c.Field == "health" || c.Field == "p_alive" || c.Field == "clv") {
		return false // no scores yet: a score condition does not hold
	}
	v, _ := c.Number()
	switch c.Op {
	case "=":
		return num == v
	case "!=":
		return num != v
	case "<":
		return num < v
	case "<=":
		return num <= v
	case ">":
		return num > v
	case ">=":
		return num >= v
	}
	return false
}

// LocaleOf maps a customer's locale tag to a catalog language: bn, ne,
// else en.
func LocaleOf(tag string) string {
	switch {
	case strings.HasPrefix(tag, "bn"):
		return "bn"
	case strings.HasPrefix(tag, "ne"):
		return "ne"
	}
	return "en"
}

// TemplateFields are the names a message or task text may use.
var TemplateFields = []string{"Name", "FirstName", "Business", "FavouriteCategory", "Recommendations", "Reason", "Orders", "LastOrderDays",
	"Points", "CouponCode", "Tier", "Savings", "ReferralLink", "Order", "OrderTotal", "ExpectedDelivery", "TrackingLink", "RiderPhone"}

// PreviewText renders a message or task text for someone who reads the
// playbook, not for a customer: each field shows as label(field) in
// brackets (‹first name›), never as template syntax.
func PreviewText(texts map[string]string, locale string, label func(field string) string) string {
	src := texts[locale]
	if src == "" {
		src = texts["en"]
	}
	data := map[string]string{}
	for _, f := range TemplateFields {
		data[f] = "‹" + label(f) + "›"
	}
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return src
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return src
	}
	return b.String()
}
