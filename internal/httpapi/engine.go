package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// The engine's API: alerts, tasks, playbooks, outcomes.

type alertsInput struct {
	Status     string `query:"status" enum:"open,snoozed,resolved," doc:"Default: open and snoozed."`
	OwnerID    int64  `query:"owner_id"`
	CustomerID string `query:"customer_id" doc:"A customer's external id."`
	Limit      int    `query:"limit" minimum:"0" maximum:"1000" default:"100"`
	ByIDPaging
}

// ByIDPaging is how alerts and tasks are paged through: in urgency (or due)
// order, one page only; or, with order=id or a cursor, in id order with a
// next_cursor, so every row is seen once however many there are.
type ByIDPaging struct {
	Order  string `query:"order" enum:"urgency,due,id," doc:"id: page through everything with cursor and next_cursor."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page (implies order=id)."`
}

func (b ByIDPaging) paged() (bool, int64, error) {
	after, err := afterCursor(b.Cursor)
	return b.Order == "id" || b.Cursor != "", after, err
}

type alertOut struct {
	ID            int64              `json:"id"`
	CustomerID    string             `json:"customer_id"`
	Type          retain.AlertType   `json:"type"`
	Reason        string             `json:"reason"`
	RootCause     string             `json:"root_cause"`
	CauseEvidence []string           `json:"cause_evidence,omitempty" doc:"The words of the customer's text that named the root cause"`
	Severity      retain.Severity    `json:"severity"`
	Status        retain.AlertStatus `json:"status"`
	OwnerID       int64              `json:"owner_id,omitempty"`
	Title         string             `json:"title"`
	Detail        string             `json:"detail"`
	Source        string             `json:"source"`
	RevenueAtRisk string             `json:"revenue_at_risk"`
	Currency      string             `json:"currency"`
	Occurrences   int                `json:"occurrences"`
	DueAt         time.Time          `json:"due_at"`
	SnoozedUntil  *time.Time         `json:"snoozed_until,omitempty"`
	SnoozeReason  string             `json:"snooze_reason,omitempty"`
	Outcome       string             `json:"outcome,omitempty"`
	CreatedAt     time.Time          `json:"created_at"`
}

type alertsOutput struct {
	Body struct {
		Alerts     []alertOut `json:"alerts"`
		NextCursor string     `json:"next_cursor,omitempty"`
	}
}

func (a *API) customerID(ctx context.Context, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	c, err := a.db.GetCustomer(ctx, ref)
	return c.ID, err
}

func (a *API) listAlerts(ctx context.Context, in *alertsInput) (*alertsOutput, error) {
	cid, err := a.customerID(ctx, in.CustomerID)
	if err != nil {
		return nil, a.apiError(ctx, "list-alerts", err)
	}
	paged, after, err := in.paged()
	if err != nil {
		return nil, a.apiError(ctx, "list-alerts", err)
	}
	limit := in.Limit
	if paged {
		limit++ // one more: is there a next page?
	}
	alerts, err := a.db.Alerts(ctx, store.AlertFilter{Status: in.Status, OwnerID: in.OwnerID, CustomerID: cid, Limit: limit, ByID: paged, AfterID: after})
	if err != nil {
		return nil, a.apiError(ctx, "list-alerts", err)
	}
	out := &alertsOutput{}
	if paged && len(alerts) > in.Limit {
		alerts = alerts[:in.Limit]
		out.Body.NextCursor = cursorOf(alerts[len(alerts)-1].ID)
	}
	out.Body.Alerts = []alertOut{}
	for _, al := range alerts {
		o := alertOut{ID: al.ID, CustomerID: al.CustomerRef, Type: al.Type, Reason: al.Reason, RootCause: al.RootCause, CauseEvidence: al.CauseEvidence, Severity: al.Severity,
			Status: al.Status, OwnerID: al.OwnerID, Title: al.Title, Detail: al.Detail, Source: al.Source, Currency: al.Currency,
			Occurrences: al.Occurrences, DueAt: al.DueAt, SnoozeReason: al.SnoozeReason, Outcome: al.Outcome, CreatedAt: al.CreatedAt}
		if al.Currency != "" {
			o.RevenueAtRisk = retain.FormatAmount(al.RevenueAtRisk, al.Currency)
		}
		if !al.SnoozedUntil.IsZero() {
			o.SnoozedUntil = &al.SnoozedUntil
		}
		out.Body.Alerts = append(out.Body.Alerts, o)
	}
	return out, nil
}

type snoozeInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Until  time.Time `json:"until" doc:"When the alert reopens."`
		Reason string    `json:"reason" minLength:"1" maxLength:"500"`
	}
}

type resolveInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Outcome string `json:"outcome" minLength:"1" maxLength:"500" doc:"What was done and how it ended."`
	}
}

func (a *API) snoozeAlert(ctx context.Context, in *snoozeInput) (*struct{}, error) {
	if err := a.work().SnoozeAlert(ctx, actorFrom(ctx), in.ID, in.Body.Until, in.Body.Reason); err != nil {
		return nil, a.apiError(ctx, "snooze-alert", err)
	}
	return nil, nil
}

func (a *API) resolveAlert(ctx context.Context, in *resolveInput) (*struct{}, error) {
	if err := a.work().ResolveAlert(ctx, actorFrom(ctx), in.ID, in.Body.Outcome); err != nil {
		return nil, a.apiError(ctx, "resolve-alert", err)
	}
	return nil, nil
}

type tasksInput struct {
	Status     string `query:"status" enum:"open,done,cancelled," doc:"Default: open."`
	OwnerID    int64  `query:"owner_id"`
	CustomerID string `query:"customer_id"`
	Limit      int    `query:"limit" minimum:"0" maximum:"1000" default:"200"`
	ByIDPaging
}

type taskOut struct {
	ID           int64             `json:"id"`
	CustomerID   string            `json:"customer_id,omitempty"`
	OwnerID      int64             `json:"owner_id,omitempty"`
	Title        string            `json:"title"`
	Detail       string            `json:"detail"`
	DueAt        time.Time         `json:"due_at"`
	Status       retain.TaskStatus `json:"status"`
	Source       string            `json:"source"`
	AlertID      int64             `json:"alert_id,omitempty"`
	EnrollmentID int64             `json:"enrollment_id,omitempty"`
}

type tasksOutput struct {
	Body struct {
		Tasks      []taskOut `json:"tasks"`
		NextCursor string    `json:"next_cursor,omitempty"`
	}
}

func (a *API) listTasks(ctx context.Context, in *tasksInput) (*tasksOutput, error) {
	cid, err := a.customerID(ctx, in.CustomerID)
	if err != nil {
		return nil, a.apiError(ctx, "list-tasks", err)
	}
	paged, after, err := in.paged()
	if err != nil {
		return nil, a.apiError(ctx, "list-tasks", err)
	}
	limit := in.Limit
	if paged {
		limit++
	}
	tasks, err := a.db.Tasks(ctx, store.TaskFilter{Status: in.Status, OwnerID: in.OwnerID, CustomerID: cid, Limit: limit, ByID: paged, AfterID: after})
	if err != nil {
		return nil, a.apiError(ctx, "list-tasks", err)
	}
	out := &tasksOutput{}
	if paged && len(tasks) > in.Limit {
		tasks = tasks[:in.Limit]
		out.Body.NextCursor = cursorOf(tasks[len(tasks)-1].ID)
	}
	out.Body.Tasks = []taskOut{}
	for _, t := range tasks {
		out.Body.Tasks = append(out.Body.Tasks, taskOut{ID: t.ID, CustomerID: t.CustomerRef, OwnerID: t.OwnerID, Title: t.Title, Detail: t.Detail,
			DueAt: t.DueAt, Status: t.Status, Source: t.Source, AlertID: t.AlertID, EnrollmentID: t.EnrollmentID})
	}
	return out, nil
}

type idInput struct {
	ID int64 `path:"id"`
}

