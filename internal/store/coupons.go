package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Coupons and their redemptions (migration 0020). A redemption is held for
// an order, then confirmed or released. Holding one locks the coupon (on
// PostgreSQL the row's FOR UPDATE, on SQLite the single writer) and takes
// a use, and for store credit the amount, with an update that refuses to go
// past the coupon's limit: two tills at once cannot both use a single-use
// coupon, or spend the same credit.

// ErrCouponUsedUp: the coupon has no use (or credit) left to hold.
var ErrCouponUsedUp = retain.Errorf(retain.ECONFLICT, "coupon used up")

// Coupon is a coupon as stored.
type Coupon struct {
	ID           int64
	Code         string // normalised
	Kind         string
	Amount       int64
	Percent      int
	Item         string
	Currency     string
	MinSpend     int64
	MaxUses      int
	PerCustomer  int
	CustomerID   int64
	Customer     string // the customer's external id
	Uses         int
	Left         int64 // store credit not yet held or spent
	ExpiresAt    time.Time
	Source       string // reward, playbook, manual, batch
	Op           string
	Batch        string
	Reward       string
	Points       int64
	EnrollmentID int64
	StaffID      int64
	VoidedAt     time.Time
	CreatedAt    time.Time
}

// CouponRedemption is a coupon held for, or used on, an order.
type CouponRedemption struct {
	ID         int64
	CouponID   int64
	Code       string
	CustomerID int64
	Key        string
	Status     string // held, confirmed, released
	Total      int64
	Discount   int64
	OrderRef   string
	HeldUntil  time.Time
	CreatedAt  time.Time
	EndedAt    time.Time
}

const couponColumns = `c.id, c.code, c.kind, c.amount_minor, c.percent, c.item, c.currency, c.min_spend_minor, c.max_uses, c.per_customer,
	COALESCE(c.customer_id, 0), COALESCE(cu.external_id, ''), c.uses, c.left_minor, c.expires_at, c.source, c.op, c.batch, c.reward, c.points,
	COALESCE(c.enrollment_id, 0), COALESCE(c.staff_id, 0), c.voided_at, c.created_at
	FROM coupons c LEFT JOIN customers cu ON cu.id = c.customer_id`

func scanCoupon(row interface{ Scan(...any) error }) (Coupon, error) {
	var c Coupon
	var expires, voided, created nullTime
	err := row.Scan(&c.ID, &c.Code, &c.Kind, &c.Amount, &c.Percent, &c.Item, &c.Currency, &c.MinSpend, &c.MaxUses, &c.PerCustomer,
		&c.CustomerID, &c.Customer, &c.Uses, &c.Left, &expires, &c.Source, &c.Op, &c.Batch, &c.Reward, &c.Points,
		&c.EnrollmentID, &c.StaffID, &voided, &created)
	c.ExpiresAt, c.VoidedAt, c.CreatedAt = expires.T, voided.T, created.T
	return c, err
}

