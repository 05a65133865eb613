package httpapi

import (
	"context"

	"github.com/retainhq/retain/internal/core"
)

type deliveriesInput struct {
	ID string `path:"id" maxLength:"200" doc:"The customer's external id."`
}

type deliveriesOutput struct {
	Body core.DeliveryView
}

func (a *API) deliveries(ctx context.Context, in *deliveriesInput) (*deliveriesOutput, error) {
	v, err := a.work().Deliveries(ctx, actorFrom(ctx), in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "customer-deliveries", err)
	}
	return &deliveriesOutput{Body: v}, nil
}
