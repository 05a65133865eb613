package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// The points programme on the ledger. Orders earn through the change log:
// the loyalty consumer sets each order's earning timer at the end of its
// return window, and the timer earns on what was paid and kept then, so a
// return inside the window simply earns less; a refund after it takes back
// what the refunded amount earned. Each lot of points has an expiry timer.
// Redemptions and staff adjustments are actions. Every write is keyed by
// its source (the order, the redemption's key), so a replay writes nothing.

// LoyaltyConsumer names the loyalty consumer's cursor in the change log.
const LoyaltyConsumer = "loyalty"

// LoyaltyProgram is the programme in force: the saved one, else the
// default (switched off).
func LoyaltyProgram(ctx context.Context, db *store.DB) (loyalty.Program, error) {
	v, ok, err := db.Setting(ctx, loyalty.SettingsKey)
	if err != nil || !ok {
		return loyalty.DefaultProgram(), err
	}
	p := loyalty.DefaultProgram()
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return loyalty.DefaultProgram(), fmt.Errorf("loyalty settings: %w", err)
	}
	return p, nil
}

// SaveLoyaltyProgram checks and stores the programme.
func SaveLoyaltyProgram(ctx context.Context, db *store.DB, by retain.Actor, p loyalty.Program) error {
	if err := by.Require(retain.PermLoyaltyManage); err != nil {
		return err
	}
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	if err := p.Check(); err != nil {
		if _, ok := errors.AsType[*retain.Error](err); ok {
			return err // a reward's coupon: its problems name their fields
		}
		field, why, _ := strings.Cut(err.Error(), ": ")
		return retain.FieldError(field, "%s", why)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return db.SaveSetting(ctx, by, loyalty.SettingsKey, string(b))
}

// ConsumeLoyalty runs the loyalty consumer to the end of the change log:
// each new order of the programme's gets its earning timer, each refund of
// an order that has earned takes its points back.
func ConsumeLoyalty(ctx context.Context, db *store.DB) (int, error) {
	if pending, err := db.ChangesPending(ctx, LoyaltyConsumer); err != nil || !pending {
		return 0, err
	}
	p, err := LoyaltyProgram(ctx, db)
	if err != nil {
		return 0, err
	}
	zone, err := BusinessZone(ctx, db)
	if err != nil {
		return 0, err
	}
	return Consume(ctx, db, Consumer{Name: LoyaltyConsumer, Handle: func(ctx context.Context, tx *store.Tx, changes []store.Change) error {
		for _, c := range changes {
			var err error
			switch {
			case c.Kind == store.ChangeOrderPlaced && p.Enabled:
				o, err := tx.LoyaltyOrder(ctx, c.SubjectID)
				if err != nil {
					return err
				}
				if o.Void {
					continue
				}
				if p.ReferralOn() {
					if err := attributeReferral(ctx, tx, p, o); err != nil {
						return err
					}
				}
				if o.Currency != p.Currency {
					continue
				}
				if err := setEarnTimer(ctx, tx, p, o); err != nil {
					return err
				}
			case c.Kind == store.ChangeSurveyAnswered && p.Enabled:
				err = surveyBonus(ctx, tx, p, c)
			case c.Kind == store.ChangeInteractionLogged && c.Detail == "visit" && p.Enabled:
				err = visitBonus(ctx, tx, p, zone, c)
			case c.Kind == store.ChangeOrderEvent && (c.Detail == "returned" || c.Detail == "refunded" || c.Detail == "chargeback" || c.Detail == "refused"):
				err = reverseOrder(ctx, tx, p, c.SubjectID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}})
}

// BackfillLoyalty credits the orders placed since a date, as if the
// programme had been on then (loyalty:manage): each order of the
// programme's currency that has earned nothing gets its earning timer at
// the end of its return window — now, for one whose window has ended — so
// it earns on what it kept, once, like any order; a pending referral whose
// friend's first order is among them is attributed to it. A shop switching
// the programme on gives its regulars their last months' points this way.
func BackfillLoyalty(ctx context.Context, db *store.DB, by retain.Actor, since time.Time) (int, error) {
	if err := by.Require(retain.PermLoyaltyManage); err != nil {
		return 0, err
	}
	p, err := LoyaltyProgram(ctx, db)
	if err != nil {
		return 0, err
	}
	if !p.Enabled {
		return 0, retain.FieldError("enabled", "the programme is off: switch it on first")
	}
	if !since.Before(db.Now()) {
		return 0, retain.FieldError("since", "is not in the past")
	}
	n := 0
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		orders, err := tx.OrdersToEarn(ctx, since, tx.Now(), p.Currency)
		if err != nil {
			return err
		}
		for _, o := range orders {
			if err := setEarnTimer(ctx, tx, p, o); err != nil {
				return err
			}
		}
		n = len(orders)
		if err := backfillReferrals(ctx, tx, p, since); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "loyalty.backfill", "orders", fmt.Sprintf("since=%s orders=%d", since.UTC().Format(time.DateOnly), n))
	})
	return n, err
}

// setEarnTimer sets an order's earning timer at the end of its return
// window (the same key whoever sets it: once per order).
func setEarnTimer(ctx context.Context, tx *store.Tx, p loyalty.Program, o store.OrderMoney) error {
	return tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("loyalty:earn:%d", o.ID), Kind: store.TimerLoyaltyEarn, SubjectID: o.ID,
		CustomerID: o.CustomerID, DueAt: o.PlacedAt.AddDate(0, 0, p.ReturnDays)})
}

