package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/classify"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Detection is the first consumer of the change log: survey answers, order
// events, tickets and new orders become alerts and playbook enrollments
// (docs/product.md: Unhappiness and its causes; Service recovery; Purchase rhythm and health), committed with the consumer's cursor, so each
// change is looked at once whatever crashes. Its timers — an order passing
// its expected delivery, a renewal coming near, a snooze ending — fire
// through FireTimers the same way. An alert already open for the customer,
// type and reason counts one more occurrence instead of opening another.

// DetectConsumer names detection's cursor in the change log.
const DetectConsumer = "detect"

// DetectOptions configure detection.
type DetectOptions struct {
	// Lookback: signals older than this are not alerted on (a first import
	// of years of history should not open thousands of stale alerts).
	Lookback time.Duration // default store.StaleAfter, 14 days
	Batch    int           // changes or timers per transaction, default 500
	// TimerKinds: FireTimers fires only timers of these kinds (none: all).
	TimerKinds []string
}

func (o *DetectOptions) defaults() {
	if o.Lookback == 0 {
		o.Lookback = store.StaleAfter
	}
	if o.Batch == 0 {
		o.Batch = 500
	}
}

// DetectStats count what detection did.
type DetectStats struct {
	Signals, Raised, Repeated, Enrolled, Timers int
}

// Detect consumes the change log up to its end, then fires the due timers.
func Detect(ctx context.Context, db *store.DB, opts DetectOptions) (DetectStats, error) {
	var st DetectStats
	if err := ConsumeChanges(ctx, db, opts, &st); err != nil {
		return st, err
	}
	err := FireTimers(ctx, db, opts, &st)
	return st, err
}

// ConsumeChanges runs detection over the changes after its cursor.
func ConsumeChanges(ctx context.Context, db *store.DB, opts DetectOptions, st *DetectStats) error {
	opts.defaults()
	if pending, err := db.ChangesPending(ctx, DetectConsumer); err != nil || !pending {
		return err // caught up: the playbooks need not be read
	}
	triggers, err := loadTriggers(ctx, db)
	if err != nil {
		return err
	}
	_, err = Consume(ctx, db, Consumer{Name: DetectConsumer, Batch: opts.Batch, Handle: func(ctx context.Context, tx *store.Tx, changes []store.Change) error {
		d := detector{triggers: triggers, tx: tx, since: tx.Now().Add(-opts.Lookback)}
		var batch DetectStats
		if err := d.changes(ctx, changes, &batch); err != nil {
			return err
		}
		st.add(batch) // (a batch PostgreSQL retries after a deadlock counts twice here; its effects happen once)
		return nil
	}})
	return err
}

func (s *DetectStats) add(o DetectStats) {
	s.Signals += o.Signals
	s.Raised += o.Raised
	s.Repeated += o.Repeated
	s.Enrolled += o.Enrolled
	s.Timers += o.Timers
}

// detector handles one batch inside its transaction.
type detector struct {
	triggers *triggers
	tx       *store.Tx
	since    time.Time
	desk     *deskRun        // the desk's policy, for its timers
	loyalty  loyalty.Program // the points programme, for its timers
	zone     *time.Location  // the business's, whose days a campaign's dates are
}

