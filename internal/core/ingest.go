package core

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Ingest is the one way in: the events API, the importer and the demo (and
// later a stream consumer and the channel webhooks) all write through it.
// It validates, de-duplicates, applies the rows set-based and, in the same
// transaction, appends the change log that consumers react to (see
// store/changes.go) and the timers the rows start (store/timers.go).
//
// Two shapes of input, one path:
//   - Events (the API, streams): each carries its sender's id. A batch is all
//     or nothing: any invalid event, or a row the store refuses, fails the
//     whole batch with every problem named by field (events[3].order.total).
//     An id already received is a duplicate, acknowledged without effect.
//   - Rows (bulk loads): already validated, staged off the write path so a
//     loader can prepare the next batch while this one is written. A row the
//     store refuses (an order line naming an unknown order) is returned as a
//     reject and the rest is applied.
//
// by is who sends the data (an API key, an import, the demo); it must hold
// events:write. Events are recorded with the API key that sent them.
func Ingest(ctx context.Context, db *store.DB, by retain.Actor, in Input) (Result, error) {
	if err := by.Require(retain.PermEventsWrite); err != nil {
		return Result{}, err
	}
	if in.Events != nil {
		return ingestEvents(ctx, db, by, in.Events)
	}
	if in.With == nil {
		rejects, err := db.ApplyStaged(ctx, in.Rows)
		return Result{Rejects: rejects}, err
	}
	var rejects []store.Reject
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if rejects, err = tx.ApplyStaged(ctx, in.Rows); err != nil {
			return err
		}
		return in.With(tx)
	})
	return Result{Rejects: rejects}, err
}

// ingestIn applies rows inside a transaction the caller holds: a
// consumer's or a timer's effect, which must commit with its cursor or
// its firing. Only core's own reactions use it; they act as Retain.
func ingestIn(ctx context.Context, tx *store.Tx, b *store.Batch) error {
	_, err := tx.ApplyStaged(ctx, store.Stage(b))
	return err
}

// Input is one ingest: Events or Rows.
type Input struct {
	Events []Event
	Rows   store.Staged
	// With, for Rows, writes what must commit with them (the audit entry
	// of a staff member's change) in the same transaction.
	With func(tx *store.Tx) error
}

// Rows stages a batch for Ingest.
func Rows(b *store.Batch) Input { return Input{Rows: store.Stage(b)} }

// Result is what an ingest did.
type Result struct {
	Applied, Duplicates int
	Fresh               map[string]bool // event ids that took effect now
	Rejects             []store.Reject  // Rows input: refused rows
}

// MaxEvents is the largest batch of events one ingest takes.
const MaxEvents = 500

// checkEvents turns a batch of events into rows, or returns every problem
// of every event with its field path (events[3].order.total).
func checkEvents(evs []Event, now time.Time) (store.Batch, error) {
	var batch store.Batch
	problems := retain.Problems{}
	seen := map[string]int{}
	for i, e := range evs {
		prefix := fmt.Sprintf("events[%d].", i)
		if j, dup := seen[e.ID]; dup {
			problems.Add(prefix+"id", "repeats events[%d].id in the same batch", j)
			continue
		}
		seen[e.ID] = i
		text := retain.Problems{}
		if textProblems(reflect.ValueOf(e), "", text); len(text) > 0 {
			problems.Merge(prefix, text)
			continue
		}
		problems.Merge(prefix, toBatch(&batch, i, e, now))
	}
	return batch, problems.Err()
}

func ingestEvents(ctx context.Context, db *store.DB, by retain.Actor, evs []Event) (Result, error) {
	if len(evs) > MaxEvents {
		return Result{}, retain.FieldError("events", "at most %d events in one batch, got %d", MaxEvents, len(evs))
	}
	batch, err := checkEvents(evs, db.Now())
	if err != nil {
		return Result{}, err
	}
	raw := make([]store.RawEvent, len(evs))
	for i, e := range evs {
		payload, err := json.Marshal(e)
		if err != nil {
			return Result{}, fmt.Errorf("ingest: event %s: %w", e.ID, err)
		}
		raw[i] = store.RawEvent{EventID: e.ID, Type: e.Type, Payload: payload}
	}
	// Ids are recorded in sorted order so that two concurrent batches that
	// share ids lock them in the same order and never deadlock.
	sort.Slice(raw, func(i, j int) bool { return raw[i].EventID < raw[j].EventID })
	var fresh map[string]bool
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		var keyID int64
		if by.Kind == retain.ActorAPIKey {
			keyID = by.ID
		}
		if fresh, err = tx.RecordEvents(ctx, keyID, raw); err != nil {
			return err
		}
		rejects, err := tx.Apply(ctx, onlyFresh(&batch, evs, fresh))
		if err != nil {
			return err
		}
		if len(rejects) > 0 {
			p := retain.Problems{}
			for _, r := range rejects {
				p.Add(fmt.Sprintf("events[%d]", r.Ref), "%v", r.Why)
			}
			return p.Err()
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{Fresh: fresh}
	for _, e := range evs {
		if fresh[e.ID] {
			res.Applied++
		} else {
			res.Duplicates++
		}
	}
	return res, nil
}

// onlyFresh keeps the rows of events whose ids were new.
func onlyFresh(b *store.Batch, evs []Event, fresh map[string]bool) *store.Batch {
	keep := func(ref int) bool { return fresh[evs[ref].ID] }
	return &store.Batch{
		Staff:           filter(b.Staff, keep),
		Customers:       filter(b.Customers, keep),
		Orders:          filter(b.Orders, keep),
		OrderEvents:     filter(b.OrderEvents, keep),
		Tickets:         filter(b.Tickets, keep),
		SurveyResponses: filter(b.SurveyResponses, keep),
		Subscriptions:   filter(b.Subscriptions, keep),
	}
}

func filter[T any](rows []store.Row[T], keep func(int) bool) []store.Row[T] {
	var out []store.Row[T]
	for _, r := range rows {
		if keep(r.Ref) {
			out = append(out, r)
		}
	}
	return out
}