// InsertCoupon stores a new coupon, once per its Op: issuing with the same
// op again returns the first coupon and false. A code already taken is an
// ECONFLICT.
func (tx *Tx) InsertCoupon(ctx context.Context, c Coupon) (Coupon, bool, error) {
	if c.Kind == "store_credit" {
		c.Left = c.Amount
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO coupons (code, kind, amount_minor, percent, item, currency, min_spend_minor, max_uses, per_customer,
		customer_id, left_minor, expires_at, source, op, batch, reward, points, enrollment_id, staff_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		ON CONFLICT (op) DO NOTHING RETURNING id`,
		c.Code, c.Kind, c.Amount, c.Percent, c.Item, c.Currency, c.MinSpend, c.MaxUses, c.PerCustomer, nullID(c.CustomerID), c.Left,
		timeArg(c.ExpiresAt), c.Source, c.Op, c.Batch, c.Reward, c.Points, nullID(c.EnrollmentID), nullID(c.StaffID), tx.now).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		first, err := scanCoupon(tx.tx.QueryRowContext(ctx, `SELECT `+couponColumns+` WHERE c.op = $1`, c.Op))
		return first, false, notFound(err, "no coupon issued as %s", c.Op)
	case err != nil && isUniqueViolation(err):
		return Coupon{}, false, retain.Errorf(retain.ECONFLICT, "the code %s is taken", c.Code)
	case err != nil:
		return Coupon{}, false, fmt.Errorf("store: insert coupon: %w", err)
	}
	c, err = scanCoupon(tx.tx.QueryRowContext(ctx, `SELECT `+couponColumns+` WHERE c.id = $1`, id))
	return c, err == nil, err
}

// isUniqueViolation reports a unique index refusing a row (both drivers
// say so in the message).
func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "duplicate key value")
}

// LockCoupon reads a coupon by its normalised code for a redemption,
// taking it for the transaction.
func (tx *Tx) LockCoupon(ctx context.Context, code string) (Coupon, error) {
	return tx.lockCoupon(ctx, `c.code = $1`, code)
}

// LockCouponID is LockCoupon by id.
func (tx *Tx) LockCouponID(ctx context.Context, id int64) (Coupon, error) {
	return tx.lockCoupon(ctx, `c.id = $1`, id)
}

func (tx *Tx) lockCoupon(ctx context.Context, where string, arg any) (Coupon, error) {
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE OF c"
	}
	c, err := scanCoupon(tx.tx.QueryRowContext(ctx, `SELECT `+couponColumns+` WHERE `+where+lock, arg))
	return c, notFound(err, "no coupon %v", arg)
}

// Coupon reads a coupon by its normalised code, outside a transaction.
func (db *DB) Coupon(ctx context.Context, code string) (Coupon, error) {
	c, err := scanCoupon(db.read.QueryRowContext(ctx, `SELECT `+couponColumns+` WHERE c.code = $1`, code))
	return c, notFound(err, "no coupon %s", code)
}

// CouponFilter picks coupons to list.
type CouponFilter struct {
	CustomerID   int64
	Batch        string
	EnrollmentID int64
	Limit        int
}

// Coupons lists coupons, the newest first.
func (db *DB) Coupons(ctx context.Context, f CouponFilter) ([]Coupon, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != 0 {
		add("c.customer_id = $%d", f.CustomerID)
	}
	if f.Batch != "" {
		add("c.batch = $%d", f.Batch)
	}
	if f.EnrollmentID != 0 {
		add("c.enrollment_id = $%d", f.EnrollmentID)
	}
	q := `SELECT ` + couponColumns
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY c.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: coupons: %w", err)
	}
	defer rows.Close()
	var out []Coupon
	for rows.Next() {
		c, err := scanCoupon(rows)
		if err != nil {
			return nil, fmt.Errorf("store: coupons: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CustomerByExternalID is the id of the customer with the external id.
func (tx *Tx) CustomerByExternalID(ctx context.Context, ref string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE external_id = $1`, ref).Scan(&id)
	return id, notFound(err, "no customer %q", ref)
}

// CustomerCouponUses counts a customer's held and confirmed redemptions of
// a coupon; the coupon must be locked.
func (tx *Tx) CustomerCouponUses(ctx context.Context, couponID, customerID int64) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = $1 AND customer_id = $2 AND status <> 'released'`,
		couponID, customerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: coupon uses: %w", err)
	}
	return n, nil
}

// HoldCoupon takes one use of the coupon, and for store credit the
// redemption's discount, and records the redemption held until r.HeldUntil;
// ErrCouponUsedUp, nothing written, when the coupon has neither left. The
// coupon must be locked.
func (tx *Tx) HoldCoupon(ctx context.Context, r CouponRedemption, credit bool) (CouponRedemption, error) {
	fromCredit := int64(0)
	if credit {
		fromCredit = r.Discount
	}
	res, err := tx.exec(ctx, `UPDATE coupons SET uses = uses + 1, left_minor = left_minor - $2
		WHERE id = $1 AND (max_uses = 0 OR uses < max_uses) AND left_minor >= $2`, r.CouponID, fromCredit)
	if err != nil {
		return r, fmt.Errorf("store: hold coupon: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return r, ErrCouponUsedUp
	}
	r.Status, r.CreatedAt = "held", tx.now
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO coupon_redemptions (coupon_id, customer_id, key, status, total_minor, discount_minor, held_until, created_at)
		VALUES ($1, $2, $3, 'held', $4, $5, $6, $7) RETURNING id`,
		r.CouponID, nullID(r.CustomerID), r.Key, r.Total, r.Discount, r.HeldUntil.UTC(), tx.now).Scan(&r.ID)
	if err != nil {
		return r, fmt.Errorf("store: hold coupon: %w", err)
	}
	return r, nil
}

// Redemption reads a redemption by its key; false when there is none.
func (tx *Tx) Redemption(ctx context.Context, key string) (CouponRedemption, bool, error) {
	return tx.redemption(ctx, `r.key = $1`, key)
}

// RedemptionByID reads a redemption by id.
func (tx *Tx) RedemptionByID(ctx context.Context, id int64) (CouponRedemption, bool, error) {
	return tx.redemption(ctx, `r.id = $1`, id)
}

func (tx *Tx) redemption(ctx context.Context, where string, arg any) (CouponRedemption, bool, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+redemptionColumns+` WHERE `+where, arg)
	if err != nil {
		return CouponRedemption{}, false, fmt.Errorf("store: redemption: %w", err)
	}
	out, err := scanRedemptions(rows)
	if err != nil || len(out) == 0 {
		return CouponRedemption{}, false, err
	}
	return out[0], true, nil
}

