package retain

import "time"

// Segment is a customer's RFM segment.
type Segment string

// Segments lists every segment, best first.
var Segments = []Segment{"champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
	"about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost"}

// Factor is one input of the health score, with what it contributed.
type Factor struct {
	Name         string  `json:"name"`
	Weight       float64 `json:"weight"`       // after renormalising over the factors present
	Value        float64 `json:"value"`        // 0 (bad) … 1 (good)
	Contribution float64 `json:"contribution"` // points of the 0–100 score
	Why          string  `json:"why"`
}

// FlagKind says which way a purchase-rhythm flag points.
type FlagKind string

// The flag kinds.
const (
	FlagRisk        FlagKind = "risk"
	FlagOpportunity FlagKind = "opportunity"
	FlagInfo        FlagKind = "info"
)

// Flag is a purchase-rhythm signal with the evidence behind it.
type Flag struct {
	Name     string             `json:"name"` // overdue, slowing, shrinking, speeding_up, value_rising, irregular, mix_shift, not_enough_history
	Kind     FlagKind           `json:"kind"`
	Evidence string             `json:"evidence"` // a sentence a person can read
	Values   map[string]float64 `json:"values,omitempty"`
}

// Score is one customer's result of a scoring run: the purchase and spend
// models' predictions, the RFM cell and the explained health score.
type Score struct {
	CustomerID        int64
	ExternalID        string // filled on read
	Frequency         int
	Recency, Age      float64
	Monetary          float64
	Currency          string
	PAlive            float64
	ExpectedPurchases float64
	ExpectedSpend     float64
	CLV               float64
	NextOrderAt       time.Time
	PNextOrder        float64
	R, F, M           int
	Segment           Segment
	Stage             string // lifecycle stage, one of Stages
	Health            float64
	Flags             []Flag
	Factors           []Factor
}
