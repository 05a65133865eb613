package httpapi

import (
	"context"
	"time"

	"github.com/retainhq/retain"
)

// ScoresInput names a customer by external id.
type ScoresInput struct {
	ID string `path:"id" maxLength:"200" doc:"The customer's external id."`
}

// ScoresOutput is a customer's scores from the latest scoring run, with the
// factors of the health score (the "why").
type ScoresOutput struct {
	Body struct {
		CustomerID        string          `json:"customer_id"`
		RunID             int64           `json:"run_id"`
		ScoredAt          time.Time       `json:"scored_at"`
		Model             string          `json:"model"`
		ModelVersion      string          `json:"model_version"`
		CalibrationEnd    string          `json:"calibration_end"`
		TimeUnit          string          `json:"time_unit"`
		Frequency         int             `json:"frequency" doc:"Repeat purchase days."`
		Recency           float64         `json:"recency" doc:"First to last purchase, in time_unit."`
		T                 float64         `json:"T" doc:"First purchase to calibration end, in time_unit."`
		MonetaryValue     float64         `json:"monetary_value" doc:"Mean repeat purchase value, major units of currency."`
		Currency          string          `json:"currency"`
		PAlive            float64         `json:"p_alive"`
		ExpectedPurchases float64         `json:"expected_purchases"`
		HorizonDays       int             `json:"horizon_days"`
		ExpectedSpend     float64         `json:"expected_spend"`
		CLV               float64         `json:"clv"`
		NextOrderAt       *string         `json:"next_order_at" doc:"Median expected date of the next order; null when unlikely."`
		PNextOrder        float64         `json:"p_next_order"`
		RFM               [3]int          `json:"rfm" doc:"Recency, frequency and monetary quintile scores, 1–5."`
		Segment           retain.Segment  `json:"segment"`
		Health            float64         `json:"health"`
		Factors           []retain.Factor `json:"factors"`
		Flags             []retain.Flag   `json:"flags"`
	}
}

func (a *API) getScores(ctx context.Context, in *ScoresInput) (*ScoresOutput, error) {
	s, run, err := a.db.LatestScore(ctx, in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "get-scores", err)
	}
	out := &ScoresOutput{}
	b := &out.Body
	b.CustomerID, b.RunID, b.Model, b.ModelVersion, b.TimeUnit = in.ID, run.ID, run.Model, run.ModelVersion, run.TimeUnit
	b.ScoredAt, b.CalibrationEnd, b.HorizonDays = run.StartedAt, run.CalibrationEnd.Format(time.DateOnly), run.HorizonDays
	if run.FinishedAt != nil {
		b.ScoredAt = *run.FinishedAt
	}
	b.Frequency, b.Recency, b.T, b.MonetaryValue, b.Currency = s.Frequency, s.Recency, s.Age, s.Monetary, s.Currency
	b.PAlive, b.ExpectedPurchases, b.ExpectedSpend, b.CLV, b.PNextOrder = s.PAlive, s.ExpectedPurchases, s.ExpectedSpend, s.CLV, s.PNextOrder
	if !s.NextOrderAt.IsZero() {
		d := s.NextOrderAt.Format(time.DateOnly)
		b.NextOrderAt = &d
	}
	b.RFM, b.Segment, b.Health, b.Factors, b.Flags = [3]int{s.R, s.F, s.M}, s.Segment, s.Health, s.Factors, s.Flags
	return out, nil
}
