package retain

import "time"

// EnrollmentStatus is where a customer's run through a playbook is.
type EnrollmentStatus string

// The enrollment statuses.
const (
	EnrollmentActive EnrollmentStatus = "active"
	EnrollmentDone   EnrollmentStatus = "done"   // finished; Outcome says whether it succeeded
	EnrollmentExited EnrollmentStatus = "exited" // an exit step ended it
)

// EnrollmentStatuses lists them.
var EnrollmentStatuses = []EnrollmentStatus{EnrollmentActive, EnrollmentDone, EnrollmentExited}

// Enrollment is one customer's run through one version of a playbook.
type Enrollment struct {
	ID              int64
	PlaybookKey     string
	PlaybookVersion int
	CustomerID      int64
	Status          EnrollmentStatus
	Step            int
	NextRunAt       time.Time
	Fence           int64 // grows with each claim: a stale runner's write is refused
	TriggerRef      string
	AlertID         int64
	Outcome         string
	StartedAt       time.Time
	SuccessBy       time.Time
}
