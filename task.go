package retain

import "time"

// TaskStatus is where a task is.
type TaskStatus string

// The task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// TaskStatuses lists them.
var TaskStatuses = []TaskStatus{TaskOpen, TaskDone, TaskCancelled}

// Task is a piece of work for a staff member: a call to make, a visit, a
// review, from a playbook, an alert or a person.
type Task struct {
	ID             int64
	IdempotencyKey string // the same key is the same task
	CustomerID     int64
	CustomerRef    string
	CustomerName   string // when read back
	OwnerID        int64
	Title, Detail  string
	// Titles is the title in each language it was written in (a playbook's
	// task), so each reader sees their own; Title is the owner's.
	Titles       map[string]string
	DueAt        time.Time
	RemindAt     time.Time
	Status       TaskStatus
	Source       string // playbook, alert, manual
	AlertID      int64
	EnrollmentID int64
	CompletedAt  time.Time
	CreatedAt    time.Time
}