// earnOrder is an order's earning timer: the points of what was paid and
// kept (more in a higher tier, more on a campaign's days), a lot of their
// own with its expiry timer, the first-order bonus and its stamps, once. It returns the alerts the loyalty nudge
// follows: reward_available when the points let the customer afford a
// reward they could not before, near_tier when they bring them close to
// the next tier.
func earnOrder(ctx context.Context, tx *store.Tx, p loyalty.Program, zone *time.Location, orderID int64) ([]retain.Alert, error) {
	if !p.Enabled {
		return nil, nil // switched off since: pending orders earn nothing
	}
	o, err := tx.LoyaltyOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if err := stampOrder(ctx, tx, p, o); err != nil {
		return nil, err
	}
	before, err := tx.LockLoyalty(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	tier, err := tierOf(ctx, tx, p, o.CustomerID)
	if err != nil {
		return nil, err
	}
	var lines []loyalty.Line
	if len(p.Rates) > 0 {
		items, err := tx.OrderItems(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			lines = append(lines, loyalty.Line{SKU: it.SKU, Category: it.Category, Total: it.Total})
		}
	}
	points := p.Multiplied(p.EarnedOn(o.Net(), o.Total, o.Currency, lines), tier) // a higher tier earns more
	source := "order"
	if c, ok := p.CampaignOn(o.PlacedAt, zone); ok && points > 0 {
		points, source = c.Boosted(points), "order:campaign:"+c.Key
	}
	created, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: o.CustomerID, Points: points, Op: "order:" + o.ExternalID + ":earn", Reason: source,
		OrderID: o.ID, Basis: o.Net()})
	if err != nil {
		return nil, err
	}
	bonus := int64(0)
	if p.Bonus.FirstOrder > 0 && o.Net() > 0 {
		first, err := tx.OrderSignals(ctx, []int64{o.ID})
		if err != nil {
			return nil, err
		}
		if first[o.ID].First {
			got, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: o.CustomerID, Points: p.Bonus.FirstOrder, Op: "order:" + o.ExternalID + ":first", Reason: "first_order", OrderID: o.ID})
			if err != nil {
				return nil, err
			}
			if got {
				bonus = p.Bonus.FirstOrder
			}
		}
	}
	if !created && bonus == 0 {
		return nil, nil
	}
	if !created {
		points = 0
	}
	points += bonus
	var out []retain.Alert
	near, err := tierUp(ctx, tx, p, o.CustomerID)
	if err != nil {
		return nil, err
	}
	if near != nil {
		out = append(out, *near)
	}
	least := p.Cheapest()
	if least == 0 || before >= least || before+points < least {
		return out, nil
	}
	a := retain.Alert{CustomerID: o.CustomerID, Type: retain.AlertOpportunity, Reason: "reward_available", Severity: retain.SeverityLow,
		Source: "order:" + o.ExternalID + ":reward", SignalAt: tx.Now(), DueAt: tx.Now().Add(72 * time.Hour),
		Title: fmt.Sprintf("%d points: enough for a reward", before+points), Detail: fmt.Sprintf("order %s earned %d points", o.ExternalID, points),
		DetailKey: "alertdetail.reward_available", DetailArgs: map[string]any{"points": before + points}}
	return append(out, a), nil
}

