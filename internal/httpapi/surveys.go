package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
)

// Surveys: their definitions (versioned, like playbooks) and invitations
// sent on request — a shop's till after a visit, a helpdesk after a
// ticket — with the limits, consent and quiet hours of any survey.

type surveyListOutput struct {
	Body struct {
		Surveys []core.SurveySummary `json:"surveys"`
	}
}

func (a *API) listSurveys(ctx context.Context, _ *struct{}) (*surveyListOutput, error) {
	out := &surveyListOutput{}
	var err error
	if out.Body.Surveys, err = core.SurveySummaries(ctx, a.db); err != nil {
		return nil, a.apiError(ctx, "list-surveys", err)
	}
	return out, nil
}

func (a *API) getSurvey(ctx context.Context, in *playbookInput) (*playbookOutput, error) {
	row, err := a.db.SurveyHead(ctx, in.Key)
	if err != nil {
		return nil, a.apiError(ctx, "get-survey", err)
	}
	return &playbookOutput{Body: row.Definition}, nil
}

type putSurveyInput struct {
	Key  string         `path:"key"`
	Body map[string]any `doc:"A survey definition (docs/surveys.md)."`
}

func (a *API) putSurvey(ctx context.Context, in *putSurveyInput) (*putPlaybookOutput, error) {
	raw, _ := json.Marshal(in.Body)
	s, err := retain.ParseSurvey(raw)
	if err != nil {
		return nil, a.apiError(ctx, "put-survey", err) // one detail per field path: body.questions[1].text.bn
	}
	if s.Key != in.Key {
		return nil, huma.Error400BadRequest("the body's key " + s.Key + " is not the path's " + in.Key)
	}
	out := &putPlaybookOutput{}
	out.Body.Version, out.Body.Created, err = core.SaveSurvey(ctx, a.db, actorFrom(ctx), s)
	if err != nil {
		return nil, a.apiError(ctx, "put-survey", err)
	}
	return out, nil
}

type inviteInput struct {
	Key  string `path:"key"`
	Body struct {
		ID         string `json:"id" minLength:"1" maxLength:"200" doc:"Your id for this request: the same id is one invitation."`
		CustomerID string `json:"customer_id" minLength:"1" maxLength:"200" doc:"The customer's external id."`
		Channel    string `json:"channel,omitempty" enum:"whatsapp,sms,email" doc:"Default: the first of WhatsApp, SMS and e-mail that is set up and reaches them."`
		OrderID    string `json:"order_id,omitempty" maxLength:"200" doc:"The order it is about."`
		TicketID   string `json:"ticket_id,omitempty" maxLength:"200" doc:"The ticket it is about (its assignee is whom it rates)."`
		Staff      string `json:"staff,omitempty" maxLength:"200" doc:"External id of the staff member it is about: who served them."`
		Context    string `json:"context,omitempty" enum:"order,ticket,delivery,visit,enrollment" doc:"What it is about; default from the order or ticket given."`
	}
}

type inviteOutput struct {
	Status int
	Body   core.SurveyResult
}

func (a *API) inviteSurvey(ctx context.Context, in *inviteInput) (*inviteOutput, error) {
	b := in.Body
	res, err := core.SendSurvey(ctx, a.db, a.live, actorFrom(ctx), core.SurveyRequest{Key: b.ID, Survey: in.Key, Customer: b.CustomerID,
		Channel: retain.Channel(b.Channel), Order: b.OrderID, Ticket: b.TicketID, Staff: b.Staff, Context: b.Context})
	if err != nil {
		return nil, a.apiError(ctx, "invite-survey", err)
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return &inviteOutput{Status: status, Body: res}, nil
}
