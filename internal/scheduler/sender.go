// Package scheduler runs Retain's durable work: the registry of named,
// leased jobs that serve runs (jobs.go), and the outbox sender, which claims
// due messages and sends them. Claims carry a lease and a fencing token
// (see store.ClaimMessages), so any number of workers and serve processes
// can run at once and a crash loses nothing.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// Retry is the schedule of a failed send: full jitter, delay drawn from
// [0, min(Cap, Base·2ⁿ)) after the n-th attempt, and the message is dead
// only once it has had at least MinAttempts over at least MinSpan
// (docs/reliability.md M9: ≥ 8 attempts over ≥ 24 h).
type Retry struct {
	Base, Cap   time.Duration
	MinAttempts int
	MinSpan     time.Duration
}

// DefaultRetry is docs/reliability.md M9's schedule.
var DefaultRetry = Retry{Base: 5 * time.Second, Cap: 10 * time.Hour, MinAttempts: 8, MinSpan: 24 * time.Hour}

// Sender sends due messages.
type Sender struct {
	DB       *store.DB
	Channels map[string]messaging.Channel
	Policy   messaging.Policy
	Retry    Retry
	Owner    string        // names this worker in claims
	Lease    time.Duration // how long a claim holds (default 60 s)
	Timeout  time.Duration // one gateway call (default 30 s); must be well under Lease
	Batch    int           // messages claimed at once (default 64)
	Workers  int           // concurrent gateway calls (default 8)
	Log      *slog.Logger
	// UnsubscribeURL makes the one-click unsubscribe link of a marketing
	// message (nil: none).
	UnsubscribeURL func(store.Claimed) string
	// Settings, when set, is called at the start of every pass for the
	// channels, policy and unsubscribe links in force, so a settings change
	// applies without a restart.
	Settings func(ctx context.Context) (Settings, error)

	mu    sync.Mutex
	rnd   *rand.Rand
	zones sync.Map // time zone name → *time.Location
}

// Settings are what a sender sends with.
type Settings struct {
	Channels       map[string]messaging.Channel
	Policy         messaging.Policy
	UnsubscribeURL func(store.Claimed) string
	Timeout, Lease time.Duration // 0: keep the sender's
}

// Stats count what a pass did.
type Stats struct {
	Claimed, Sent, Retried, Failed, Dead, Unknown, Deferred, Expired, Suppressed, Capped, Lost int
	Waiting                                                                                    int // channel not set up: the message waits for it
	Released                                                                                   int // waiting messages whose channel is set up now
}

func (s *Stats) add(o Stats) {
	s.Claimed += o.Claimed
	s.Sent += o.Sent
	s.Retried += o.Retried
	s.Failed += o.Failed
	s.Dead += o.Dead
	s.Unknown += o.Unknown
	s.Deferred += o.Deferred
	s.Expired += o.Expired
	s.Suppressed += o.Suppressed
	s.Capped += o.Capped
	s.Lost += o.Lost
	s.Waiting += o.Waiting
	s.Released += o.Released
}

