package retain

import "time"

// AlertType is what kind of attention an alert asks for.
type AlertType string

// The alert types.
const (
	AlertRisk        AlertType = "risk"        // the customer may be lost: unhappy, slowing, overdue
	AlertOpportunity AlertType = "opportunity" // the customer may buy more: a promoter, rising orders
	AlertLifecycle   AlertType = "lifecycle"   // a moment in the relationship: a new customer, a renewal
)

// AlertTypes lists them.
var AlertTypes = []AlertType{AlertRisk, AlertOpportunity, AlertLifecycle}

// Severity is how soon an alert should be handled.
type Severity string

// The severities, mildest first.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists them, mildest first.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// AlertStatus is where an alert is.
type AlertStatus string

// The alert statuses.
const (
	AlertOpen     AlertStatus = "open"
	AlertSnoozed  AlertStatus = "snoozed"
	AlertResolved AlertStatus = "resolved"
)

// AlertStatuses lists them.
var AlertStatuses = []AlertStatus{AlertOpen, AlertSnoozed, AlertResolved}

// Alert is something about a customer that someone should act on. One
// customer has at most one unresolved alert per type and reason; a repeat
// counts an occurrence on it.
type Alert struct {
	ID           int64
	CustomerID   int64
	CustomerRef  string // external id, when read back
	CustomerName string // when read back
	Type         AlertType
	Reason       string // detractor, low_csat, complaint, return, chargeback, refused, late_delivery, promoter, …
	RootCause    string // one of RootCauses, or ""
	// CauseEvidence are the words of the customer's own text that named
	// RootCause (none when a reason code did).
	CauseEvidence []string
	Severity      Severity
	Status        AlertStatus
	OwnerID       int64
	Title, Detail string
	// DetailKey and DetailArgs say the detail in words the reader's
	// catalog has ("evidence.slowing" with the gaps); Detail is the same in
	// English, for the API and the CLI.
	DetailKey     string
	DetailArgs    map[string]any
	Source        string // what raised it, e.g. survey:12
	RevenueAtRisk int64  // minor units of Currency
	Currency      string
	Occurrences   int
	SignalAt      time.Time // when what raised it happened (the first time, for a repeat)
	DueAt         time.Time
	SnoozedUntil  time.Time
	SnoozeReason  string
	Outcome       string
	CreatedAt     time.Time
	LastSeenAt    time.Time
}
