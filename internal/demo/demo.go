// Package demo generates a realistic, deterministic demo business: for a given
// seed and as-of date the same data, every time.
//
// Customers follow the BG/NBD story: each buys at their own rate (gamma
// distributed across customers) and, after each purchase, stops for good with
// their own probability (beta distributed); spend varies by customer (a
// customer-level mean with order-to-order noise, as in the Gamma-Gamma model).
// Orders go through delivery, with delays, refusals, returns, refunds and
// chargebacks; unhappy orders raise tickets and low survey scores with texts in
// English, Bengali and Nepali.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// DefaultCustomers is the size of `retain demo` and `serve --demo`.
const DefaultCustomers = 2000

// Options configure a demo data set.
type Options struct {
	Customers int
	Seed      uint64
	AsOf      time.Time // the demo's "today"; history runs two years back from it
	Force     bool      // write into a database that holds customers the demo did not make
	// Loyalty runs the points programme over the last fifteen months
	// (loyalty.go): points earned and expired, rewards bought, coupons used.
	Loyalty bool
}

// madeKey marks a database the demo wrote: writing the demo again there
// replaces only demo data.
const madeKey = "demo.generated"

// Stats counts what Generate wrote.
type Stats struct {
	Customers, Orders, Lines, OrderEvents, Tickets, Surveys, Subscriptions, Interactions int
	Rewards, CouponsUsed                                                                 int // the loyalty programme's, when run
	Referrals                                                                            int
}

func (s Stats) String() string {
	out := fmt.Sprintf("%d customers, %d orders (%d lines), %d order events, %d tickets, %d survey responses, %d subscriptions, %d interactions",
		s.Customers, s.Orders, s.Lines, s.OrderEvents, s.Tickets, s.Surveys, s.Subscriptions, s.Interactions)
	if s.Rewards > 0 {
		out += fmt.Sprintf("; loyalty: %d rewards bought with points, %d of their coupons used, %d friends referred", s.Rewards, s.CouponsUsed, s.Referrals)
	}
	return out
}

// Generate writes the demo business to db.
func Generate(ctx context.Context, db *store.DB, opts Options) (Stats, error) {
	if opts.Customers <= 0 {
		return Stats{}, retain.FieldError("customers", "must be positive")
	}
	held, err := db.HasCustomers(ctx)
	if err != nil {
		return Stats{}, err
	}
	made, _, err := db.Setting(ctx, madeKey)
	if err != nil {
		return Stats{}, err
	}
	switch {
	case !held: // an empty database becomes a demo one
		if err := db.SetSetting(ctx, madeKey, "1"); err != nil {
			return Stats{}, err
		}
	case made == "" && !opts.Force:
		// The demo's customers upsert by id: a real customer whose id
		// matches one would be overwritten without a word. (A forced write
		// leaves the database unmarked: the next run asks again.)
		return Stats{}, retain.Errorf(retain.EINVALID, "the database already holds customers the demo did not make, and the demo would overwrite those whose ids match its own: use an empty database, or --force")
	}
	asOf := opts.AsOf.UTC().Truncate(24 * time.Hour)
	g := &gen{rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)), asOf: asOf}
	var b store.Batch
	for _, s := range staffSeeds {
		b.Staff = append(b.Staff, store.Row[retain.Staff]{V: retain.Staff{ExternalID: s.id, Name: s.name, Role: retain.Role(s.role), Team: s.team, Locale: s.locale}})
	}
	for i := 1; i <= opts.Customers; i++ {
		g.customer(&b, i)
		if b.Len() >= 20000 || i == opts.Customers {
			if _, err := core.Ingest(ctx, db, retain.System("demo"), core.Rows(&b)); err != nil {
				return g.stats, err
			}
			b.Reset()
		}
	}
	if err := db.AddPastInvitations(ctx, g.invites); err != nil {
		return g.stats, err
	}
	if opts.Loyalty {
		ls, err := Loyalty(ctx, db, opts.AsOf, opts.Seed)
		g.stats.Rewards, g.stats.CouponsUsed, g.stats.Referrals = ls.Rewards, ls.CouponsUsed, ls.Referrals
		if err != nil {
			return g.stats, fmt.Errorf("demo loyalty: %w", err)
		}
	}
	return g.stats, nil
}

