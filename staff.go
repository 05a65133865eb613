package retain

import (
	"slices"
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
