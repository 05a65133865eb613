package retain

import (
	"slices"
	"strings"
	"time"
)

// Staff is someone who works for the business: a login user (admin, manager,
// agent) or a representative who never logs in but is named in surveys and
// owns customers (in-store, phone and delivery staff).
type Staff struct {
	ID         int64
	ExternalID string
	Name       string
	Email      string
	Role       Role
	Team       string
	CanLogin   bool
	Locale     string
	Active     bool
	CreatedAt  time.Time
}

// Validate checks s.
func (s *Staff) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", s.ExternalID, true)
	if s.Name == "" {
		p.Add("name", "is required")
	}
	if !slices.Contains(Roles, s.Role) {
		p.Add("role", "%q is not one of %v", s.Role, Roles)
	}
	if s.CanLogin && s.Email == "" {
		p.Add("email", "is required for a login user")
	}
	return p
}

// Subscription is a recurring contract with a renewal date.
type Subscription struct {
	ExternalID  string
	CustomerRef string
	Plan        string
	Status      string // active, cancelled, lapsed
	Currency    string
	Value       int64  // minor units per period
	Interval    string // month, quarter, year
	StartedAt   time.Time
	RenewsAt    time.Time
}

// The states and intervals of a subscription.
var (
	SubscriptionStatuses  = []string{"active", "cancelled", "lapsed"}
	SubscriptionIntervals = []string{"month", "quarter", "year"}
)

// Validate checks s.
func (s *Subscription) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", s.ExternalID, true)
	checkRef(p, "customer_id", s.CustomerRef, true)
	if strings.TrimSpace(s.Plan) == "" {
		p.Add("plan", "is required")
	} else if len(s.Plan) > 200 {
		p.Add("plan", "is longer than %d characters", 200)
	}
	if !slices.Contains(SubscriptionStatuses, s.Status) {
		p.Add("status", "%q is not one of %v", s.Status, SubscriptionStatuses)
	}
	if !slices.Contains(SubscriptionIntervals, s.Interval) {
		p.Add("interval", "%q is not one of %v", s.Interval, SubscriptionIntervals)
	}
	if s.Value < 0 {
		p.Add("value", "must not be negative")
	}
	if s.StartedAt.IsZero() {
		p.Add("started_at", "is required")
	}
	if !s.RenewsAt.IsZero() && s.RenewsAt.Before(s.StartedAt) {
		p.Add("renews_at", "is before started_at")
	}
	return p
}

// Interaction is a touch on the customer's timeline: a call, visit, message or note.
type Interaction struct {
	ExternalID  string
	CustomerRef string
	StaffRef    string
	Kind        string // call, visit, email, sms, whatsapp, chat, note
	Direction   string // inbound, outbound, internal
	Summary     string
	OccurredAt  time.Time
}