type gen struct {
	rng   *rand.Rand
	asOf  time.Time
	stats Stats
	seq   int
	// invites are the survey invitations of the last half year, answered
	// or not, written once the answers they got are in.
	invites []store.PastInvitation
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// gamma draws from Gamma(shape k, scale θ) (Marsaglia and Tsang).
func (g *gen) gamma(k, theta float64) float64 {
	if k < 1 {
		return g.gamma(k+1, theta) * math.Pow(g.rng.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := g.rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := g.rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v * theta
		}
	}
}

func (g *gen) beta(a, b float64) float64 {
	x := g.gamma(a, 1)
	return x / (x + g.gamma(b, 1))
}

func (g *gen) day(t time.Time, days float64) time.Time {
	return t.Add(time.Duration(days * 24 * float64(time.Hour))).Truncate(time.Second)
}

type person struct {
	id, name, locale, country, currency, owner string
}

func (g *gen) customer(b *store.Batch, i int) {
	p := person{id: fmt.Sprintf("C%05d", i)}
	c := retain.Customer{ExternalID: p.id}
	if g.chance(0.6) {
		p.country, p.currency, c.TimeZone = "BD", "BDT", "Asia/Dhaka"
		p.locale = g.pick([]string{"bn", "bn", "en"})
		p.name = g.pick(bdFirst) + " " + g.pick(bdLast)
		if p.locale == "bn" && g.chance(0.3) {
			p.name = g.pick(bdNative)
		}
		c.Phone = fmt.Sprintf("+8801%d%08d", 3+g.rng.IntN(7), g.rng.IntN(1e8))
		p.owner = g.pick([]string{"st-ayesha", "st-tanvir", "st-nusrat"})
	} else {
		p.country, p.currency, c.TimeZone = "NP", "NPR", "Asia/Kathmandu"
		p.locale = g.pick([]string{"ne", "ne", "en"})
		p.name = g.pick(npFirst) + " " + g.pick(npLast)
		if p.locale == "ne" && g.chance(0.3) {
			p.name = g.pick(npNative)
		}
		c.Phone = fmt.Sprintf("+97798%08d", g.rng.IntN(1e8))
		p.owner = g.pick([]string{"st-sita", "st-bikash", "st-anjali"})
	}
	c.Name, c.Locale = p.name, p.locale
	if g.chance(0.55) {
		c.Email = fmt.Sprintf("customer%05d@example.com", i)
	}
	if g.chance(0.75) {
		c.OwnerRef = p.owner
	}
	c.Consents = append(c.Consents, retain.Consent{Channel: "sms", Purpose: "marketing", Granted: g.chance(0.7), Source: "signup"},
		retain.Consent{Channel: "whatsapp", Purpose: "marketing", Granted: g.chance(0.5), Source: "signup"})
	if c.Email != "" {
		c.Consents = append(c.Consents, retain.Consent{Channel: "email", Purpose: "marketing", Granted: g.chance(0.6), Source: "signup"})
	}
	c.Attributes = map[string]string{"city": map[string]string{"BD": g.pick([]string{"Dhaka", "Chattogram", "Sylhet", "Khulna"}),
		"NP": g.pick([]string{"Kathmandu", "Pokhara", "Lalitpur", "Biratnagar"})}[p.country]}

	// BG/NBD: purchase rate λ per day ~ Gamma(0.9, 1/25); drop-out after each
	// purchase with probability ~ Beta(1, 3.5). First purchase in the last two
	// years; spend level per customer ~ lognormal around ৳1,800.
	rate := g.gamma(0.9, 1.0/25)
	drop := g.beta(1, 3.5)
	spend := math.Exp(math.Log(1800) + 0.6*g.rng.NormFloat64())
	t := g.day(g.asOf, -7-g.rng.Float64()*720)
	c.FirstSeenAt = t
	g.stats.Customers++
	b.Customers = append(b.Customers, store.Row[retain.Customer]{V: c})
	orders := 0
	for t.Before(g.asOf) {
		g.order(b, p, t, spend)
		orders++
		gap := g.rng.ExpFloat64()/rate + 0.5 // days; huge for a slow buyer
		if g.chance(drop) || gap > g.asOf.Sub(t).Hours()/24 {
			break // dropped out, or the next purchase falls after today
		}
		t = g.day(t, gap)
	}
	if g.chance(0.1) {
		g.subscription(b, p)
	}
	if c.OwnerRef != "" && g.chance(0.3) {
		g.stats.Interactions++
		b.Interactions = append(b.Interactions, store.Row[retain.Interaction]{V: retain.Interaction{
			ExternalID: fmt.Sprintf("I%s-1", p.id), CustomerRef: p.id, StaffRef: c.OwnerRef, Kind: g.pick([]string{"call", "visit", "whatsapp"}),
			Direction: "outbound", Summary: "Checked in after the last order", OccurredAt: g.day(c.FirstSeenAt, 3)}})
	}
}

func (g *gen) order(b *store.Batch, p person, placed time.Time, spend float64) {
	g.seq++
	g.stats.Orders++
	id := fmt.Sprintf("O%07d", g.seq)
	target := int64(spend * g.gamma(6, 1.0/6) * 100) // minor units
	o := retain.Order{ExternalID: id, CustomerRef: p.id, Currency: p.currency, PlacedAt: placed,
		Channel: g.pick([]string{"web", "web", "facebook", "phone", "store"}), ExpectedDeliveryAt: g.day(placed, 3), Status: "delivered"}
	var total int64
	cat := catalog[g.rng.IntN(len(catalog))].category
	for n := 0; n < 5 && (n == 0 || total < target); n++ {
		pr := g.productIn(cat)
		price := pr.price
		if p.currency == "NPR" {
			price = price * 11 / 10
		}
		qty := int64(1 + g.rng.IntN(3))
		o.Lines = append(o.Lines, retain.OrderLine{ExternalID: fmt.Sprintf("%s/%d", id, n+1), SKU: pr.sku, Name: pr.name, Category: pr.category,
			Quantity: qty, UnitPrice: price, Total: price * qty})
		total += price * qty
		if g.chance(0.5) {
			cat = companion[cat] // products often bought together
		}
	}
	g.stats.Lines += len(o.Lines)
	o.Total, o.HasTotal = total, true

	// What happened to it. Problems cluster: a late order is likelier to be
	// refused or returned, and an unhappy order to raise a ticket.
	ev := func(t retain.OrderEventType, at time.Time, reason string, amount int64) {
		g.stats.OrderEvents++
		b.OrderEvents = append(b.OrderEvents, store.Row[retain.OrderEvent]{V: retain.OrderEvent{
			ExternalID: fmt.Sprintf("%s:%s", id, t), OrderRef: id, Type: t, OccurredAt: at, Reason: reason, Amount: amount}})
	}
	ev(retain.EventPlaced, placed, "", 0)
	late := g.chance(0.12)
	cause := ""
	shipped := g.day(placed, 0.5+g.rng.Float64())
	deliverDays := 1.5 + g.rng.Float64()*1.5
	if late {
		deliverDays += 2 + g.rng.Float64()*5
	}
	delivered := g.day(shipped, deliverDays)
	if delivered.After(g.asOf) {
		ev(retain.EventShipped, shipped, "", 0)
		o.Status = "shipped"
		b.Orders = append(b.Orders, store.Row[retain.Order]{V: o})
		return
	}
	ev(retain.EventShipped, shipped, "", 0)
	if late {
		ev(retain.EventDelayed, g.day(shipped, 2), g.pick(delayReasons), 0)
		cause = "delivery"
	}
	ev(retain.EventOutForDelivery, g.day(delivered, -0.2), "", 0)
	switch {
	case g.chance(0.03 + 0.1*b2f(late)):
		ev(retain.EventRefused, delivered, g.pick(refusalReasons), 0)
		o.Status, cause = "cancelled", "delivery"
	default:
		ev(retain.EventDelivered, delivered, "", 0)
		ev(retain.EventPaid, delivered, "", 0)
		if g.chance(0.05) {
			rc := g.pick([]string{"quality", "quality", "price_value", "usability"})
			ev(retain.EventReturned, g.day(delivered, 2+g.rng.Float64()*5), g.pick(returnReasons[rc]), 0)
			ev(retain.EventRefunded, g.day(delivered, 8), g.pick(returnReasons[rc]), total)
			o.Status, cause = "refunded", rc
		} else if o.Channel == "web" && g.chance(0.006) {
			ev(retain.EventChargeback, g.day(delivered, 20), g.pick(chargebackReasons), total)
			cause = "service"
		}
	}
	b.Orders = append(b.Orders, store.Row[retain.Order]{V: o})
	if cause != "" && g.chance(0.6) || g.chance(0.02) {
		if cause == "" {
			cause = g.pick([]string{"usability", "service", "price_value"})
		}
		g.ticket(b, p, id, cause, delivered)
	}
	if g.chance(0.3) {
		g.survey(b, p, id, cause, delivered)
	} else if unanswered(id) {
		g.invite(p, id, "csat", "", delivered, nil, time.Time{})
	}
}

// unanswered picks, from the order's id and not the random stream (so the
// rest of the demo is the same with or without it), one in four of the
// orders without an answer as invited all the same.
func unanswered(orderID string) bool {
	h := fnv.New32a()
	h.Write([]byte(orderID))
	return h.Sum32()%4 == 0
}

// invite records a post-purchase survey invitation sent a day after the
// delivery, if that was within the last half year.
func (g *gen) invite(p person, orderID, kind, staff string, delivered time.Time, score *int, answered time.Time) {
	sent := delivered.Add(24 * time.Hour)
	if sent.After(g.asOf) || g.asOf.Sub(sent) > 183*24*time.Hour {
		return
	}
	resp := ""
	if score != nil {
		resp = "S" + orderID[1:]
	}
	g.invites = append(g.invites, store.PastInvitation{Key: "demo:" + orderID, SurveyKey: kind, SurveyVersion: 1, CustomerRef: p.id,
		OrderRef: orderID, StaffRef: staff, Channel: retain.ChannelWhatsApp, Locale: p.locale, SentAt: sent, ExpiresAt: sent.AddDate(0, 0, 7),
		ResponseExt: resp, Score: score, AnsweredAt: answered})
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (g *gen) productIn(cat string) product {
	var in []product
	for _, pr := range catalog {
		if pr.category == cat {
			in = append(in, pr)
		}
	}
	return in[g.rng.IntN(len(in))]
}

func (g *gen) ticket(b *store.Batch, p person, orderID, cause string, at time.Time) {
	g.stats.Tickets++
	t := retain.Ticket{ExternalID: "T" + orderID[1:], CustomerRef: p.id, Channel: g.pick([]string{"whatsapp", "phone", "email", "messenger", "web", "sms"}),
		Subject: "Order " + orderID, Body: g.pick(complaints[cause][p.locale]), Priority: g.pick([]string{"normal", "normal", "high", "urgent"}),
		AssigneeRef: g.pick([]string{"st-farhana", "st-ramesh"}), RootCause: cause, OpenedAt: g.day(at, 0.3+g.rng.Float64())}
	t.Status = "resolved"
	if t.OpenedAt.After(g.asOf.AddDate(0, 0, -10)) || (g.chance(0.15) && t.OpenedAt.After(g.asOf.AddDate(0, 0, -30))) {
		t.Status = g.pick([]string{"open", "pending"})
	}
	if t.OpenedAt.After(g.asOf) {
		t.OpenedAt = g.asOf.Add(-time.Hour)
	}
	t.FirstResponseAt = g.day(t.OpenedAt, g.rng.ExpFloat64()*0.3)
	if t.Status == "resolved" {
		t.ResolvedAt = g.day(t.FirstResponseAt, g.rng.ExpFloat64()*2)
	}
	if t.FirstResponseAt.After(g.asOf) {
		t.FirstResponseAt = time.Time{}
	}
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: t})
	// The thread: the complaint (the ticket's body), the agent's answer,
	// and on a ticket still open the customer writing again. Replies from
	// history are recorded, not sent.
	if t.FirstResponseAt.IsZero() {
		return
	}
	b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{ExternalID: t.ExternalID + "#2",
		TicketRef: t.ExternalID, Author: "agent", StaffRef: t.AssigneeRef, Channel: t.Channel, Body: g.pick(agentReplies[p.locale]), SentAt: t.FirstResponseAt}})
	if again := g.day(t.FirstResponseAt, 0.2+g.rng.Float64()*0.5); t.Status == "open" && again.Before(g.asOf) {
		b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{ExternalID: t.ExternalID + "#3",
			TicketRef: t.ExternalID, Author: "customer", Channel: t.Channel, Body: g.pick(customerFollowUps[p.locale]), SentAt: again}})
	}
	// Half the customers whose ticket was resolved answer the CSAT question
	// after it, about the agent: the desk's CSAT by agent.
	if answered := g.day(t.ResolvedAt, 0.1+g.rng.Float64()); t.Status == "resolved" && answered.Before(g.asOf) && g.chance(0.5) {
		g.stats.Surveys++
		score := 3 + g.rng.IntN(3)
		if cause == "service" {
			score = 1 + g.rng.IntN(3)
		}
		b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "Q" + t.ExternalID[1:],
			CustomerRef: p.id, Kind: "csat", Score: score, StaffRef: t.AssigneeRef, TicketRef: t.ExternalID, RespondedAt: answered}})
	}
}