func (s *Sender) defaults() {
	if s.Lease == 0 {
		s.Lease = time.Minute
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	// A claim must outlive a call, with time to check before it.
	s.Lease = max(s.Lease, s.Timeout+5*time.Second)
	if s.Batch == 0 {
		s.Batch = 64
	}
	if s.Workers == 0 {
		s.Workers = 8
	}
	if s.Retry == (Retry{}) {
		s.Retry = DefaultRetry
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Policy.Zone == nil {
		s.Policy.Zone = time.UTC
	}
	if s.Owner == "" {
		s.Owner = fmt.Sprintf("sender-%d", rand.Int64())
	}
	if s.rnd == nil {
		s.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
}

// RunOnce sends until no message is due, and says what it did.
func (s *Sender) RunOnce(ctx context.Context) (Stats, error) {
	s.defaults()
	var total Stats
	if s.Settings != nil {
		cfg, err := s.Settings(ctx)
		if err != nil {
			return total, err
		}
		s.Channels, s.Policy, s.UnsubscribeURL = cfg.Channels, cfg.Policy, cfg.UnsubscribeURL
		if cfg.Timeout > 0 {
			s.Timeout = cfg.Timeout
		}
		if cfg.Lease > 0 {
			s.Lease = cfg.Lease
		}
		s.defaults() // a policy without a zone, a lease shorter than a call
	}
	// Messages that waited for a channel that is set up now go out.
	configured := make(map[string]bool, len(s.Channels))
	for c := range s.Channels {
		configured[c] = true
	}
	released, err := s.DB.ReleaseWaiting(ctx, configured)
	if err != nil {
		return total, err
	}
	total.Released = released
	for {
		claimed, err := s.DB.ClaimMessages(ctx, s.Owner, s.Lease, s.Batch)
		if err != nil {
			return total, err
		}
		if len(claimed) == 0 {
			return total, nil
		}
		total.Claimed += len(claimed)
		stats, err := s.process(ctx, claimed)
		total.add(stats)
		if err != nil {
			return total, err
		}
	}
}

// process sends a batch with s.Workers calls at a time; each message has its
// own status, so one bad recipient neither blocks nor repeats the others.
func (s *Sender) process(ctx context.Context, claimed []store.Claimed) (Stats, error) {
	var mu sync.Mutex
	var total Stats
	var firstErr error
	work := make(chan store.Claimed)
	var wg sync.WaitGroup
	for range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				st, err := s.one(ctx, c)
				mu.Lock()
				total.add(st)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range claimed {
		work <- c
	}
	close(work)
	wg.Wait()
	return total, firstErr
}

// one takes a claimed message through the checks and, if they pass, the
// gateway.
func (s *Sender) one(ctx context.Context, c store.Claimed) (Stats, error) {
	var st Stats
	now := s.DB.Now()
	ch := s.Channels[string(c.Channel)] // settings name channels by their text
	release := func(status retain.MessageStatus, due time.Time, why string, count *int) (Stats, error) {
		held, err := s.DB.ReleaseMessage(ctx, c.ID, c.Fence, status, due, why)
		if err == nil && !held {
			st.Lost++
		} else if err == nil {
			*count++
		}
		return st, err
	}
	switch {
	case c.MaxLateness > 0 && now.After(c.DueAt.Add(c.MaxLateness)):
		return release(retain.MsgExpired, time.Time{}, fmt.Sprintf("not sent by %s, %v after it fell due", now.Format(time.RFC3339), now.Sub(c.DueAt).Round(time.Second)), &st.Expired)
	case ch == nil:
		// Never dropped: it waits for the channel (and still expires if
		// that comes after its maximum lateness).
		held, err := s.DB.WaitForChannel(ctx, c.ID, c.Fence, "waiting: no "+string(c.Channel)+" channel is set up")
		if err == nil && !held {
			st.Lost++
		} else if err == nil {
			st.Waiting++
		}
		return st, err
	case c.Unresolved && !ch.Idempotent() && c.Purpose == retain.PurposeMarketing:
		// The earlier call may have been delivered; a marketing message
		// is never sent twice on a maybe (M3).
		return release(retain.MsgUnknown, time.Time{}, "an earlier attempt's outcome is unknown", &st.Unknown)
	}
	loc, window := s.zone(c)
	if next := window.NextAllowed(now, loc); next.After(now) {
		return release(retain.MsgQueued, next, "quiet hours until "+next.In(loc).Format("2006-01-02 15:04 MST"), &st.Deferred)
	}
	capDay := now.In(loc).Format(time.DateOnly)
	attempt, verdict, err := s.DB.BeginSend(ctx, store.SendCheck{ID: c.ID, Fence: c.Fence, HoldUntil: now.Add(s.Timeout),
		CapPerDay: s.Policy.Caps[string(c.Channel)], CapDay: capDay})
	if err != nil {
		return st, err
	}
	switch verdict {
	case store.SendLost:
		st.Lost++
		return st, nil
	case store.SendSuppressed:
		st.Suppressed++
		return st, nil
	case store.SendCapped:
		st.Capped++
		return st, nil
	}
	out := messaging.Outgoing{ID: c.ID, Key: c.IdempotencyKey, CustomerID: c.CustomerID, Channel: c.Channel, Purpose: c.Purpose,
		Kind: c.Kind, Locale: c.Locale, To: c.Recipient, Subject: c.Subject, Body: c.Body, Menu: c.Menu, Template: c.Template, InReplyTo: c.InReplyTo}
	if c.Purpose == retain.PurposeMarketing && s.UnsubscribeURL != nil {
		out.Unsubscribe = s.UnsubscribeURL(c)
	}
	callCtx, cancel := context.WithTimeout(ctx, s.Timeout)
	providerID, sendErr := ch.Send(callCtx, out)
	cancel()
	res := s.result(c, ch, sendErr, providerID, capDay)
	held, err := s.DB.FinishSend(ctx, c.ID, c.Fence, attempt, res)
	if err != nil {
		return st, err
	}
	if !held {
		st.Lost++
		return st, nil
	}
	switch res.Status {
	case retain.MsgSent:
		st.Sent++
	case retain.MsgQueued:
		st.Retried++
	case retain.MsgFailed:
		st.Failed++
	case retain.MsgDead:
		st.Dead++
		s.Log.Error("message dead after retries", "message", c.ID, "channel", c.Channel, "attempts", c.Attempts+1, "err", res.Detail)
	case retain.MsgUnknown:
		st.Unknown++
	}
	return st, nil
}

// result turns a gateway answer into the message's next state.
func (s *Sender) result(c store.Claimed, ch messaging.Channel, err error, providerID, capDay string) store.SendResult {
	if err == nil {
		return store.SendResult{Status: retain.MsgSent, ProviderID: providerID}
	}
	kind, after := messaging.KindOf(err)
	// Stored and shown in the message log: no gateway secret in it.
	r := store.SendResult{Detail: messaging.Redact(err.Error()), CapDay: capDay}
	if kind == messaging.Ambiguous {
		r.CapDay = "" // it may have gone out
		if !ch.Idempotent() && c.Purpose == retain.PurposeMarketing {
			r.Status = retain.MsgUnknown
			return r
		}
		kind = messaging.Temporary // transactional, or safe to repeat
	}
	if kind == messaging.Permanent {
		r.Status = retain.MsgFailed
		return r
	}
	now := s.DB.Now()
	attempts := c.Attempts + 1
	if attempts >= s.Retry.MinAttempts && now.Sub(c.FirstDueAt) >= s.Retry.MinSpan {
		r.Status = retain.MsgDead
		return r
	}
	r.Status, r.RetryAt = retain.MsgQueued, now.Add(max(s.backoff(attempts), after))
	return r
}

// backoff is the full-jitter delay after the n-th attempt.
func (s *Sender) backoff(n int) time.Duration {
	limit := s.Retry.Cap
	if n < 40 {
		limit = min(s.Retry.Cap, s.Retry.Base<<(n-1))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.rnd.Int64N(int64(limit) + 1))
}

// zone is the customer's time zone and quiet window: the business's zone
// and the strict window when theirs is unknown.
func (s *Sender) zone(c store.Claimed) (*time.Location, messaging.Window) {
	w, ok := s.Policy.Quiet[string(c.Channel)]
	if !ok {
		return s.Policy.Zone, messaging.Window{}
	}
	if c.TimeZone != "" {
		if loc, ok := s.zones.Load(c.TimeZone); ok {
			return loc.(*time.Location), w
		}
		if loc, err := time.LoadLocation(c.TimeZone); err == nil {
			s.zones.Store(c.TimeZone, loc)
			return loc, w
		}
	}
	return s.Policy.Zone, s.Policy.Strict
}
