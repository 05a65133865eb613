package core

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// InstallBuiltins stores the shipped playbooks that are not in the database
// yet (an edited playbook is never overwritten), enabled or not, and the
// shipped surveys they send. It returns how many playbooks it added.
func InstallBuiltins(ctx context.Context, db *store.DB, enabled bool) (int, error) {
	if _, err := installSurveys(ctx, db); err != nil {
		return 0, err
	}
	ps, err := Builtins()
	if err != nil {
		return 0, err
	}
	have, err := db.Playbooks(ctx)
	if err != nil {
		return 0, err
	}
	exists := map[string]bool{}
	for _, p := range have {
		exists[p.Key] = true
	}
	n := 0
	for _, p := range ps {
		if exists[p.Key] {
			continue
		}
		b, _ := json.Marshal(p)
		if _, _, err := db.SavePlaybook(ctx, p.Key, b, enabled); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Runner advances playbook enrollments: it claims due ones (lease and
// fencing token, as the sender does) and runs their steps, committing each
// step's effects — outbox messages, tasks — together with the enrollment's
// new position, conditional on the token. A step therefore takes effect
// exactly once, whatever crashes.
type Runner struct {
	DB       *store.DB
	Business string          // the business's name in messages
	Channels map[string]bool // channels set up for sending
	// Language is what customers whose own language is not known are
	// written to in (the business's setting); "" is English.
	Language string
	// PublicURL is where customers open survey links ("" : surveys go
	// by reply only, and not by email).
	PublicURL string
	ReviewURL string // the business's public review page, for {{.ReviewLink}}
	Owner     string
	Lease     time.Duration
	Log       *slog.Logger
	// Live, when set, is read at the start of every pass for Channels and
	// Business, so a settings change applies to the next step that runs.
	Live *LiveSettings

	mu    sync.Mutex
	cache map[string]*retain.Playbook // key@version → parsed definition
}

// RunStats count what a pass did.
type RunStats struct {
	Claimed, Steps, Messages, Tasks, Ended, Lost int
}

// RunDue advances every due enrollment.
func (r *Runner) RunDue(ctx context.Context) (RunStats, error) {
	if r.Lease == 0 {
		r.Lease = time.Minute
	}
	if r.Owner == "" {
		r.Owner = "runner"
	}
	var st RunStats
	if err := r.refresh(ctx); err != nil {
		return st, err
	}
	for {
		claimed, err := r.DB.ClaimEnrollments(ctx, r.Owner, r.Lease, 32)
		if err != nil || len(claimed) == 0 {
			return st, err
		}
		st.Claimed += len(claimed)
		for _, e := range claimed {
			if err := r.advance(ctx, e, &st); err != nil {
				return st, fmt.Errorf("enrollment %d (%s): %w", e.ID, e.PlaybookKey, err)
			}
		}
	}
}

// refresh reads the settings in force, when the runner has a live source.
func (r *Runner) refresh(ctx context.Context) error {
	if r.Live == nil {
		return nil
	}
	m, err := r.Live.Messaging(ctx)
	if err != nil {
		return err
	}
	r.Channels, r.Business, r.Language, r.PublicURL = m.Configured(), m.Settings.BusinessName, m.Settings.Language, m.Settings.PublicURL
	r.ReviewURL = m.Settings.ReviewURL
	return nil
}

func (r *Runner) playbook(ctx context.Context, key string, version int) (*retain.Playbook, error) {
	id := fmt.Sprintf("%s@%d", key, version)
	r.mu.Lock()
	p := r.cache[id]
	r.mu.Unlock()
	if p != nil {
		return p, nil
	}
	b, err := r.DB.PlaybookVersion(ctx, key, version)
	if err != nil {
		return nil, err
	}
	if p, err = retain.ParsePlaybook(b); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[string]*retain.Playbook{}
	}
	r.cache[id] = p
	r.mu.Unlock()
	return p, nil
}

// subject gathers what the interpreter needs about a customer.
func (r *Runner) subject(ctx context.Context, p *retain.Playbook, customerID int64, reason string) (Subject, error) {
	f, err := r.DB.CustomerFacts(ctx, customerID)
	if err != nil {
		return Subject{}, err
	}
	var recs []string
	if p.UsesRecommendations() { // a co-purchase query per step only where a text shows it
		if recs, err = r.DB.Recommendations(ctx, customerID, 3); err != nil {
			return Subject{}, err
		}
	}
	inRecovery := false
	if !p.Recovery {
		if inRecovery, err = r.inRecovery(ctx, customerID); err != nil {
			return Subject{}, err
		}
	}
	locale := LocaleOf(f.Locale)
	if f.Locale == "" && r.Language != "" {
		locale = r.Language
	}
	surveys := map[string]SurveyHead{}
	for _, st := range p.Steps {
		if st.Type == "survey" {
			s, row, err := CurrentSurvey(ctx, r.DB, st.Survey)
			switch {
			case retain.ErrorCode(err) == retain.ENOTFOUND: // deleted since the playbook was saved: the step says so
			case err != nil:
				return Subject{}, err
			default:
				surveys[st.Survey] = SurveyHead{Def: s, Version: row.Version, Enabled: row.Enabled}
			}
		}
	}
	points, err := r.DB.LoyaltyAccount(ctx, customerID)
	if err != nil {
		return Subject{}, err
	}
	program, err := LoyaltyProgram(ctx, r.DB)
	if err != nil {
		return Subject{}, err
	}
	saved, err := r.DB.CouponSavings(ctx, customerID)
	if err != nil {
		return Subject{}, err
	}
	savings := ""
	if n := saved[program.Currency]; n > 0 { // the renewal recap's "your coupons saved you"
		savings = i18n.New(locale, true).Money(n, program.Currency)
	}
	tier := ""
	if tv, err := customerTierView(ctx, r.DB, program, customerID, locale); err != nil {
		return Subject{}, err
	} else if tv != nil {
		tier = tv.Name
	}
	referral := ""
	if program.ReferralOn() && r.PublicURL != "" && p.Uses("ReferralLink") { // a code is made for the customers it is shown to
		code, err := ensureReferralCode(ctx, r.DB, customerID)
		if err != nil {
			return Subject{}, err
		}
		referral = ReferralURL(r.PublicURL, code)
	}
	return Subject{Facts: f, Locale: locale, Recommendations: recs, Reason: reason, Channels: r.Channels,
		Business: r.Business, ReviewURL: r.ReviewURL, Now: r.DB.Now(), InRecovery: inRecovery, Surveys: surveys,
		Points: points.Balance, Tier: tier, Savings: savings, ReferralLink: referral}, nil
}

// orderNews fills the subject's order fields from what started the
// enrollment (an order placed, an order event), when the playbook's texts
// use them.
func (r *Runner) orderNews(ctx context.Context, p *retain.Playbook, cause string, subj *Subject) error {
	if !slices.ContainsFunc([]string{"Order", "OrderTotal", "ExpectedDelivery", "TrackingLink", "RiderPhone"}, p.Uses) {
		return nil
	}
	n, ok, err := r.DB.OrderNewsOf(ctx, cause)
	if err != nil || !ok {
		return err
	}
	l := i18n.New(subj.Locale, true)
	subj.Order, subj.OrderTotal, subj.TrackingLink, subj.RiderPhone = n.ExternalID, l.Money(n.Total, n.Currency), n.TrackingURL, n.Rider
	if !n.ExpectedDeliveryAt.IsZero() {
		if l.Zone, err = BusinessZone(ctx, r.DB); err != nil {
			return err
		}
		subj.ExpectedDelivery = l.Date(n.ExpectedDeliveryAt, nil)
	}
	return nil
}

// inRecovery reports whether a service recovery is open for the customer:
// an active enrollment in a recovery playbook.
func (r *Runner) inRecovery(ctx context.Context, customerID int64) (bool, error) {
	ens, err := r.DB.Enrollments(ctx, customerID)
	if err != nil {
		return false, err
	}
	for _, e := range ens {
		if e.Status != retain.EnrollmentActive {
			continue
		}
		p, err := r.playbook(ctx, e.PlaybookKey, e.PlaybookVersion)
		if err != nil {
			return false, err
		}
		if p.Recovery {
			return true, nil
		}
	}
	return false, nil
}

func (r *Runner) advance(ctx context.Context, e retain.Enrollment, st *RunStats) error {
	p, err := r.playbook(ctx, e.PlaybookKey, e.PlaybookVersion)
	if err != nil {
		return err
	}
	subj, err := r.subject(ctx, p, e.CustomerID, reasonOf(e.TriggerRef))
	if err != nil {
		return err
	}
	if err := r.orderNews(ctx, p, e.TriggerRef, &subj); err != nil {
		return err
	}
	given, err := r.DB.Coupons(ctx, store.CouponFilter{EnrollmentID: e.ID, Limit: 1})
	if err != nil {
		return err
	}
	if len(given) > 0 { // a coupon step before a wait: the messages after it show its code
		subj.CouponCode = loyalty.FormatCode(given[0].Code)
	}
	return r.DB.WithTx(ctx, func(tx *store.Tx) error {
		held, err := tx.HoldsEnrollment(ctx, e.ID, e.Fence)
		if err != nil || !held {
			st.Lost++
			return err
		}
		now := tx.Now()
		end := func(status, outcome, why string) error {
			st.Ended++
			if err := tx.LogEnrollment(ctx, e.ID, e.Step, status, why); err != nil {
				return err
			}
			_, err := tx.AdvanceEnrollment(ctx, e.ID, e.Fence, e.Step, status, time.Time{}, outcome)
			return err
		}
		// Success, and the exit on a new order.
		ordered, err := tx.OrderedSince(ctx, e.CustomerID, e.StartedAt, minTime(now, e.SuccessBy))
		if err != nil {
			return err
		}
		if ordered && (p.ExitOnOrder || e.Step >= len(p.Steps)) {
			return end("done", OutcomeSucceeded, "the customer ordered again")
		}
		if e.Step >= len(p.Steps) { // all steps done: waiting for the success window to close
			if !now.Before(e.SuccessBy) {
				return end("done", OutcomeNotConverted, fmt.Sprintf("no order within %d days", p.SuccessDays))
			}
			_, err := tx.AdvanceEnrollment(ctx, e.ID, e.Fence, e.Step, "active", e.SuccessBy, "")
			return err
		}
		actions, resume := next(p, subj, e.Step)
		nextRun := e.SuccessBy
		for _, a := range actions {
			st.Steps++
			if err := r.apply(ctx, tx, e, p, subj, a, st); err != nil {
				return err
			}
			if a.Type == "wait" {
				nextRun = now.Add(a.Wait)
			}
			if a.Type == "exit" {
				return end("exited", OutcomeExited, a.Note)
			}
		}
		_, err = tx.AdvanceEnrollment(ctx, e.ID, e.Fence, resume, "active", nextRun, "")
		return err
	})
}

// apply commits one action's effect; keys make a repeat impossible even if
// the same step were ever run twice.
func (r *Runner) apply(ctx context.Context, tx *store.Tx, e retain.Enrollment, p *retain.Playbook, subj Subject, a Action, st *RunStats) error {
	key := fmt.Sprintf("enrollment:%d:%d", e.ID, a.Step)
	detail := a.Note
	switch a.Type {
	case "message":
		if a.Channel == "" {
			break
		}
		due := stepDue(e, tx.Now())
		m := retain.Message{IdempotencyKey: key, CustomerID: e.CustomerID, Channel: a.Channel,
			Purpose: a.Purpose, Kind: a.Kind, Recipient: a.To, Body: a.Text, DueAt: due, MaxLateness: a.Lateness, EnrollmentID: e.ID}
		if len(a.WaitingFor) > 0 { // queued all the same: it goes out once a channel is set up, within its lateness
			m.WaitingFor, m.LastError = strings.Join(a.WaitingFor, ","), a.Note
		}
		about, err := tx.OrderAbout(ctx, e.TriggerRef) // news of an order: the latest replaces what is still queued
		if err != nil {
			return err
		}
		m.About = about
		_, created, err := tx.EnqueueMessage(ctx, m)
		if err != nil {
			return err
		}
		if created {
			st.Messages++
		}
		detail = string(a.Channel) + ": " + a.Text
	case "survey":
		if a.Channel == "" {
			break
		}
		note, err := r.invite(ctx, tx, e, subj, a, key)
		if err != nil {
			return err
		}
		if detail = note; note == "" {
			st.Messages++
			detail = string(a.Channel) + ": " + a.Kind
		}
	case "task":
		due := tx.Now().Add(a.Due)
		// A reminder an hour before it is due (half the time, if sooner).
		remind := due.Add(-min(time.Hour, a.Due/2))
		_, created, err := tx.CreateTask(ctx, retain.Task{IdempotencyKey: key, CustomerID: e.CustomerID, Title: a.Text, Titles: a.Titles,
			Detail: p.Name["en"], DueAt: due, RemindAt: remind, Source: "playbook", AlertID: e.AlertID, EnrollmentID: e.ID})
		if err != nil {
			return err
		}
		if created {
			st.Tasks++
		}
		detail = a.Text
	case "set":
		if err := tx.SetCustomerStage(ctx, e.CustomerID, a.Text); err != nil {
			return err
		}
	case "coupon":
		program, err := LoyaltyProgram(ctx, r.DB)
		if err != nil {
			return err
		}
		// The code is the one the messages after the step were written
		// with; the key makes a second run of the step find the first coupon.
		c, _, err := issueCoupon(ctx, tx, program, *a.Coupon, store.Coupon{Code: a.Text, CustomerID: e.CustomerID, Source: "playbook",
			Op: key, EnrollmentID: e.ID})
		if err != nil {
			return err
		}
		detail = loyalty.FormatCode(c.Code) + " " + couponTerms(c)
	case "points":
		program, err := LoyaltyProgram(ctx, r.DB)
		if err != nil {
			return err
		}
		reason := a.Note
		if reason == "" {
			reason = p.Name["en"]
		}
		if _, _, err := credit(ctx, tx, store.LoyaltyCredit{CustomerID: e.CustomerID, Kind: "adjust", Points: a.Points, Op: key, Reason: reason,
			ExpiresAt: program.ExpiresAt(tx.Now())}); err != nil {
			return err
		}
		detail = fmt.Sprintf("%d points: %s", a.Points, reason)
	case "wait":
		detail = a.Wait.String()
	}
	return tx.LogEnrollment(ctx, e.ID, a.Step, a.Type, detail)
}

// stepDue is when a step's message was due: when the step was, not when
// it ran, so that after downtime a message past its maximum lateness
// expires instead of going out late.
func stepDue(e retain.Enrollment, now time.Time) time.Time {
	if e.NextRunAt.IsZero() || e.NextRunAt.After(now) {
		return now
	}
	return e.NextRunAt
}

// Enrollment outcomes.
const (
	OutcomeSucceeded    = "succeeded"     // ordered again within the success window
	OutcomeNotConverted = "not_converted" // the window closed without an order
	OutcomeExited       = "exited"        // an exit step
)

func minTime(a, b time.Time) time.Time {
	if b.IsZero() || a.Before(b) {
		return a
	}
	return b
}

// reasonOf reads the alert reason from a trigger reference "alert:ID:reason".
func reasonOf(ref string) string {
	parts := strings.SplitN(ref, ":", 3)
	if len(parts) == 3 && parts[0] == "alert" {
		return parts[2]
	}
	return ""
}

// Simulate shows what a playbook would do for a customer and when, without
// writing anything: every step from the start, waits added up.
func Simulate(ctx context.Context, r *Runner, p *retain.Playbook, customerID int64, reason string) ([]SimulatedAction, error) {
	if err := r.refresh(ctx); err != nil {
		return nil, err
	}
	subj, err := r.subject(ctx, p, customerID, reason)
	if err != nil {
		return nil, err
	}
	var out []SimulatedAction
	at, step := subj.Now, 0
	for guard := 0; step < len(p.Steps) && guard < 100; guard++ {
		actions, resume := next(p, subj, step)
		for _, a := range actions {
			if a.Type == "end" {
				continue
			}
			out = append(out, SimulatedAction{At: at, Action: a})
			if a.Type == "wait" {
				at = at.Add(a.Wait)
			}
		}
		step = resume
		subj.Now = at
	}
	out = append(out, SimulatedAction{At: subj.Now, Action: Action{Type: "end",
		Note: fmt.Sprintf("success if the customer orders within %d days of enrolling", p.SuccessDays)}})
	return out, nil
}

// SimulatedAction is an action and when it would happen.
type SimulatedAction struct {
	At time.Time
	Action
}

// Recovery is the recovery rate: of the enrollments in recovery playbooks
// that have an outcome, the share whose customer bought again in time.
type Recovery struct {
	Recovered int     `json:"recovered"`
	Ended     int     `json:"ended"` // recovered + not recovered
	Active    int     `json:"active"`
	Rate      float64 `json:"rate"` // NaN-free: 0 when nothing ended
	// Per playbook: enrollments by outcome and conversion.
	Playbooks []PlaybookOutcome `json:"playbooks"`
	// ByCause: the recovery rate by the root cause of the alert that
	// started the recovery (quality, delivery…; "" when none was found).
	ByCause []store.CauseOutcome `json:"by_cause"`
}

// PlaybookOutcome is one playbook's results.
type PlaybookOutcome struct {
	Key        string         `json:"key"`
	Version    int            `json:"version"`
	Enabled    bool           `json:"enabled"`
	Active     int            `json:"active"`
	Outcomes   map[string]int `json:"outcomes"`
	Conversion float64        `json:"conversion"` // succeeded ÷ (succeeded + not converted)
}

// Outcomes computes the recovery rate and every playbook's conversion.
func Outcomes(ctx context.Context, db *store.DB) (Recovery, error) {
	rows, err := db.Playbooks(ctx)
	if err != nil {
		return Recovery{}, err
	}
	var r Recovery
	var recovery []string
	for _, row := range rows {
		p, err := retain.ParsePlaybook(row.Definition)
		if err != nil {
			return r, err
		}
		won, lost := row.Outcomes[OutcomeSucceeded], row.Outcomes[OutcomeNotConverted]
		po := PlaybookOutcome{Key: row.Key, Version: row.Version, Enabled: row.Enabled, Active: row.Active, Outcomes: row.Outcomes}
		if won+lost > 0 {
			po.Conversion = float64(won) / float64(won+lost)
		}
		r.Playbooks = append(r.Playbooks, po)
		if p.Recovery {
			recovery = append(recovery, row.Key)
			r.Recovered += won
			r.Ended += won + lost
			r.Active += row.Active
		}
	}
	if r.Ended > 0 {
		r.Rate = float64(r.Recovered) / float64(r.Ended)
	}
	r.ByCause, err = db.OutcomesByCause(ctx, recovery, OutcomeSucceeded, OutcomeNotConverted)
	return r, err
}

// MessagingSettings reads the stored messaging settings (the defaults when
// none are stored). They were checked when stored; Build reports anything
// that no longer builds (a time zone gone from the system, say).
func MessagingSettings(ctx context.Context, db *store.DB) (messaging.Settings, error) {
	v, ok, err := db.Setting(ctx, messaging.SettingsKey)
	if err != nil || !ok {
		return messaging.Settings{}, err
	}
	s, err := messaging.DecodeSettings([]byte(v))
	if err != nil {
		return s, fmt.Errorf("stored messaging settings: %w", err)
	}
	return s, nil
}

// NewRunner makes a playbook runner that reads the channels that are set
// up and the business's name from live.
func NewRunner(db *store.DB, live *LiveSettings, owner string, log *slog.Logger) *Runner {
	return &Runner{DB: db, Live: live, Log: log, Owner: owner}
}