// earn credits points the programme gives (an order's, a bonus, a
// referral's reward; c.Reason says which) as a lot expiring as the
// programme's do, once per op, and tells the change log (points.earned,
// with what earned them) so playbooks can follow; it returns whether it
// was new.
func earn(ctx context.Context, tx *store.Tx, p loyalty.Program, c store.LoyaltyCredit) (bool, error) {
	if c.Points <= 0 {
		return false, nil
	}
	c.Kind, c.ExpiresAt = "earn", p.ExpiresAt(tx.Now())
	entry, created, err := credit(ctx, tx, c)
	if err != nil || !created {
		return created, err
	}
	kind, _, _ := strings.Cut(c.Reason, ":")
	return true, tx.AppendChange(ctx, store.Change{Kind: store.ChangePointsEarned, SubjectID: entry, CustomerID: c.CustomerID, Detail: kind})
}

// expiryReminder is a lot's reminder timer: what is left of it expires in
// a month — the loyalty nudge's points_expiring, unless it is spent.
func expiryReminder(ctx context.Context, tx *store.Tx, t store.Timer) (*retain.Alert, error) {
	left, expires, err := tx.LotLeft(ctx, t.SubjectID)
	if err != nil || left == 0 {
		return nil, err
	}
	a := retain.Alert{CustomerID: t.CustomerID, Type: retain.AlertLifecycle, Reason: "points_expiring", Severity: retain.SeverityLow,
		Source: fmt.Sprintf("lot:%d", t.SubjectID), SignalAt: tx.Now(), DueAt: expires.Add(-7 * 24 * time.Hour),
		Title: fmt.Sprintf("%d points expire on %s", left, expires.UTC().Format(time.DateOnly)), Detail: fmt.Sprintf("lot %d", t.SubjectID),
		DetailKey: "alertdetail.points_expiring", DetailArgs: map[string]any{"points": left, "expires_at": expires.UTC().Format(time.RFC3339)}}
	return &a, nil
}

// reverseOrder takes back what an earned order's refunds earned (the order
// event's order): from the order's own lot first, then the soonest to
// expire; never below zero — points already spent stay spent.
func reverseOrder(ctx context.Context, tx *store.Tx, p loyalty.Program, eventID int64) error {
	orderID, err := tx.OrderOfEvent(ctx, eventID)
	if err != nil {
		return err
	}
	o, err := tx.LoyaltyOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if _, err := tx.LockLoyalty(ctx, o.CustomerID); err != nil {
		return err
	}
	earned, reversed, basis, err := tx.LoyaltyOrderPoints(ctx, orderID)
	if err != nil || earned == 0 {
		return err // not earned yet: the earning, when due, counts the refund
	}
	refunded := o.Refunded
	if o.Void {
		refunded = o.Total
	}
	if basis == 0 { // earned before the basis was kept: as if on the whole total
		basis = o.Total
	}
	n := p.Reversal(earned, reversed, basis, refunded-(o.Total-basis)) // the refunds since it earned
	if n == 0 {
		return nil
	}
	_, err = debit(ctx, tx, debitOf{customer: o.CustomerID, kind: "reverse", op: fmt.Sprintf("order:%s:reverse:%d", o.ExternalID, eventID),
		points: n, order: o.ID, partial: true, reason: "refund"})
	return err
}

