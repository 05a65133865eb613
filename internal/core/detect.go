package core

import (
	"context"
	"fmt"
	"time"

	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/store"
)

// DetectOptions configure a detection pass.
type DetectOptions struct {
	// Lookback: signals older than this are not alerted on (a first import
	// of years of history should not open thousands of stale alerts).
	Lookback time.Duration // default 14 days
	Batch    int           // signals per transaction, default 500
}

// DetectStats count what a pass did.
type DetectStats struct {
	Signals, Raised, Repeated int
}

// Detect turns new survey answers, order events and tickets into alerts
// (PRODUCT.md §A, §B, §I): each signal is marked as seen in the same
// transaction that raises its alert, so a crash or a second detector never
// raises it twice, and an alert already open for the customer, type and
// reason counts one more occurrence instead of opening another.
func Detect(ctx context.Context, db *store.DB, opts DetectOptions) (DetectStats, error) {
	if opts.Lookback == 0 {
		opts.Lookback = 14 * 24 * time.Hour
	}
	if opts.Batch == 0 {
		opts.Batch = 500
	}
	var st DetectStats
	for {
		sigs, err := db.NewSignals(ctx, db.Now().Add(-opts.Lookback), opts.Batch)
		if err != nil || len(sigs) == 0 {
			return st, err
		}
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			for _, s := range sigs {
				fresh, err := tx.MarkDetected(ctx, s.Source, s.SourceID)
				if err != nil || !fresh {
					return err
				}
				st.Signals++
				a, ok := AlertFor(s)
				if !ok {
					continue
				}
				id, created, err := tx.RaiseAlert(ctx, a)
				if err != nil {
					return err
				}
				if created {
					st.Raised++
				} else {
					st.Repeated++
				}
				if err := tx.LinkDetection(ctx, s.Source, s.SourceID, id); err != nil {
					return err
				}
			}
			_, err := tx.WakeSnoozed(ctx)
			return err
		})
		if err != nil {
			return st, err
		}
	}
}

// AlertFor is the rule book: which signal raises which alert, how severe,
// with which root cause and due when.
func AlertFor(s store.Signal) (store.Alert, bool) {
	a := store.Alert{CustomerID: s.CustomerID, Type: "risk", Source: fmt.Sprintf("%s:%d", s.Source, s.SourceID),
		RevenueAtRisk: s.Revenue, Currency: s.Currency}
	switch s.Source {
	case "survey":
		a.Detail = s.Text
		a.RootCause = classify.Cause("", s.Text)
		switch {
		case s.Kind == "nps" && s.Score <= 6:
			a.Reason, a.Severity = "detractor", "medium"
			if s.Score <= 3 {
				a.Severity = "high"
			}
			a.Title = fmt.Sprintf("%s gave NPS %d", s.Customer, s.Score)
		case s.Kind == "csat" && s.Score <= 2:
			a.Reason, a.Severity, a.Title = "low_csat", "high", fmt.Sprintf("%s rated CSAT %d/5", s.Customer, s.Score)
		case s.Kind == "ces" && s.Score >= 5:
			a.Reason, a.Severity, a.Title = "high_effort", "medium", fmt.Sprintf("%s found it hard (effort %d/7)", s.Customer, s.Score)
			if a.RootCause == "" {
				a.RootCause = classify.Usability
			}
		case s.Kind == "nps" && s.Score >= 9:
			a.Type, a.Reason, a.Severity, a.Title = "opportunity", "promoter", "low", fmt.Sprintf("%s is a promoter (NPS %d)", s.Customer, s.Score)
			a.RevenueAtRisk, a.RootCause = 0, ""
		default:
			return a, false
		}
	case "order_event":
		a.RootCause = classify.Cause(s.Reason, "")
		a.Detail = fmt.Sprintf("order %s: %s", s.Text, s.Reason)
		switch s.Kind {
		case "returned", "refunded":
			a.Reason, a.Severity, a.Title = "return", "medium", fmt.Sprintf("%s %s order %s", s.Customer, s.Kind, s.Text)
		case "chargeback":
			a.Reason, a.Severity, a.Title = "chargeback", "critical", fmt.Sprintf("Chargeback from %s on order %s", s.Customer, s.Text)
		case "refused":
			a.Reason, a.Severity, a.Title, a.RootCause = "refused", "high", fmt.Sprintf("%s refused order %s", s.Customer, s.Text), classify.Delivery
		case "delayed":
			a.Reason, a.Severity, a.Title, a.RootCause = "late_delivery", "medium", fmt.Sprintf("Order %s of %s is late", s.Text, s.Customer), classify.Delivery
		default:
			return a, false
		}
	case "ticket":
		a.Reason, a.Title, a.Detail = "complaint", fmt.Sprintf("%s opened a ticket: %s", s.Customer, s.Text), s.Text
		a.RootCause = classify.Cause(s.Reason, s.Text)
		a.Severity = map[string]string{"urgent": "critical", "high": "high", "low": "low"}[s.Priority]
		if a.Severity == "" {
			a.Severity = "medium"
		}
	default:
		return a, false
	}
	a.DueAt = s.At.Add(map[string]time.Duration{"critical": 4 * time.Hour, "high": 24 * time.Hour, "medium": 72 * time.Hour, "low": 7 * 24 * time.Hour}[a.Severity])
	return a, true
}