func (d *detector) changes(ctx context.Context, changes []store.Change, st *DetectStats) error {
	ids := map[string][]int64{}
	for _, c := range changes {
		if !c.At.Before(d.since) {
			ids[c.Kind] = append(ids[c.Kind], c.SubjectID)
		}
	}
	tx := d.tx
	surveys, err := tx.SurveySignals(ctx, ids[store.ChangeSurveyAnswered])
	if err != nil {
		return err
	}
	events, err := tx.OrderEventSignals(ctx, ids[store.ChangeOrderEvent])
	if err != nil {
		return err
	}
	tickets, err := tx.TicketSignals(ctx, ids[store.ChangeTicketOpened])
	if err != nil {
		return err
	}
	orders, err := tx.OrderSignals(ctx, ids[store.ChangeOrderPlaced])
	if err != nil {
		return err
	}
	for _, c := range changes {
		if c.At.Before(d.since) {
			continue
		}
		var a retain.Alert
		var alert bool
		switch c.Kind {
		case store.ChangeSurveyAnswered:
			s, ok := surveys[c.SubjectID]
			if !ok {
				continue // deleted since
			}
			a, alert = surveyAlert(s)
		case store.ChangeOrderEvent:
			e, ok := events[c.SubjectID]
			if !ok {
				continue
			}
			switch e.Type {
			case "delivered", "delayed", "paid", "shipped", "out_for_delivery": // order_delivered, order_shipped, …
				err = d.triggers.onEvent(ctx, tx, e.CustomerID, "order_"+e.Type, fmt.Sprintf("order_event:%d", e.ID), st)
			}
			if err != nil {
				return err
			}
			a, alert = orderEventAlert(e)
		case store.ChangeTicketOpened:
			t, ok := tickets[c.SubjectID]
			if !ok {
				continue
			}
			if err := d.ticketResolved(ctx, c, st); err != nil {
				return err
			}
			a, alert = ticketAlert(t), true
		case store.ChangeTicketUpdated:
			if err := d.ticketResolved(ctx, c, st); err != nil {
				return err
			}
			continue
		case store.ChangePointsEarned, store.ChangeTierChanged, store.ChangeReferralCompleted:
			event := map[string]string{store.ChangePointsEarned: "points_earned", store.ChangeReferralCompleted: "referral_completed",
				store.ChangeTierChanged: "tier_" + c.Detail}[c.Kind] // tier_up, tier_down
			if err := d.triggers.onEvent(ctx, tx, c.CustomerID, event, fmt.Sprintf("change:%d", c.ID), st); err != nil {
				return err
			}
			continue
		case store.ChangeInteractionLogged:
			if c.Detail == "visit" {
				if err := d.triggers.onEvent(ctx, tx, c.CustomerID, "store_visit", fmt.Sprintf("interaction:%d", c.SubjectID), st); err != nil {
					return err
				}
			}
			continue
		case store.ChangeOrderPlaced:
			o, ok := orders[c.SubjectID]
			if !ok || o.Cancelled {
				continue
			}
			if err := tx.WakeEnrollments(ctx, o.CustomerID, d.triggers.exitOnOrder); err != nil {
				return err
			}
			if err := d.deliveryRisk(ctx, o, st); err != nil {
				return err
			}
			if err := d.triggers.onEvent(ctx, tx, o.CustomerID, "order_placed", fmt.Sprintf("order:%d", o.ID), st); err != nil {
				return err
			}
			if !o.First {
				continue
			}
			if err := d.triggers.onEvent(ctx, tx, o.CustomerID, "first_order", fmt.Sprintf("order:%d", o.ID), st); err != nil {
				return err
			}
			a, alert = firstOrderAlert(o), true
		default:
			continue
		}
		st.Signals++
		if alert {
			if _, err := d.triggers.raise(ctx, tx, a, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// FireTimers fires every due timer, each in the transaction of its effect.
func FireTimers(ctx context.Context, db *store.DB, opts DetectOptions, st *DetectStats) error {
	opts.defaults()
	if due, err := db.TimersDue(ctx); err != nil || !due {
		return err // nothing due: neither the playbooks read nor a write transaction
	}
	triggers, err := loadTriggers(ctx, db)
	if err != nil {
		return err
	}
	desk, err := newDeskRun(ctx, db)
	if err != nil {
		return err
	}
	program, err := LoyaltyProgram(ctx, db)
	if err != nil {
		return err
	}
	zone, err := BusinessZone(ctx, db)
	if err != nil {
		return err
	}
	for {
		var batch DetectStats
		var n int
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			batch = DetectStats{}
			due, err := tx.DueTimers(ctx, opts.Batch, opts.TimerKinds...)
			if err != nil {
				return err
			}
			n = len(due)
			d := detector{triggers: triggers, tx: tx, since: tx.Now().Add(-opts.Lookback), desk: desk, loyalty: program, zone: zone}
			for _, t := range due {
				fresh, err := tx.FireTimer(ctx, t.ID)
				if err != nil {
					return err
				}
				if !fresh {
					continue
				}
				batch.Timers++
				if err := d.timer(ctx, t, &batch); err != nil {
					return fmt.Errorf("timer %s: %w", t.Key, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		st.add(batch)
		if n < opts.Batch {
			return nil
		}
	}
}

// ticketResolved starts the playbooks that follow a resolved ticket (the
// CSAT after support), whether it was resolved now or imported resolved.
func (d *detector) ticketResolved(ctx context.Context, c store.Change, st *DetectStats) error {
	if c.Detail != "resolved" {
		return nil
	}
	return d.triggers.onEvent(ctx, d.tx, c.CustomerID, "ticket_resolved", fmt.Sprintf("ticket:%d", c.SubjectID), st)
}

func (d *detector) timer(ctx context.Context, t store.Timer, st *DetectStats) error {
	tx := d.tx
	switch t.Kind {
	case store.TimerSurveyRemind:
		return remindSurvey(ctx, tx, t.SubjectID)
	case store.TimerPending:
		return d.desk.pendingTimer(ctx, tx, t)
	case store.TimerLoyaltyEarn, store.TimerLoyaltyRemind:
		var alerts []retain.Alert
		var err error
		if t.Kind == store.TimerLoyaltyEarn {
			alerts, err = earnOrder(ctx, tx, d.loyalty, d.zone, t.SubjectID)
		} else {
			var a *retain.Alert
			if a, err = expiryReminder(ctx, tx, t); a != nil {
				alerts = []retain.Alert{*a}
			}
		}
		if err != nil {
			return err
		}
		for _, a := range alerts {
			st.Signals++
			if _, err := d.triggers.raise(ctx, tx, a, st); err != nil {
				return err
			}
		}
		return nil
	case store.TimerLoyaltyExpire:
		return expireLot(ctx, tx, t)
	case store.TimerCouponHold:
		return releaseHold(ctx, tx, t)
	case store.TimerLoyaltyTier:
		return reviewTier(ctx, tx, d.loyalty, t)
	case store.TimerReferral:
		return completeReferral(ctx, tx, d.loyalty, t)
	case store.TimerSLA:
		a, ticket, ok, err := slaTimer(ctx, tx, t)
		if err != nil || !ok {
			return err
		}
		st.Signals++
		id, err := d.triggers.raise(ctx, tx, a, st)
		if err != nil {
			return err
		}
		return d.desk.escalate(ctx, tx, ticket, a, id, t.Key)
	case store.TimerAlertSnooze:
		_, err := tx.WakeSnoozedAlert(ctx, t.SubjectID)
		return err
	case store.TimerOrderLate:
		o, ok, err := tx.LateOrderSignal(ctx, t.SubjectID)
		if err != nil || !ok || o.Delivered || o.ExpectedAt.Before(d.since) || o.ExpectedAt.After(tx.Now()) {
			return err // delivered meanwhile, or an expected delivery moved (its timer moved with it)
		}
		st.Signals++
		if err := d.triggers.onEvent(ctx, tx, o.CustomerID, "order_delayed", fmt.Sprintf("late:%d", o.ID), st); err != nil {
			return err
		}
		_, err = d.triggers.raise(ctx, tx, lateAlert(o), st)
		return err
	case store.TimerRenewal:
		r, ok, err := tx.RenewalSignal(ctx, t.SubjectID)
		if err != nil || !ok || !r.Active || !sameDay(r.RenewsAt, t.DueAt.AddDate(0, 0, t.Days)) {
			return err // ended, or the renewal date moved (the new date has timers of its own)
		}
		if w := renewalWindow(r.RenewsAt.Sub(tx.Now())); w != t.Days {
			return nil // a nearer window's timer is due too, and speaks for this renewal
		}
		st.Signals++
		ref := fmt.Sprintf("renewal:%d:%s:%d", r.ID, r.RenewsAt.Format(time.DateOnly), t.Days)
		if t.Days > 30 { // early notice: for playbooks, not yet an alert
			return d.triggers.onEvent(ctx, tx, r.CustomerID, "renewal_ahead", ref, st)
		}
		_, err = d.triggers.raise(ctx, tx, renewalAlert(r, t.Days), st)
		return err
	}
	return nil
}

// renewalWindow is the nearest of store.RenewalWindows that a renewal left
// ahead is within; 0 when it is past.
func renewalWindow(left time.Duration) int {
	w := 0
	for _, d := range store.RenewalWindows {
		if left > 0 && left <= time.Duration(d)*24*time.Hour && (w == 0 || d < w) {
			w = d
		}
	}
	return w
}

func sameDay(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
}

// The rule book: which signal raises which alert, how severe, with which
// root cause and due when.

func surveyAlert(s store.SurveySignal) (retain.Alert, bool) {
	a := riskAlert(s.Party, fmt.Sprintf("survey:%d", s.ID))
	a.Detail = s.Comment
	a.DetailKey, a.DetailArgs = "alertdetail.survey", map[string]any{"survey": strings.ToUpper(s.Kind), "score": float64(s.Score), "comment": s.Comment}
	a.RootCause, a.CauseEvidence = explain("", s.Comment)
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
		a.RevenueAtRisk, a.RootCause, a.CauseEvidence = 0, "", nil
	default:
		return a, false
	}
	return due(a, s.At), true
}

// explain is the root cause of a reason code or a customer's text, with
// the words of the text that named it.
func explain(reasonCode, text string) (string, []string) {
	r := classify.Explain(reasonCode, text)
	if r.Cause == "" {
		return "", nil
	}
	return r.Cause, r.Evidence
}

func orderEventAlert(e store.OrderEventSignal) (retain.Alert, bool) {
	a := riskAlert(e.Party, fmt.Sprintf("order_event:%d", e.ID))
	a.RootCause, a.CauseEvidence = explain(e.Reason, "")
	a.Detail = fmt.Sprintf("order %s: %s", e.Order, e.Reason)
	a.DetailKey, a.DetailArgs = "alertdetail.order_event", map[string]any{"order": e.Order, "reason": e.Reason}
	switch e.Type {
	case "returned", "refunded":
		a.Reason, a.Severity, a.Title = "return", "medium", fmt.Sprintf("%s %s order %s", e.Customer, e.Type, e.Order)
	case "chargeback":
		a.Reason, a.Severity, a.Title = "chargeback", "critical", fmt.Sprintf("Chargeback from %s on order %s", e.Customer, e.Order)
	case "refused":
		a.Reason, a.Severity, a.Title, a.RootCause, a.CauseEvidence = "refused", "high", fmt.Sprintf("%s refused order %s", e.Customer, e.Order), classify.Delivery, nil
	case "delayed":
		a.Reason, a.Severity, a.Title, a.RootCause, a.CauseEvidence = "late_delivery", "medium", fmt.Sprintf("Order %s of %s is late", e.Order, e.Customer), classify.Delivery, nil
	default:
		return a, false
	}
	return due(a, e.At), true
}

func ticketAlert(t store.TicketSignal) retain.Alert {
	a := riskAlert(t.Party, fmt.Sprintf("ticket:%d", t.ID))
	a.Reason, a.Title, a.Detail = "complaint", fmt.Sprintf("%s opened a ticket: %s", t.Customer, t.Subject), t.Subject
	a.RootCause, a.CauseEvidence = explain(t.RootCause, t.Subject)
	a.Severity = map[string]retain.Severity{"urgent": retain.SeverityCritical, "high": retain.SeverityHigh, "low": retain.SeverityLow}[t.Priority]
	if a.Severity == "" {
		a.Severity = retain.SeverityMedium
	}
	return due(a, t.At)
}

func firstOrderAlert(o store.OrderSignal) retain.Alert {
	a := riskAlert(o.Party, fmt.Sprintf("order:%d", o.ID))
	a.Type, a.Reason, a.Severity, a.RevenueAtRisk = "lifecycle", "new_customer", "low", 0
	a.Title, a.Detail = fmt.Sprintf("%s placed their first order", o.Customer), "order "+o.Order
	a.DetailKey, a.DetailArgs = "alertdetail.first_order", map[string]any{"order": o.Order}
	return due(a, o.At)
}

func lateAlert(o store.LateOrderSignal) retain.Alert {
	a := riskAlert(o.Party, fmt.Sprintf("late:%d", o.ID))
	a.Reason, a.Severity, a.RootCause = "late_delivery", "high", classify.Delivery
	a.Title = fmt.Sprintf("Order %s of %s is past its expected delivery", o.Order, o.Customer)
	a.Detail = "expected by " + o.ExpectedAt.Format("2006-01-02 15:04") + "; no delivery recorded"
	a.DetailKey, a.DetailArgs = "alertdetail.late", map[string]any{"order": o.Order, "expected_at": o.ExpectedAt.UTC().Format(time.RFC3339)}
	return due(a, o.ExpectedAt)
}

func renewalAlert(r store.RenewalSignal, days int) retain.Alert {
	a := riskAlert(r.Party, fmt.Sprintf("renewal:%d:%s", r.ID, r.RenewsAt.Format(time.DateOnly)))
	a.Type, a.Reason, a.Severity = "lifecycle", "renewal_due", "medium"
	if days <= 7 {
		a.Severity = "high"
	}
	a.Title = fmt.Sprintf("%s's %s renews on %s", r.Customer, r.Plan, r.RenewsAt.Format("2006-01-02"))
	a.Detail = "subscription " + r.External
	a.DetailKey, a.DetailArgs = "alertdetail.renewal", map[string]any{"plan": r.Plan, "renews_at": r.RenewsAt.UTC().Format(time.RFC3339)}
	a.DueAt = r.RenewsAt.Add(-7 * 24 * time.Hour) // a week before the renewal
	return a
}

func riskAlert(p store.Party, source string) retain.Alert {
	return retain.Alert{CustomerID: p.CustomerID, Type: "risk", Source: source, RevenueAtRisk: p.Revenue, Currency: p.Currency}
}

// due sets an alert's due time from its severity.
func due(a retain.Alert, at time.Time) retain.Alert {
	a.SignalAt = at
	a.DueAt = at.Add(map[retain.Severity]time.Duration{retain.SeverityCritical: 4 * time.Hour, retain.SeverityHigh: 24 * time.Hour,
		retain.SeverityMedium: 72 * time.Hour, retain.SeverityLow: 7 * 24 * time.Hour}[a.Severity])
	return a
}

// triggers are the enabled playbooks by what starts them.
type triggers struct {
	db          *store.DB
	byAlert     map[string][]*retain.Playbook
	byEvent     map[string][]*retain.Playbook
	byScore     []*retain.Playbook
	exitOnOrder []string
}

func loadTriggers(ctx context.Context, db *store.DB) (*triggers, error) {
	rows, err := db.Playbooks(ctx)
	if err != nil {
		return nil, err
	}
	t := &triggers{db: db, byAlert: map[string][]*retain.Playbook{}, byEvent: map[string][]*retain.Playbook{}}
	for _, r := range rows {
		if !r.Enabled {
			continue
		}
		p, err := retain.ParsePlaybook(r.Definition)
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
func (t *triggers) raise(ctx context.Context, tx *store.Tx, a retain.Alert, st *DetectStats) (int64, error) {
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
func (t *triggers) onAlert(ctx context.Context, tx *store.Tx, a retain.Alert, alertID int64, st *DetectStats) error {
	for _, p := range t.byAlert[a.Reason] {
		ok, err := t.admits(ctx, p, a.CustomerID)
		if err != nil {
			return err
		}
		if !ok {
			continue
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

// onEvent enrolls the customer in the playbooks that event starts; ref
// names the cause, for the enrollment's trigger.
func (t *triggers) onEvent(ctx context.Context, tx *store.Tx, customerID int64, event, ref string, st *DetectStats) error {
	for _, p := range t.byEvent[event] {
		ok, err := t.admits(ctx, p, customerID)
		if err != nil {
			return err
		}
		if !ok {
			continue // this playbook's entry rules keep them out; the next may not
		}
		_, created, err := tx.Enroll(ctx, p.Key, customerID, p.OncePerDays, ref+":"+event, 0, p.SuccessDays)
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
func (t *triggers) onScore(ctx context.Context, tx *store.Tx, s retain.Score, run int64, st *DetectStats) error {
	f := store.Facts{ID: s.CustomerID, Scored: true, Health: s.Health, PAlive: s.PAlive, CLV: s.CLV, Segment: string(s.Segment), Orders: s.Frequency + 1}
	now := t.db.Now()
	for _, p := range t.byScore {
		if !holds(p.Trigger.Score, f, now) {
			continue
		}
		ok, err := t.admits(ctx, p, s.CustomerID)
		if err != nil {
			return err
		}
		if !ok {
			continue
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
func (t *triggers) admits(ctx context.Context, p *retain.Playbook, customerID int64) (bool, error) {
	if len(p.Entry) == 0 {
		return true, nil
	}
	f, err := t.db.CustomerFacts(ctx, customerID)
	if err != nil {
		return false, err
	}
	now := t.db.Now()
	for i := range p.Entry {
		if !holds(&p.Entry[i], f, now) {
			return false, nil
		}
	}
	return true, nil
}
