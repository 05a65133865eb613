package core

import (
	"context"
	"errors"

	"github.com/retainhq/retain/internal/store"
)

// Consumer is one reaction to the change log, with a durable cursor of its
// own. A new reaction (earning points on an order, opening an SLA clock on
// a ticket) is a new consumer, never a new branch in a writer.
type Consumer struct {
	Name  string
	Batch int // changes per transaction, default 500
	// Handle applies the effects of changes inside tx. It must only write
	// through tx: its effects commit together with the cursor's advance, or
	// not at all.
	Handle func(ctx context.Context, tx *store.Tx, changes []store.Change) error
}

// errCursorMoved: another process advanced the cursor meanwhile.
var errCursorMoved = errors.New("consumer: the cursor moved under this batch")

// Consume feeds c every change after its cursor, a batch per transaction,
// until it is caught up, and returns how many changes it consumed. Each
// batch's effects and the cursor's advance commit together, so a change has
// its effects exactly once even when the process is killed mid-batch.
func Consume(ctx context.Context, db *store.DB, c Consumer) (int, error) {
	if c.Batch == 0 {
		c.Batch = 500
	}
	total := 0
	if pending, err := db.ChangesPending(ctx, c.Name); err != nil || !pending {
		return 0, err // caught up: no write transaction for nothing
	}
	for {
		n := 0
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			pos, err := tx.Cursor(ctx, c.Name)
			if err != nil {
				return err
			}
			changes, err := tx.Changes(ctx, pos, c.Batch)
			if err != nil || len(changes) == 0 {
				return err
			}
			if err := c.Handle(ctx, tx, changes); err != nil {
				return err
			}
			moved, err := tx.AdvanceCursor(ctx, c.Name, pos, changes[len(changes)-1].ID)
			if err != nil {
				return err
			}
			if !moved {
				return errCursorMoved
			}
			n = len(changes)
			return nil
		})
		if errors.Is(err, errCursorMoved) {
			continue // the batch rolled back; read on from where the other left off
		}
		if err != nil {
			return total, err
		}
		total += n
		if n < c.Batch {
			return total, nil
		}
	}
}