// credit locks the account, records the credit (once) and sets its lot's
// expiry timer; it returns its entry and whether it was new.
func credit(ctx context.Context, tx *store.Tx, c store.LoyaltyCredit) (int64, bool, error) {
	if _, err := tx.LockLoyalty(ctx, c.CustomerID); err != nil {
		return 0, false, err
	}
	id, created, err := tx.CreditLoyalty(ctx, c)
	if err != nil || !created || c.ExpiresAt.IsZero() {
		return id, created, err
	}
	if remind := c.ExpiresAt.Add(-loyalty.RemindBefore); remind.After(tx.Now()) { // a month before: the loyalty nudge's points_expiring
		if err := tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("loyalty:remind:%d", id), Kind: store.TimerLoyaltyRemind, SubjectID: id,
			CustomerID: c.CustomerID, DueAt: remind}); err != nil {
			return 0, false, err
		}
	}
	return id, true, tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("loyalty:expire:%d", id), Kind: store.TimerLoyaltyExpire, SubjectID: id,
		CustomerID: c.CustomerID, DueAt: c.ExpiresAt})
}

// debitOf is a debit to make: points from a customer's live lots.
type debitOf struct {
	customer     int64
	kind, op     string
	points       int64
	order, staff int64
	lot          int64 // draw on this lot only (an expiry)
	partial      bool  // take what there is (a reversal, an expiry), else all or nothing
	reason       string
	replayed     *bool // set when the operation was recorded already
}

// debit locks the account and draws the points on the lots — the order's
// own lot first for a reversal, the one lot for an expiry, else the soonest
// to expire — under the lock, so two debits at once cannot both draw on the
// same points. A replayed operation draws nothing and returns what it took.
func debit(ctx context.Context, tx *store.Tx, d debitOf) (int64, error) {
	if _, err := tx.LockLoyalty(ctx, d.customer); err != nil {
		return 0, err
	}
	if moved, done, err := tx.LoyaltyOp(ctx, d.op); err != nil || done {
		if d.replayed != nil {
			*d.replayed = done
		}
		return -moved, err
	}
	own, rest, err := tx.LotsToSpend(ctx, d.customer, store.LotsOf{Lot: d.lot, Order: d.order}, d.points)
	if err != nil {
		return 0, err
	}
	now := tx.Now()
	toLots := func(stored []store.LoyaltyLot) []loyalty.Lot {
		out := make([]loyalty.Lot, len(stored))
		for i, l := range stored {
			out[i] = loyalty.Lot{ID: l.ID, Remaining: l.Remaining, EarnedAt: l.EarnedAt, ExpiresAt: l.ExpiresAt}
			if d.lot != 0 {
				out[i].ExpiresAt = time.Time{} // an expiry takes a lot past its date
			}
		}
		return out
	}
	first, lots := toLots(own), toLots(rest)
	draws, want := map[int64]int64{}, d.points
	for _, pool := range [][]loyalty.Lot{first, lots} { // in the order they are drawn on
		var live int64
		for _, l := range pool {
			if l.Live(now) {
				live += l.Remaining
			}
		}
		take := min(want, live)
		picked, _ := loyalty.Take(pool, take, now) // take ≤ live: it draws all of it
		for _, p := range picked {
			draws[p.Lot] += p.Points
		}
		if want -= take; want == 0 {
			break
		}
	}
	if want > 0 && !d.partial {
		return 0, store.ErrNotEnoughPoints // all or nothing: nothing is written
	}
	return tx.DebitLoyalty(ctx, store.LoyaltyDebit{CustomerID: d.customer, Kind: d.kind, Op: d.op, Draws: draws, OrderID: d.order,
		StaffID: d.staff, Reason: d.reason})
}

