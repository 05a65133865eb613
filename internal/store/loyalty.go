package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/retainhq/retain"
)

// The loyalty ledger (migration 0019). Every write here runs in a
// transaction that first locks the customer's account (LockLoyalty): on
// PostgreSQL the row's FOR UPDATE, on SQLite the single writer. Under it a
// debit reads the lots, the core decides what to draw, and the draws are
// written with updates that refuse to take a lot or a balance below zero,
// so two redemptions at once can never spend the same points.

// ErrNotEnoughPoints: a debit asks for more points than are live.
var ErrNotEnoughPoints = retain.Errorf(retain.ECONFLICT, "not enough points")

// LoyaltyLot is an earn entry with what is left of it.
type LoyaltyLot struct {
	ID        int64 // the earn entry's id
	Remaining int64
	EarnedAt  time.Time
	ExpiresAt time.Time // zero: never
	OrderID   int64
}

// LoyaltyCredit is points given: an order's earning, a bonus, a staff
// adjustment up. It is a new lot.
type LoyaltyCredit struct {
	CustomerID int64
	Kind       string // earn or adjust
	Points     int64
	Op         string // the operation's key: the same key is the same credit
	OrderID    int64
	StaffID    int64
	Reason     string
	ExpiresAt  time.Time
	Basis      int64 // an order's earning: the net it was earned on
}

// LoyaltyDebit is points taken, drawn on lots: a redemption, an expiry, a
// return's reversal, a staff adjustment down.
type LoyaltyDebit struct {
	CustomerID int64
	Kind       string // redeem, expire, reverse or adjust
	Op         string
	Draws      map[int64]int64 // lot → points; written in lot order
	OrderID    int64
	StaffID    int64
	Reason     string
}

// LockLoyalty takes the customer's account for the transaction (creating
// it at zero) and returns its balance.
func (tx *Tx) LockLoyalty(ctx context.Context, customerID int64) (int64, error) {
	if _, err := tx.exec(ctx, `INSERT INTO loyalty_accounts (customer_id, balance, updated_at) VALUES ($1, 0, $2)
		ON CONFLICT (customer_id) DO NOTHING`, customerID, tx.now); err != nil {
		return 0, fmt.Errorf("store: loyalty account: %w", err)
	}
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var balance int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT balance FROM loyalty_accounts WHERE customer_id = $1`+lock, customerID).Scan(&balance); err != nil {
		return 0, fmt.Errorf("store: loyalty account: %w", err)
	}
	return balance, nil
}

// LoyaltyOp is how many points an operation moved (signed), and whether
// it was recorded at all.
func (tx *Tx) LoyaltyOp(ctx context.Context, op string) (int64, bool, error) {
	var n int
	var sum int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(points), 0) FROM loyalty_ledger WHERE op = $1`, op).Scan(&n, &sum); err != nil {
		return 0, false, fmt.Errorf("store: loyalty op: %w", err)
	}
	return sum, n > 0, nil
}

// LotsToSpend reads a customer's lots in the order a debit draws on them,
// and only as many as it needs: those of the debit's own (the order's for a
// reversal, the one lot for an expiry; past their expiry too) first, then
// the live ones, soonest to expire first (the order of loyalty.Take), until
// the lots read hold want points. A customer with thousands of lots is
// debited by reading a few of them. The account must be locked.
func (tx *Tx) LotsToSpend(ctx context.Context, customerID int64, own LotsOf, want int64) (first, rest []LoyaltyLot, err error) {
	switch {
	case own.Lot != 0:
		first, err = tx.lots(ctx, `l.customer_id = $1 AND l.remaining > 0 AND l.entry_id = $2 ORDER BY l.entry_id`, 0, customerID, own.Lot)
	case own.Order != 0:
		first, err = tx.lots(ctx, `l.customer_id = $1 AND l.remaining > 0 AND e.order_id = $2 ORDER BY l.entry_id`, 0, customerID, own.Order)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, l := range first {
		if own.Lot != 0 || l.ExpiresAt.IsZero() || tx.now.Before(l.ExpiresAt) {
			want -= l.Remaining
		}
	}
	if want <= 0 || own.Lot != 0 {
		return first, nil, nil
	}
	others := ""
	if own.Order != 0 { // read first above
		others = fmt.Sprintf(" AND (e.order_id IS NULL OR e.order_id <> %d)", own.Order)
	}
	rest, err = tx.lots(ctx, `l.customer_id = $1 AND l.remaining > 0 AND (l.expires_at IS NULL OR l.expires_at > $2)`+others+`
		ORDER BY l.expires_at IS NULL, l.expires_at, l.earned_at, l.entry_id`, want, customerID, tx.now)
	return first, rest, err
}

// LotsOf names the lots a debit draws on first: one lot (an expiry), or an
// order's (a reversal).
type LotsOf struct{ Lot, Order int64 }

// lots reads lots matching where; with enough > 0 it stops once the lots
// read hold that many points.
func (tx *Tx) lots(ctx context.Context, where string, enough int64, args ...any) ([]LoyaltyLot, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT l.entry_id, l.remaining, l.earned_at, l.expires_at, COALESCE(e.order_id, 0)
		FROM loyalty_lots l JOIN loyalty_ledger e ON e.id = l.entry_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty lots: %w", err)
	}
	return scanLots(rows, enough)
}

