package httpapi

import (
	"context"

	"github.com/retainhq/retain/internal/core"
)

const eventsDoc = `Up to 500 events in one batch, applied in one transaction: either every new event takes
effect or, when any event is invalid, none does and the response names each bad field
(for example body.events[3].order.total).

Every event carries your own unique **id**. An id already received is acknowledged with status
"duplicate" and has no second effect, so a batch can safely be retried after a timeout.

Types: customer.upsert (customer), order.placed (order), order.paid, order.shipped,
order.out_for_delivery, order.delivered, order.delayed, order.returned, order.refunded,
order.chargeback, order.refused (order_id, reason, amount + currency), ticket.upsert (ticket),
survey.response (survey_response). Amounts are decimal strings in the currency's units ("1250.50").`

// MaxEvents is the largest batch the events API takes.
const MaxEvents = core.MaxEvents

// EventsInput is a batch of events.
type EventsInput struct {
	Body struct {
		Events []Event `json:"events" minItems:"1" maxItems:"500" doc:"The events, at most 500."`
	}
}

// EventsOutput acknowledges a batch.
type EventsOutput struct {
	Body struct {
		Applied    int           `json:"applied" doc:"Events that took effect now."`
		Duplicates int           `json:"duplicates" doc:"Events whose id was already received; no second effect."`
		Results    []EventResult `json:"results"`
	}
}

// EventResult is the fate of one event.
type EventResult struct {
	ID     string `json:"id"`
	Status string `json:"status" enum:"applied,duplicate"`
}

// The event schema lives with the one way in (core); the API shows it.
type (
	Event        = core.Event
	CustomerBody = core.CustomerBody
	ConsentBody  = core.ConsentBody
	OrderBody    = core.OrderBody
	LineBody     = core.LineBody
	TicketBody   = core.TicketBody
	SurveyBody   = core.SurveyBody
)

func (a *API) postEvents(ctx context.Context, in *EventsInput) (*EventsOutput, error) {
	evs := in.Body.Events
	res, err := core.Ingest(ctx, a.db, actorFrom(ctx), core.Input{Events: evs})
	if err != nil {
		a.metrics.events.WithLabelValues("rejected").Add(float64(len(evs)))
		return nil, a.apiError(ctx, "post-events", err)
	}
	out := &EventsOutput{}
	out.Body.Applied, out.Body.Duplicates = res.Applied, res.Duplicates
	for _, e := range evs {
		st := "duplicate"
		if res.Fresh[e.ID] {
			st = "applied"
		}
		out.Body.Results = append(out.Body.Results, EventResult{ID: e.ID, Status: st})
	}
	a.metrics.events.WithLabelValues("applied").Add(float64(out.Body.Applied))
	a.metrics.events.WithLabelValues("duplicate").Add(float64(out.Body.Duplicates))
	return out, nil
}
