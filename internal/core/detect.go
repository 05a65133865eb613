package core

import (
	"context"
	"fmt"
	"strings"
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
	Signals, Raised, Repeated, Enrolled int
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
	triggers, err := loadTriggers(ctx, db)
	if err != nil {
		return st, err
	}
	for pass := 0; ; pass++ {
		sigs, err := db.NewSignals(ctx, db.Now().Add(-opts.Lookback), opts.Batch)
		if err != nil {
			return st, err
		}
		if pass == 0 {
			more, err := db.LifecycleSignals(ctx, db.Now().Add(-opts.Lookback), db.Now(), 30*24*time.Hour, opts.Batch)
			if err != nil {
				return st, err
			}
			sigs = append(sigs, more...)
		}
		if len(sigs) == 0 {
			return st, nil
		}
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			for _, s := range sigs {
				fresh, err := tx.MarkDetected(ctx, s.Source, s.SourceID)
				if err != nil || !fresh {
					return err
				}
				st.Signals++
				if err := triggers.onEvent(ctx, tx, s, &st); err != nil {
					return err
				}
				a, ok := AlertFor(s)
				if !ok {
					continue
				}
				id, err := triggers.raise(ctx, tx, a, &st)
				if err != nil {
					return err
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
		if s.Kind == "delivered" {
			return a, false
		}
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
	case "order":
		if s.Kind != "first_order" {
			return a, false
		}
		a.Type, a.Reason, a.Severity, a.RevenueAtRisk = "lifecycle", "new_customer", "low", 0
		a.Title, a.Detail = fmt.Sprintf("%s placed their first order", s.Customer), "order "+s.Text
	case "late":
		a.Reason, a.Severity, a.RootCause = "late_delivery", "high", classify.Delivery
		a.Title = fmt.Sprintf("Order %s of %s is past its expected delivery", s.Text, s.Customer)
		a.Detail = "expected by " + s.At.Format("2006-01-02 15:04") + "; no delivery recorded"
	case "ticket":
		a.Reason, a.Title, a.Detail = "complaint", fmt.Sprintf("%s opened a ticket: %s", s.Customer, s.Text), s.Text
		a.RootCause = classify.Cause(s.Reason, s.Text)
		a.Severity = map[string]string{"urgent": "critical", "high": "high", "low": "low"}[s.Priority]
		if a.Severity == "" {
			a.Severity = "medium"
		}
	default:
		if !strings.HasPrefix(s.Source, "renewal:") {
			return a, false
		}
		a.Type, a.Reason, a.Severity = "lifecycle", "renewal_due", "medium"
		a.Title = fmt.Sprintf("%s's %s renews on %s", s.Customer, s.Reason, s.At.Format("2006-01-02"))
		a.Detail = "subscription " + s.Text
		a.DueAt = s.At.Add(-7 * 24 * time.Hour) // a week before the renewal
		return a, true
	}
	a.DueAt = s.At.Add(map[string]time.Duration{"critical": 4 * time.Hour, "high": 24 * time.Hour, "medium": 72 * time.Hour, "low": 7 * 24 * time.Hour}[a.Severity])
	return a, true
}

// triggers are the enabled playbooks by what starts them.
type triggers struct {
	db          *store.DB
	byAlert     map[string][]*Playbook
	byEvent     map[string][]*Playbook
	byScore     []*Playbook
	exitOnOrder []string
}

func loadTriggers(ctx context.Context, db *store.DB) (*triggers, error) {
	rows, err := db.Playbooks(ctx)
	if err != nil {
		return nil, err
	}
	t := &triggers{db: db, byAlert: map[string][]*Playbook{}, byEvent: map[string][]*Playbook{}}
	for _, r := range rows {
		if !r.Enabled {
			continue
		}
		p, err := ParsePlaybook(r.Definition)
		if err != nil {
			return nil, err
		}
		for _, reason := range p.Trigger.Alerts {
			t.byAlert[reason] = append(t.byAlert[reason], p)
		}
		if p.Trigger.Event != "" {
			t.byEvent[p.Trigger.Event] = append(t.byEvent[p.Trigger.Event], p)
		}
		if p.Trigger.Score != nil {
			t.byScore = append(t.byScore, p)
		}
		if p.ExitOnOrder {
			t.exitOnOrder = append(t.exitOnOrder, p.Key)
		}
	}
	return t, nil
}

// raise opens the alert (or counts a repeat) and enrolls the customer in
// the playbooks it starts, in the caller's transaction.
func (t *triggers) raise(ctx context.Context, tx *store.Tx, a store.Alert, st *DetectStats) (int64, error) {
	id, created, err := tx.RaiseAlert(ctx, a)
	if err != nil {
		return 0, err
	}
	if created {
		st.Raised++
	} else {
		st.Repeated++
	}
	return id, t.onAlert(ctx, tx, a, id, st)
}

// onAlert enrolls the customer in the playbooks the alert's reason starts,
// in the alert's transaction.
func (t *triggers) onAlert(ctx context.Context, tx *store.Tx, a store.Alert, alertID int64, st *DetectStats) error {
	for _, p := range t.byAlert[a.Reason] {
		if ok, err := t.admits(ctx, p, a.CustomerID); err != nil || !ok {
			return err
		}
		_, created, err := tx.Enroll(ctx, p.Key, a.CustomerID, p.OncePerDays, fmt.Sprintf("alert:%d:%s", alertID, a.Reason), alertID, p.SuccessDays)
		if err != nil {
			return err
		}
		if created {
			st.Enrolled++
		}
	}
	return nil
}

// onEvent enrolls on order events and wakes, on a new order, the
// enrollments that end with one.
func (t *triggers) onEvent(ctx context.Context, tx *store.Tx, s store.Signal, st *DetectStats) error {
	event := ""
	switch {
	case s.Source == "order":
		if err := tx.WakeEnrollments(ctx, s.CustomerID, t.exitOnOrder); err != nil {
			return err
		}
		if s.Kind == "first_order" {
			event = "first_order"
		}
	case s.Source == "order_event" && s.Kind == "delivered":
		event = "order_delivered"
	case s.Source == "order_event" && s.Kind == "delayed", s.Source == "late":
		event = "order_delayed"
	}
	for _, p := range t.byEvent[event] {
		if ok, err := t.admits(ctx, p, s.CustomerID); err != nil || !ok {
			return err
		}
		_, created, err := tx.Enroll(ctx, p.Key, s.CustomerID, p.OncePerDays, fmt.Sprintf("%s:%d:%s", s.Source, s.SourceID, event), 0, p.SuccessDays)
		if err != nil {
			return err
		}
		if created {
			st.Enrolled++
		}
	}
	return nil
}

// onScore enrolls the customer in the playbooks whose score condition their
// new scores meet.
func (t *triggers) onScore(ctx context.Context, tx *store.Tx, s store.CustomerScore, run int64, st *DetectStats) error {
	f := store.Facts{ID: s.CustomerID, Scored: true, Health: s.Health, PAlive: s.PAlive, CLV: s.CLV, Segment: s.Segment, Orders: s.Frequency + 1}
	now := t.db.Now()
	for _, p := range t.byScore {
		if !p.Trigger.Score.holds(f, now) {
			continue
		}
		if ok, err := t.admits(ctx, p, s.CustomerID); err != nil || !ok {
			return err
		}
		_, created, err := tx.Enroll(ctx, p.Key, s.CustomerID, p.OncePerDays, fmt.Sprintf("score:%d", run), 0, p.SuccessDays)
		if err != nil {
			return err
		}
		if created {
			st.Enrolled++
		}
	}
	return nil
}

// admits checks a playbook's entry conditions for a customer.
func (t *triggers) admits(ctx context.Context, p *Playbook, customerID int64) (bool, error) {
	if len(p.Entry) == 0 {
		return true, nil
	}
	f, err := t.db.CustomerFacts(ctx, customerID)
	if err != nil {
		return false, err
	}
	now := t.db.Now()
	for i := range p.Entry {
		if !p.Entry[i].holds(f, now) {
			return false, nil
		}
	}
	return true, nil
}