// scanLots reads lots and closes rows; with enough > 0 it stops once the
// lots read hold that many points.
func scanLots(rows *sql.Rows, enough int64) ([]LoyaltyLot, error) {
	defer rows.Close()
	var out []LoyaltyLot
	var sum int64
	for rows.Next() {
		var l LoyaltyLot
		var earned, expires nullTime
		if err := rows.Scan(&l.ID, &l.Remaining, &earned, &expires, &l.OrderID); err != nil {
			return nil, fmt.Errorf("store: loyalty lots: %w", err)
		}
		l.EarnedAt, l.ExpiresAt = earned.T, expires.T
		out = append(out, l)
		if sum += l.Remaining; enough > 0 && sum >= enough {
			break
		}
	}
	return out, rows.Err()
}

// loyaltyLots reads all of a customer's lots with points left, for a page.
func loyaltyLots(ctx context.Context, db *sql.DB, customerID int64) ([]LoyaltyLot, error) {
	rows, err := db.QueryContext(ctx, `SELECT l.entry_id, l.remaining, l.earned_at, l.expires_at, COALESCE(e.order_id, 0)
		FROM loyalty_lots l JOIN loyalty_ledger e ON e.id = l.entry_id
		WHERE l.customer_id = $1 AND l.remaining > 0 ORDER BY l.entry_id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty lots: %w", err)
	}
	return scanLots(rows, 0)
}

// CreditLoyalty records a credit and its lot, and adds it to the balance;
// false (and nothing written) when its operation is recorded already. The
// account must be locked.
func (tx *Tx) CreditLoyalty(ctx context.Context, c LoyaltyCredit) (int64, bool, error) {
	if c.Points <= 0 {
		return 0, false, fmt.Errorf("store: loyalty credit of %d points", c.Points)
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO loyalty_ledger (customer_id, kind, points, op, lot_id, order_id, staff_id, reason, expires_at, created_at, basis_minor)
		VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10) ON CONFLICT (op, lot_id) DO NOTHING RETURNING id`,
		c.CustomerID, c.Kind, c.Points, c.Op, nullID(c.OrderID), nullID(c.StaffID), c.Reason, timeArg(c.ExpiresAt), tx.now, nullID(c.Basis)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: loyalty credit: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO loyalty_lots (entry_id, customer_id, remaining, earned_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		id, c.CustomerID, c.Points, tx.now, timeArg(c.ExpiresAt)); err != nil {
		return 0, false, fmt.Errorf("store: loyalty lot: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE loyalty_accounts SET balance = balance + $2, updated_at = $3 WHERE customer_id = $1`,
		c.CustomerID, c.Points, tx.now); err != nil {
		return 0, false, fmt.Errorf("store: loyalty balance: %w", err)
	}
	return id, true, nil
}

// DebitLoyalty records a debit's draws, an entry each, taking them from
// their lots and from the balance; a draw a lot cannot cover, or a total
// the balance cannot, is ErrNotEnoughPoints and the caller's transaction
// must roll back. The account must be locked.
func (tx *Tx) DebitLoyalty(ctx context.Context, d LoyaltyDebit) (int64, error) {
	var total int64
	for _, lot := range slices.Sorted(maps.Keys(d.Draws)) { // the same order every time
		points := d.Draws[lot]
		if points <= 0 {
			continue
		}
		res, err := tx.exec(ctx, `UPDATE loyalty_lots SET remaining = remaining - $2
			WHERE entry_id = $1 AND customer_id = $3 AND remaining >= $2`, lot, points, d.CustomerID)
		if err != nil {
			return 0, fmt.Errorf("store: loyalty lot: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, ErrNotEnoughPoints
		}
		if _, err := tx.exec(ctx, `INSERT INTO loyalty_ledger (customer_id, kind, points, op, lot_id, order_id, staff_id, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.CustomerID, d.Kind, -points, d.Op, lot, nullID(d.OrderID), nullID(d.StaffID), d.Reason, tx.now); err != nil {
			return 0, fmt.Errorf("store: loyalty debit: %w", err)
		}
		total += points
	}
	if total == 0 {
		return 0, nil
	}
	res, err := tx.exec(ctx, `UPDATE loyalty_accounts SET balance = balance - $2, updated_at = $3 WHERE customer_id = $1 AND balance >= $2`,
		d.CustomerID, total, tx.now)
	if err != nil {
		return 0, fmt.Errorf("store: loyalty balance: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, ErrNotEnoughPoints
	}
	return total, nil
}

// LotLeft is what is left of a lot, and when it expires.
func (tx *Tx) LotLeft(ctx context.Context, lotID int64) (remaining int64, expires time.Time, err error) {
	var at nullTime
	err = tx.tx.QueryRowContext(ctx, `SELECT remaining, expires_at FROM loyalty_lots WHERE entry_id = $1`, lotID).Scan(&remaining, &at)
	return remaining, at.T, notFound(err, "no lot %d", lotID)
}

// LoyaltyOrderPoints are what an order earned, what its reversals took
// back so far, and the net it was earned on (0: unknown, an entry older
// than the basis).
func (tx *Tx) LoyaltyOrderPoints(ctx context.Context, orderID int64) (earned, reversed, basis int64, err error) {
	var b sql.NullInt64
	err = tx.tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN kind = 'earn' THEN points END), 0),
		COALESCE(-SUM(CASE WHEN kind = 'reverse' THEN points END), 0), MAX(basis_minor)
		FROM loyalty_ledger WHERE order_id = $1`, orderID).Scan(&earned, &reversed, &b)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: loyalty order: %w", err)
	}
	return earned, reversed, b.Int64, nil
}

// LoyaltyAccount is a customer's points as their pages show them.
type LoyaltyAccount struct {
	Balance  int64
	Lots     []LoyaltyLot // with points left, soonest to expire first
	Earned   int64        // ever
	Redeemed int64        // ever
	Expired  int64        // ever
}

// LoyaltyAccount reads a customer's points.
func (db *DB) LoyaltyAccount(ctx context.Context, customerID int64) (LoyaltyAccount, error) {
	var a LoyaltyAccount
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT balance FROM loyalty_accounts WHERE customer_id = $1), 0),
		COALESCE(SUM(CASE WHEN points > 0 THEN points END), 0), COALESCE(-SUM(CASE WHEN kind = 'redeem' THEN points END), 0),
		COALESCE(-SUM(CASE WHEN kind = 'expire' THEN points END), 0) FROM loyalty_ledger WHERE customer_id = $1`, customerID).
		Scan(&a.Balance, &a.Earned, &a.Redeemed, &a.Expired)
	if err != nil {
		return a, fmt.Errorf("store: loyalty account: %w", err)
	}
	a.Lots, err = loyaltyLots(ctx, db.read, customerID)
	return a, err
}

// LoyaltyEntry is one entry of a customer's ledger.
type LoyaltyEntry struct {
	ID        int64
	Kind      string
	Points    int64
	Op        string
	LotID     int64
	Order     string // the order's external id
	Staff     string
	Reason    string
	ExpiresAt time.Time
	At        time.Time
}

// LoyaltyEntries are a customer's latest entries, newest first.
func (db *DB) LoyaltyEntries(ctx context.Context, customerID int64, limit int) ([]LoyaltyEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.kind, e.points, e.op, e.lot_id, COALESCE(o.external_id, ''), COALESCE(s.name, ''),
		e.reason, e.expires_at, e.created_at FROM loyalty_ledger e LEFT JOIN orders o ON o.id = e.order_id LEFT JOIN staff s ON s.id = e.staff_id
		WHERE e.customer_id = $1 ORDER BY e.id DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty entries: %w", err)
	}
	defer rows.Close()
	var out []LoyaltyEntry
	for rows.Next() {
		var e LoyaltyEntry
		var expires, at nullTime
		if err := rows.Scan(&e.ID, &e.Kind, &e.Points, &e.Op, &e.LotID, &e.Order, &e.Staff, &e.Reason, &expires, &at); err != nil {
			return nil, fmt.Errorf("store: loyalty entries: %w", err)
		}
		e.ExpiresAt, e.At = expires.T, at.T
		out = append(out, e)
	}
	return out, rows.Err()
}

// LoyaltyViolation is a broken invariant the verifier found.
type LoyaltyViolation struct {
	Rule       string // balance, lot, negative, dangling; coupon_uses, coupon_credit, coupon_per_customer; stamps_negative, stamps_reward
	CustomerID int64
	ID         int64 // the lot or entry
	Detail     string
}

// VerifyLoyalty checks every invariant of the ledger over all of it: each
// balance is the sum of its customer's entries and never negative; what
// is left of each lot is what it earned less the draws on it, never
// negative; every draw is on an earn entry of the same customer.
func (db *DB) VerifyLoyalty(ctx context.Context) ([]LoyaltyViolation, error) {
	checks := []struct {
		rule, q string
	}{
		{"balance", `SELECT a.customer_id, 0, a.balance, COALESCE((SELECT SUM(e.points) FROM loyalty_ledger e WHERE e.customer_id = a.customer_id), 0)
			FROM loyalty_accounts a
			WHERE a.balance <> COALESCE((SELECT SUM(e.points) FROM loyalty_ledger e WHERE e.customer_id = a.customer_id), 0)
			UNION ALL
			SELECT e.customer_id, 0, 0, SUM(e.points) FROM loyalty_ledger e
			WHERE NOT EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.customer_id = e.customer_id) GROUP BY e.customer_id`},
		{"negative", `SELECT customer_id, 0, balance, 0 FROM loyalty_accounts WHERE balance < 0
			UNION ALL SELECT customer_id, entry_id, remaining, 0 FROM loyalty_lots WHERE remaining < 0`},
		// The draws summed in one pass, not per lot: a lot_id has no index of its own.
		{"lot", `SELECT l.customer_id, l.entry_id, l.remaining, e.points + COALESCE(d.drawn, 0)
			FROM loyalty_lots l JOIN loyalty_ledger e ON e.id = l.entry_id
			LEFT JOIN (SELECT lot_id, SUM(points) AS drawn FROM loyalty_ledger WHERE lot_id <> 0 GROUP BY lot_id) d ON d.lot_id = l.entry_id
			WHERE l.remaining <> e.points + COALESCE(d.drawn, 0)
			UNION ALL
			SELECT e.customer_id, e.id, 0, e.points FROM loyalty_ledger e
			WHERE e.lot_id = 0 AND NOT EXISTS (SELECT 1 FROM loyalty_lots l WHERE l.entry_id = e.id)`},
		{"dangling", `SELECT d.customer_id, d.id, d.lot_id, 0 FROM loyalty_ledger d
			WHERE d.lot_id <> 0 AND NOT EXISTS (SELECT 1 FROM loyalty_ledger e WHERE e.id = d.lot_id AND e.lot_id = 0 AND e.customer_id = d.customer_id)`},
	}
	var out []LoyaltyViolation
	for _, c := range slices.Concat(checks, couponChecks, stampChecks) {
		rows, err := db.read.QueryContext(ctx, c.q)
		if err != nil {
			return nil, fmt.Errorf("store: verify loyalty %s: %w", c.rule, err)
		}
		for rows.Next() {
			v := LoyaltyViolation{Rule: c.rule}
			var have, want int64
			if err := rows.Scan(&v.CustomerID, &v.ID, &have, &want); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: verify loyalty %s: %w", c.rule, err)
			}
			v.Detail = fmt.Sprintf("%d, want %d", have, want)
			out = append(out, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OrderMoney is what an order was paid and what of it came back: what its
// points are earned on.
type OrderMoney struct {
	ID, CustomerID int64
	ExternalID     string
	Currency       string
	Total          int64 // after discounts
	Refunded       int64 // refunds and chargebacks, or the returns' amounts when larger; a return of no amount is the whole order
	Void           bool  // cancelled or refused: it earns nothing
	PlacedAt       time.Time
}

// Net is what the customer paid and kept.
func (o OrderMoney) Net() int64 {
	if o.Void {
		return 0
	}
	return max(o.Total-o.Refunded, 0)
}

// LoyaltyOrder reads an order's money.
func (tx *Tx) LoyaltyOrder(ctx context.Context, orderID int64) (OrderMoney, error) {
	out, err := ordersMoney(ctx, tx.tx, `o.id = $1`, orderID)
	if err != nil {
		return OrderMoney{ID: orderID}, err
	}
	if len(out) == 0 {
		return OrderMoney{ID: orderID}, notFound(sql.ErrNoRows, "no order %d", orderID)
	}
	return out[0], nil
}

// SpentSince is what a customer paid and kept, in a currency, on the
// orders placed in [since, until]: what qualifies them for a tier by
// spend (until: the newest order whose return window is over).
func (tx *Tx) SpentSince(ctx context.Context, customerID int64, since, until time.Time, currency string) (int64, error) {
	return spentSince(ctx, tx.tx, customerID, since, until, currency)
}

// SpentSince is Tx.SpentSince outside a transaction (a page).
func (db *DB) SpentSince(ctx context.Context, customerID int64, since, until time.Time, currency string) (int64, error) {
	return spentSince(ctx, db.read, customerID, since, until, currency)
}

func spentSince(ctx context.Context, q querier, customerID int64, since, until time.Time, currency string) (int64, error) {
	orders, err := ordersMoney(ctx, q, `o.customer_id = $1 AND o.placed_at >= $2 AND o.placed_at <= $3 AND o.currency = $4`,
		customerID, since.UTC(), until.UTC(), currency)
	var n int64
	for _, o := range orders {
		n += o.Net()
	}
	return n, err
}

// querier is a transaction or the read pool.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// ordersMoney reads the money of the orders matching where (over orders o).
func ordersMoney(ctx context.Context, q querier, where string, args ...any) ([]OrderMoney, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.customer_id, o.external_id, o.currency, o.total_minor, o.status, o.placed_at,
		COALESCE((SELECT SUM(e.amount_minor) FROM order_events e WHERE e.order_id = o.id AND e.type IN ('refunded', 'chargeback')), 0),
		COALESCE((SELECT SUM(e.amount_minor) FROM order_events e WHERE e.order_id = o.id AND e.type = 'returned'), 0),
		(SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.type = 'returned' AND COALESCE(e.amount_minor, 0) = 0),
		EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'refused')
		FROM orders o WHERE `+where+` ORDER BY o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: order money: %w", err)
	}
	defer rows.Close()
	var out []OrderMoney
	for rows.Next() {
		var o OrderMoney
		var placed nullTime
		var status string
		var refunds, returns, wholeReturns int64
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.ExternalID, &o.Currency, &o.Total, &status, &placed,
			&refunds, &returns, &wholeReturns, &o.Void); err != nil {
			return nil, fmt.Errorf("store: order money: %w", err)
		}
		o.PlacedAt, o.Refunded = placed.T, max(refunds, returns)
		if wholeReturns > 0 {
			o.Refunded = o.Total
		}
		o.Void = o.Void || status == "cancelled" || status == "refused"
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrderOfEvent is the order an order event is of.
func (tx *Tx) OrderOfEvent(ctx context.Context, eventID int64) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT order_id FROM order_events WHERE id = $1`, eventID).Scan(&id)
	return id, notFound(err, "no order event %d", eventID)
}

