package retain

import "time"

// SurveyResponse is one answer to an NPS, CSAT or CES question, with an
// optional comment and the staff member the customer named ("who helped you?").
type SurveyResponse struct {
	ExternalID  string
	CustomerRef string
	Kind        string // nps, csat, ces
	Score       int
	Comment     string
	StaffRef    string // staff external id of the named representative
	OrderRef    string
	TicketRef   string
	RespondedAt time.Time
}

// SurveyKinds and their score ranges.
var surveyRanges = map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "ces": {1, 7}}

// SurveyKinds lists the survey kinds.
var SurveyKinds = []string{"nps", "csat", "ces"}

// Validate checks r.
func (r *SurveyResponse) Validate() Problems {
	p := Problems{}
	checkRef(p, "external_id", r.ExternalID, true)
	checkRef(p, "customer_id", r.CustomerRef, true)
	checkRef(p, "staff", r.StaffRef, false)
	checkRef(p, "order_id", r.OrderRef, false)
	checkRef(p, "ticket_id", r.TicketRef, false)
	rng, ok := surveyRanges[r.Kind]
	if !ok {
		p.Add("kind", "%q is not one of %v", r.Kind, SurveyKinds)
	} else if r.Score < rng[0] || r.Score > rng[1] {
		p.Add("score", "%d is outside %d–%d for %s", r.Score, rng[0], rng[1], r.Kind)
	}
	if r.RespondedAt.IsZero() {
		p.Add("responded_at", "is required")
	}
	if len(r.Comment) > 10000 {
		p.Add("comment", "is longer than %d characters", 10000)
	}
	return p
}