const redemptionColumns = `r.id, r.coupon_id, c.code, COALESCE(r.customer_id, 0), r.key, r.status, r.total_minor, r.discount_minor, r.order_ref,
	r.held_until, r.created_at, r.ended_at FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id`

func scanRedemptions(rows *sql.Rows) ([]CouponRedemption, error) {
	defer rows.Close()
	var out []CouponRedemption
	for rows.Next() {
		var r CouponRedemption
		var held, created, ended nullTime
		if err := rows.Scan(&r.ID, &r.CouponID, &r.Code, &r.CustomerID, &r.Key, &r.Status, &r.Total, &r.Discount, &r.OrderRef,
			&held, &created, &ended); err != nil {
			return nil, fmt.Errorf("store: redemptions: %w", err)
		}
		r.HeldUntil, r.CreatedAt, r.EndedAt = held.T, created.T, ended.T
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExpiredHolds are a coupon's redemptions held past their time; the coupon
// must be locked.
func (tx *Tx) ExpiredHolds(ctx context.Context, couponID int64) ([]CouponRedemption, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+redemptionColumns+` WHERE r.coupon_id = $1 AND r.status = 'held' AND r.held_until <= $2`,
		couponID, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: expired holds: %w", err)
	}
	return scanRedemptions(rows)
}

// EndRedemption confirms a held redemption (with the order it was used on)
// or releases it, giving its use and its credit back to the coupon. It
// changes nothing and returns false unless the redemption is held. The
// coupon must be locked.
func (tx *Tx) EndRedemption(ctx context.Context, r CouponRedemption, status, orderRef string, credit bool) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE coupon_redemptions SET status = $2, order_ref = $3, ended_at = $4 WHERE id = $1 AND status = 'held'`,
		r.ID, status, orderRef, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: end redemption: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 || status != "released" {
		return n == 1, nil
	}
	back := int64(0)
	if credit {
		back = r.Discount
	}
	if _, err := tx.exec(ctx, `UPDATE coupons SET uses = uses - 1, left_minor = left_minor + $2 WHERE id = $1`, r.CouponID, back); err != nil {
		return false, fmt.Errorf("store: release coupon: %w", err)
	}
	return true, nil
}

// VoidCoupon stops a coupon being used from now (held redemptions can
// still be confirmed); false when it was void already.
func (tx *Tx) VoidCoupon(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE coupons SET voided_at = $2 WHERE id = $1 AND voided_at IS NULL`, id, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: void coupon: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CouponRedemptions lists a coupon's (couponID ≠ 0) or else a customer's
// redemptions, newest first.
func (db *DB) CouponRedemptions(ctx context.Context, couponID, customerID int64, limit int) ([]CouponRedemption, error) {
	where, id := `r.coupon_id = $1`, couponID
	if couponID == 0 {
		where, id = `r.customer_id = $1`, customerID
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+redemptionColumns+` WHERE `+where+` ORDER BY r.id DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("store: redemptions: %w", err)
	}
	return scanRedemptions(rows)
}

// couponChecks are VerifyLoyalty's checks of coupons: each coupon's uses
// are its held and confirmed redemptions, never more than its limit; a
// store credit's rest is its amount less what they hold or spent; no
// customer has more redemptions of a coupon than it allows each.
var couponChecks = []struct{ rule, q string }{
	{"coupon_uses", `SELECT COALESCE(c.customer_id, 0), c.id, c.uses, (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.status <> 'released')
		FROM coupons c WHERE c.uses <> (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.status <> 'released')
		OR (c.max_uses > 0 AND c.uses > c.max_uses)`},
	{"coupon_credit", `SELECT COALESCE(c.customer_id, 0), c.id, c.left_minor,
		c.amount_minor - COALESCE((SELECT SUM(r.discount_minor) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.status <> 'released'), 0)
		FROM coupons c WHERE c.kind = 'store_credit' AND c.left_minor <>
		c.amount_minor - COALESCE((SELECT SUM(r.discount_minor) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.status <> 'released'), 0)`},
	{"coupon_per_customer", `SELECT r.customer_id, c.id, COUNT(*), c.per_customer FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
		WHERE r.status <> 'released' AND r.customer_id IS NOT NULL AND c.per_customer > 0
		GROUP BY r.customer_id, c.id, c.per_customer HAVING COUNT(*) > c.per_customer`},
}

// CouponSavings is what a customer's used coupons took off their orders,
// per currency.
func (db *DB) CouponSavings(ctx context.Context, customerID int64) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.currency, SUM(r.discount_minor) FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
		WHERE r.customer_id = $1 AND r.status = 'confirmed' GROUP BY c.currency`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: savings: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var cur string
		var n int64
		if err := rows.Scan(&cur, &n); err != nil {
			return nil, fmt.Errorf("store: savings: %w", err)
		}
		out[cur] = n
	}
	return out, rows.Err()
}
