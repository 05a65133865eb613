package httpapi

import (
	"context"
	"time"

	"github.com/retainhq/retain/internal/core"
)

// A customer's points, and the till's or e-shop's redemptions and the
// staff's adjustments: each with a key, so a request retried after a lost
// answer moves nothing twice.

type pointsInput struct {
	ID string `path:"id" maxLength:"200" doc:"The customer's external id."`
}

type pointsOutput struct {
	Body core.Points
}

func (a *API) getPoints(ctx context.Context, in *pointsInput) (*pointsOutput, error) {
	p, err := a.work().CustomerPoints(ctx, actorFrom(ctx), in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "get-points", err)
	}
	return &pointsOutput{Body: p}, nil
}

type redeemInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Points int64  `json:"points" minimum:"1" maximum:"10000000" doc:"Points to spend: all of them or none."`
		Key    string `json:"key" minLength:"1" maxLength:"100" doc:"Your key for the redemption (the till's receipt number): the same key again spends nothing more and answers what the first did."`
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

type moveOutput struct {
	Body core.PointsMove
}

func (a *API) redeemPoints(ctx context.Context, in *redeemInput) (*moveOutput, error) {
	m, err := a.work().RedeemPoints(ctx, actorFrom(ctx), in.ID, in.Body.Points, in.Body.Key, in.Body.Reason)
	if err != nil {
		return nil, a.apiError(ctx, "redeem-points", err)
	}
	return &moveOutput{Body: m}, nil
}

type adjustInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The customer's external id."`
	Body struct {
		Points    int64      `json:"points" minimum:"-10000000" maximum:"10000000" doc:"Points to give (positive) or take (negative)."`
		Key       string     `json:"key" minLength:"1" maxLength:"100"`
		Reason    string     `json:"reason" minLength:"1" maxLength:"500" doc:"Why: kept with the entry and the staff member."`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Given points expire then; default as earned points do."`
	}
}

func (a *API) adjustPoints(ctx context.Context, in *adjustInput) (*moveOutput, error) {
	var until time.Time
	if in.Body.ExpiresAt != nil {
		until = in.Body.ExpiresAt.UTC()
	}
	m, err := a.work().AdjustPoints(ctx, actorFrom(ctx), in.ID, in.Body.Points, in.Body.Key, in.Body.Reason, until)
	if err != nil {
		return nil, a.apiError(ctx, "adjust-points", err)
	}
	return &moveOutput{Body: m}, nil
}