// expireLot is a lot's expiry timer: what is left of it expires, once.
func expireLot(ctx context.Context, tx *store.Tx, t store.Timer) error {
	_, err := debit(ctx, tx, debitOf{customer: t.CustomerID, kind: "expire", op: fmt.Sprintf("expire:%d", t.SubjectID), points: 1 << 62,
		lot: t.SubjectID, partial: true, reason: "expired"})
	return err
}

// Points are a customer's points as the API and the CLI show them.
type Points struct {
	Customer string          `json:"customer_id"`
	Balance  int64           `json:"balance" doc:"Points that can be spent now."`
	Lots     []PointsLot     `json:"lots" doc:"What makes up the balance, the soonest to expire first."`
	Earned   int64           `json:"earned" doc:"Ever, bonuses and adjustments up included."`
	Redeemed int64           `json:"redeemed"`
	Expired  int64           `json:"expired"`
	Stamps   []StampCardView `json:"stamps" doc:"The programme's stamp cards and what the customer's hold."`
	Tier     *TierView       `json:"tier,omitempty" doc:"The customer's tier, when the programme has tiers."`
}

// PointsLot is points earned together and what is left of them.
type PointsLot struct {
	Points    int64      `json:"points"`
	EarnedAt  time.Time  `json:"earned_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// CustomerPoints reads a customer's points, by external id, the cards' and
// tiers' names in English (the API's and the CLI's).
func (w Work) CustomerPoints(ctx context.Context, a retain.Actor, ref string) (Points, error) {
	return w.CustomerPointsIn(ctx, a, ref, "en")
}

// CustomerPointsIn is CustomerPoints with the names in a language (a page's).
func (w Work) CustomerPointsIn(ctx context.Context, a retain.Actor, ref, lang string) (Points, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return Points{}, err
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if err != nil {
		return Points{}, err
	}
	acc, err := w.DB.LoyaltyAccount(ctx, c.ID)
	if err != nil {
		return Points{}, err
	}
	out := Points{Customer: ref, Balance: acc.Balance, Earned: acc.Earned, Redeemed: acc.Redeemed, Expired: acc.Expired, Lots: []PointsLot{}}
	lots := make([]loyalty.Lot, len(acc.Lots))
	for i, l := range acc.Lots {
		lots[i] = loyalty.Lot{ID: l.ID, Remaining: l.Remaining, EarnedAt: l.EarnedAt, ExpiresAt: l.ExpiresAt}
	}
	for _, l := range loyalty.SpendOrder(lots) {
		out.Lots = append(out.Lots, PointsLot{Points: l.Remaining, EarnedAt: l.EarnedAt, ExpiresAt: timePtr(l.ExpiresAt)})
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return out, err
	}
	if out.Stamps, err = stampViews(ctx, w.DB, program, c.ID, lang); err != nil {
		return out, err
	}
	out.Tier, err = customerTierView(ctx, w.DB, program, c.ID, lang)
	return out, err
}

// PointsMove is what a redemption or an adjustment did.
type PointsMove struct {
	Points   int64 `json:"points" doc:"Points moved: spent, or given (negative: taken)."`
	Balance  int64 `json:"balance" doc:"The balance after it."`
	Replayed bool  `json:"replayed" doc:"The key was used before: nothing moved again; points is what the first time moved."`
}

// RedeemPoints spends a customer's points (a counter, a till, an e-shop):
// all of them or none, from the lots soonest to expire, once per key.
func (w Work) RedeemPoints(ctx context.Context, a retain.Actor, ref string, points int64, key, reason string) (PointsMove, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return PointsMove{}, err
	}
	return w.movePoints(ctx, a, ref, -points, "redeem", key, reason, time.Time{})
}

// AdjustPoints gives (points > 0) or takes (< 0) a customer's points by
// hand, with the reason and the staff member recorded, once per key. Given
// points expire at expires when set ("500 points until Eid"), else as the
// programme's earned points do.
func (w Work) AdjustPoints(ctx context.Context, a retain.Actor, ref string, points int64, key, reason string, expires time.Time) (PointsMove, error) {
	if err := a.Require(retain.PermLoyaltyManage); err != nil {
		return PointsMove{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return PointsMove{}, retain.FieldError("reason", "is required")
	}
	if !expires.IsZero() && !expires.After(w.DB.Now()) {
		return PointsMove{}, retain.FieldError("expires_at", "is not in the future")
	}
	return w.movePoints(ctx, a, ref, points, "adjust", key, reason, expires)
}

// movePoints is a redemption (kind redeem, points < 0) or an adjustment.
func (w Work) movePoints(ctx context.Context, a retain.Actor, ref string, points int64, kind, key, reason string, expires time.Time) (PointsMove, error) {
	p := retain.Problems{}
	if points == 0 || (kind == "redeem" && points > 0) || points > 10_000_000 || points < -10_000_000 {
		p.Add("points", "must be a positive whole number")
	}
	if key == "" || len(key) > 100 {
		p.Add("key", "is required, up to 100 characters")
	}
	if len(reason) > 500 {
		p.Add("reason", "is longer than %d characters", 500)
	}
	if err := p.Err(); err != nil {
		return PointsMove{}, err
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return PointsMove{}, retain.FieldError("customer_id", "no customer %q", ref)
	}
	if err != nil {
		return PointsMove{}, err
	}
	staff := int64(0)
	if a.Kind == retain.ActorStaff {
		staff = a.ID
	}
	if expires.IsZero() && points > 0 {
		program, err := LoyaltyProgram(ctx, w.DB)
		if err != nil {
			return PointsMove{}, err
		}
		expires = program.ExpiresAt(w.DB.Now())
	}
	var out PointsMove
	op := kind + ":" + key
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		out = PointsMove{}
		if points > 0 {
			_, created, err := credit(ctx, tx, store.LoyaltyCredit{CustomerID: c.ID, Kind: kind, Points: points, Op: op, StaffID: staff, Reason: reason,
				ExpiresAt: expires})
			if err != nil {
				return err
			}
			out.Points, out.Replayed = points, !created
			if !created {
				moved, _, err := tx.LoyaltyOp(ctx, op)
				out.Points = moved
				if err != nil {
					return err
				}
			}
		} else {
			n, err := debit(ctx, tx, debitOf{customer: c.ID, kind: kind, op: op, points: -points, staff: staff, reason: reason,
				replayed: &out.Replayed})
			if err != nil {
				return err
			}
			out.Points = n
			if kind == "adjust" {
				out.Points = -n
			}
		}
		if !out.Replayed { // a retried request moved nothing: nothing to record
			if err := tx.Audit(ctx, a, "loyalty."+kind, "customer:"+ref, fmt.Sprintf("points=%d key=%s", out.Points, key)); err != nil {
				return err
			}
		}
		balance, err := tx.LockLoyalty(ctx, c.ID)
		out.Balance = balance
		return err
	})
	if errors.Is(err, store.ErrNotEnoughPoints) {
		return PointsMove{}, retain.FieldError("points", "is more than the %d points the customer can spend", w.spendable(ctx, c.ID))
	}
	return out, err
}

// spendable is a customer's live balance, for saying why a debit failed.
func (w Work) spendable(ctx context.Context, customerID int64) int64 {
	acc, err := w.DB.LoyaltyAccount(ctx, customerID)
	if err != nil {
		return 0
	}
	var live int64
	now := w.DB.Now()
	for _, l := range acc.Lots {
		if l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt) {
			live += l.Remaining
		}
	}
	return live
}

// VerifyLoyalty checks every invariant of the whole ledger.
func VerifyLoyalty(ctx context.Context, db *store.DB) ([]store.LoyaltyViolation, error) {
	return db.VerifyLoyalty(ctx)
}
