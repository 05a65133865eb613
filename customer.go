package retain

import (
	"slices"
	"time"
)

// Customer is a person or business that buys. ExternalID is the id the
// business's own system uses; imports and the API upsert by it.
type Customer struct {
	ID          int64
	ExternalID  string
	Name        string
	Email       string
	Phone       string // E.164
	Locale      string // BCP 47: en, bn, ne
	TimeZone    string // IANA, e.g. Asia/Dhaka; empty means the business's
	Stage       string
	OwnerRef    string            // external id of the owning staff member
	Attributes  map[string]string // free-form fields from the business's system
	FirstSeenAt time.Time
	Consents    []Consent
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Lifecycle stages. Scoring computes every buyer's stage (prospect is a
// customer with no order yet); churned is only ever declared, by an import
// or a playbook, and a declared churned customer stays churned.
const (
	StageProspect = "prospect"
	StageNew      = "new"
	StageActive   = "active"
	StageLoyal    = "loyal"
	StageAtRisk   = "at_risk"
	StageLapsed   = "lapsed"
	StageWonBack  = "won_back"
	StageChurned  = "churned"
)

// Stages lists the lifecycle stages in the order a customer meets them.
var Stages = []string{StageProspect, StageNew, StageActive, StageLoyal, StageWonBack, StageAtRisk, StageLapsed, StageChurned}

// Consent records whether a customer may be contacted on a channel for a purpose.
type Consent struct {
	Channel Channel
	Purpose Purpose
	Granted bool
	Source  string
	At      time.Time
}

// Validate checks c. Identity and contact fields must already be normalized
// (the importer and API call the Normalize* helpers first).
func (c *Customer) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", c.ExternalID, true)
	if len(c.Name) > 300 {
		p.Add("name", "is longer than %d characters", 300)
	}
	if c.Stage != "" && !slices.Contains(Stages, c.Stage) {
		p.Add("stage", "%q is not one of %v", c.Stage, Stages)
	}
	if c.TimeZone != "" {
		if err := CheckTimeZone(c.TimeZone); err != nil {
			p.Add("time_zone", "%v", err)
		}
	}
	checkRef(p, "owner", c.OwnerRef, false)
	// Attributes come from any column or key a business sends: names and
	// values alike must be text a database stores.
	for k, v := range c.Attributes {
		if why := TextProblem(k); why != "" {
			p.Add("attributes", "the name %q %s", k, why)
		} else if why := TextProblem(v); why != "" {
			p.Add("attributes."+k, "%s", why)
		}
	}
	for i, cs := range c.Consents {
		if !slices.Contains(ContactChannels, cs.Channel) {
			p.Add("consents["+itoa(i)+"].channel", "%q is not one of %v", cs.Channel, ContactChannels)
		}
		if !slices.Contains(Purposes, cs.Purpose) {
			p.Add("consents["+itoa(i)+"].purpose", "%q is not transactional or marketing", cs.Purpose)
		}
	}
	return p
}