func (g *gen) survey(b *store.Batch, p person, orderID, cause string, at time.Time) {
	responded := g.day(at, 1+g.rng.Float64()*3)
	if responded.After(g.asOf) {
		return
	}
	g.stats.Surveys++
	kind := g.pick([]string{"csat", "csat", "nps"})
	unhappy := cause != ""
	var score int
	switch {
	case kind == "csat" && unhappy:
		score = 1 + g.rng.IntN(3)
	case kind == "csat":
		score = 3 + g.rng.IntN(3)
	case unhappy:
		score = g.rng.IntN(7)
	default:
		score = 6 + g.rng.IntN(5)
	}
	comment := ""
	if unhappy && g.chance(0.7) {
		comment = g.pick(complaints[cause][p.locale])
	} else if g.chance(0.3) {
		comment = g.pick(praise[p.locale])
	}
	staff := map[string]string{"BDT": g.pick([]string{"st-rubel", "st-mitu", "st-tanvir"}), "NPR": g.pick([]string{"st-suman", "st-bikash"})}[p.currency]
	b.SurveyResponses = append(b.SurveyResponses, store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{
		ExternalID: "S" + orderID[1:], CustomerRef: p.id, Kind: kind, Score: score, Comment: comment, StaffRef: staff, OrderRef: orderID,
		RespondedAt: responded}})
	g.invite(p, orderID, kind, staff, at, &score, responded)
}

func (g *gen) subscription(b *store.Batch, p person) {
	g.stats.Subscriptions++
	plan, value := "Monthly grocery box", int64(250000)
	if g.chance(0.4) {
		plan, value = "Tea club", 90000
	}
	if p.currency == "NPR" {
		value = value * 11 / 10
	}
	started := g.day(g.asOf, -30-g.rng.Float64()*300)
	renews := started
	for !renews.After(g.asOf) {
		renews = renews.AddDate(0, 1, 0)
	}
	b.Subscriptions = append(b.Subscriptions, store.Row[retain.Subscription]{V: retain.Subscription{ExternalID: "SUB-" + p.id, CustomerRef: p.id,
		Plan: plan, Status: "active", Currency: p.currency, Value: value, Interval: "month", StartedAt: started, RenewsAt: renews}})
}