func (a *API) completeTask(ctx context.Context, in *idInput) (*struct{}, error) {
	if err := a.work().CompleteTask(ctx, actorFrom(ctx), in.ID); err != nil {
		return nil, a.apiError(ctx, "complete-task", err)
	}
	return nil, nil
}

type outcomesOutput struct {
	Body core.Recovery
}

func (a *API) outcomes(ctx context.Context, _ *struct{}) (*outcomesOutput, error) {
	r, err := core.Outcomes(ctx, a.db)
	if err != nil {
		return nil, a.apiError(ctx, "outcomes", err)
	}
	return &outcomesOutput{Body: r}, nil
}

type playbookInput struct {
	Key string `path:"key"`
}

type playbookOutput struct {
	Body json.RawMessage
}

func (a *API) getPlaybook(ctx context.Context, in *playbookInput) (*playbookOutput, error) {
	def, err := a.db.CurrentPlaybook(ctx, in.Key)
	if err != nil {
		return nil, a.apiError(ctx, "get-playbook", err)
	}
	return &playbookOutput{Body: def}, nil
}

type putPlaybookInput struct {
	Key  string         `path:"key"`
	Body map[string]any `doc:"A playbook definition (docs/playbooks.md)."`
}

type putPlaybookOutput struct {
	Body struct {
		Version int  `json:"version"`
		Created bool `json:"created" doc:"false: the definition equals the current version."`
	}
}

func (a *API) putPlaybook(ctx context.Context, in *putPlaybookInput) (*putPlaybookOutput, error) {
	raw, _ := json.Marshal(in.Body)
	p, err := retain.ParsePlaybook(raw)
	if err != nil {
		return nil, a.apiError(ctx, "put-playbook", err) // one detail per field path: body.steps[3].text.bn
	}
	if p.Key != in.Key {
		return nil, huma.Error400BadRequest("the body's key " + p.Key + " is not the path's " + in.Key)
	}
	norm, _ := json.Marshal(p)
	out := &putPlaybookOutput{}
	out.Body.Version, out.Body.Created, err = a.db.SavePlaybook(ctx, p.Key, norm, false)
	if err == nil && out.Body.Created {
		err = a.db.Audit(ctx, actorFrom(ctx), "playbook.save", "playbook:"+p.Key, fmt.Sprint(out.Body.Version))
	}
	if err != nil {
		return nil, a.apiError(ctx, "put-playbook", err)
	}
	return out, nil
}

type enableInput struct {
	Key  string `path:"key"`
	Body struct {
		Enabled bool `json:"enabled"`
	}
}

func (a *API) enablePlaybook(ctx context.Context, in *enableInput) (*struct{}, error) {
	if err := a.work().SetPlaybookEnabled(ctx, actorFrom(ctx), in.Key, in.Body.Enabled); err != nil {
		return nil, a.apiError(ctx, "enable-playbook", err)
	}
	return nil, nil
}

type simulateInput struct {
	Key  string `path:"key"`
	Body struct {
		CustomerID string `json:"customer_id" minLength:"1" doc:"The customer's external id."`
		Reason     string `json:"reason,omitempty" doc:"The alert reason that would enroll them."`
	}
}

type simulateOutput struct {
	Body struct {
		Steps []core.SimulatedAction `json:"steps"`
	}
}

func (a *API) simulatePlaybook(ctx context.Context, in *simulateInput) (*simulateOutput, error) {
	p, err := core.CurrentPlaybook(ctx, a.db, in.Key)
	if err != nil {
		return nil, a.apiError(ctx, "simulate-playbook", err)
	}
	cid, err := a.customerID(ctx, in.Body.CustomerID)
	if err != nil {
		return nil, a.apiError(ctx, "simulate-playbook", err)
	}
	runner := core.NewRunner(a.db, a.live, "api", a.log)
	steps, err := core.Simulate(ctx, runner, p, cid, in.Body.Reason)
	if err != nil {
		return nil, a.apiError(ctx, "simulate-playbook", err)
	}
	out := &simulateOutput{}
	out.Body.Steps = steps
	return out, nil
}
