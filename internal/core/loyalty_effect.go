package core

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// The programme's effect (loyalty.MeasureEffect): members against
// non-members with the same purchase history when they joined. Measured
// with the dashboard, stored, and read by its page.

// EffectWindowDays is the window after joining the effect looks at.
const EffectWindowDays = 90

// EffectMinMembers is how many members must be compared for the effect to
// be shown: fewer say more about chance than about the programme.
const EffectMinMembers = 30

// effectSample is about how many customers the effect is measured on.
const effectSample = 40_000

const effectKey = "loyalty.effect"

// ProgramEffect measures the programme's effect now, in its currency.
func ProgramEffect(ctx context.Context, db *store.DB) (loyalty.Effect, error) {
	p, err := LoyaltyProgram(ctx, db)
	if err != nil {
		return loyalty.Effect{}, err
	}
	hs, err := db.PurchaseHistories(ctx, p.Currency, effectSample)
	if err != nil {
		return loyalty.Effect{}, err
	}
	buyers := make([]loyalty.Buyer, len(hs))
	for i, h := range hs {
		b := loyalty.Buyer{Joined: h.Joined, Orders: make([]loyalty.Purchase, len(h.At))}
		for j := range h.At {
			b.Orders[j] = loyalty.Purchase{At: h.At[j], Amount: h.Amounts[j]}
		}
		buyers[i] = b
	}
	return loyalty.MeasureEffect(buyers, db.Now(), EffectWindowDays), nil
}

// RefreshDashboard recomputes the dashboard's figures and the programme's
// effect (the dashboard job).
func RefreshDashboard(ctx context.Context, db *store.DB) error {
	if err := db.RefreshDashboard(ctx); err != nil {
		return err
	}
	e, err := ProgramEffect(ctx, db)
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return db.SetSetting(ctx, effectKey, string(b))
}

// StoredEffect is the effect the dashboard job measured last; false when
// it has not yet.
func StoredEffect(ctx context.Context, db *store.DB) (loyalty.Effect, bool, error) {
	v, ok, err := db.Setting(ctx, effectKey)
	if err != nil || !ok {
		return loyalty.Effect{}, false, err
	}
	var e loyalty.Effect
	if err := json.Unmarshal([]byte(v), &e); err != nil {
		return e, false, fmt.Errorf("loyalty effect: %w", err)
	}
	return e, true, nil
}