// OrdersToEarn are the orders placed in [since, until) in the currency,
// neither cancelled nor refused, that have earned nothing: what switching
// a programme on for past orders would credit.
func (tx *Tx) OrdersToEarn(ctx context.Context, since, until time.Time, currency string) ([]OrderMoney, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT o.id, o.customer_id, o.external_id, o.placed_at FROM orders o
		WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.currency = $3 AND o.status NOT IN ('cancelled', 'refused')
		AND NOT EXISTS (SELECT 1 FROM loyalty_ledger e WHERE e.order_id = o.id AND e.kind = 'earn') ORDER BY o.placed_at, o.id`,
		since.UTC(), until.UTC(), currency)
	if err != nil {
		return nil, fmt.Errorf("store: orders to earn: %w", err)
	}
	defer rows.Close()
	var out []OrderMoney
	for rows.Next() {
		o := OrderMoney{Currency: currency}
		var placed nullTime
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.ExternalID, &placed); err != nil {
			return nil, fmt.Errorf("store: orders to earn: %w", err)
		}
		o.PlacedAt = placed.T
		out = append(out, o)
	}
	return out, rows.Err()
}

// PointsHolder is a customer with points.
type PointsHolder struct {
	ExternalID string
	Balance    int64
}

// PointsHolders are the customers with at least min points, the most
// first (at most limit).
func (db *DB) PointsHolders(ctx context.Context, min int64, limit int) ([]PointsHolder, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.external_id, a.balance FROM loyalty_accounts a JOIN customers c ON c.id = a.customer_id
		WHERE a.balance >= $1 ORDER BY a.balance DESC, c.id LIMIT $2`, min, limit)
	if err != nil {
		return nil, fmt.Errorf("store: points holders: %w", err)
	}
	defer rows.Close()
	var out []PointsHolder
	for rows.Next() {
		var h PointsHolder
		if err := rows.Scan(&h.ExternalID, &h.Balance); err != nil {
			return nil, fmt.Errorf("store: points holders: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// NewCardLink records a customer's new loyalty card link (by its token's
// hash) and revokes their earlier ones.
func (tx *Tx) NewCardLink(ctx context.Context, customerID int64, tokenHash string) error {
	if _, err := tx.exec(ctx, `UPDATE loyalty_cards SET revoked_at = $2 WHERE customer_id = $1 AND revoked_at IS NULL`, customerID, tx.now); err != nil {
		return fmt.Errorf("store: card link: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO loyalty_cards (token_hash, customer_id, created_at) VALUES ($1, $2, $3)`, tokenHash, customerID, tx.now); err != nil {
		return fmt.Errorf("store: card link: %w", err)
	}
	return nil
}

// CardCustomer is the customer whose live card link has the token hash.
func (db *DB) CardCustomer(ctx context.Context, tokenHash string) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT customer_id FROM loyalty_cards WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash).Scan(&id)
	return id, notFound(err, "no such card")
}

// LoyaltyTier is a customer's tier; Tier is "" when they have none yet.
type LoyaltyTier struct {
	Tier            string
	Since, ReviewAt time.Time
}

// CustomerTier reads a customer's tier in a transaction.
func (tx *Tx) CustomerTier(ctx context.Context, customerID int64) (LoyaltyTier, error) {
	return customerTier(ctx, tx.tx, customerID)
}

// CustomerTier reads a customer's tier.
func (db *DB) CustomerTier(ctx context.Context, customerID int64) (LoyaltyTier, error) {
	return customerTier(ctx, db.read, customerID)
}

func customerTier(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, customerID int64) (LoyaltyTier, error) {
	var t LoyaltyTier
	var since, review nullTime
	err := q.QueryRowContext(ctx, `SELECT tier, since, review_at FROM loyalty_tiers WHERE customer_id = $1`, customerID).Scan(&t.Tier, &since, &review)
	if errors.Is(err, sql.ErrNoRows) {
		return LoyaltyTier{}, nil
	}
	t.Since, t.ReviewAt = since.T, review.T
	return t, err
}

// SetCustomerTier puts a customer in a tier until its review.
func (tx *Tx) SetCustomerTier(ctx context.Context, customerID int64, t LoyaltyTier) error {
	_, err := tx.exec(ctx, `INSERT INTO loyalty_tiers (customer_id, tier, since, review_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (customer_id) DO UPDATE SET tier = excluded.tier, since = excluded.since, review_at = excluded.review_at`,
		customerID, t.Tier, t.Since.UTC(), t.ReviewAt.UTC())
	if err != nil {
		return fmt.Errorf("store: tier: %w", err)
	}
	return nil
}

// EarnedSince is the points a customer's orders earned since a time: what
// qualifies them for a tier.
func (tx *Tx) EarnedSince(ctx context.Context, customerID int64, since time.Time) (int64, error) {
	return earnedSince(ctx, tx.tx, customerID, since)
}

// EarnedSince is Tx.EarnedSince outside a transaction (a page).
func (db *DB) EarnedSince(ctx context.Context, customerID int64, since time.Time) (int64, error) {
	return earnedSince(ctx, db.read, customerID, since)
}

func earnedSince(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, customerID int64, since time.Time) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(points), 0) FROM loyalty_ledger WHERE customer_id = $1 AND kind = 'earn' AND op LIKE 'order:%:earn' AND created_at >= $2`,
		customerID, since.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: earned since: %w", err)
	}
	return n, nil
}
