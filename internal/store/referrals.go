package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Referrals (migration 0024): customers' referral codes, and the friends
// who came with them.

// ErrReferred: the friend was referred already (by a referral not refused).
var ErrReferred = errors.New("store: the customer was referred already")

// ErrCodeTaken: a new referral code is another customer's (retry with
// another).
var ErrCodeTaken = errors.New("store: the referral code is taken")

// Referral is a friend who came with a customer's code.
type Referral struct {
	ID                       int64
	ReferrerID, FriendID     int64
	Referrer, Friend         string // external ids
	ReferrerName, FriendName string
	Status, Reason           string
	OrderID                  int64
	CouponCode               string
	CreatedAt, UpdatedAt     time.Time
}

// ReferralCode is a customer's referral code, "" when they have none yet.
func (db *DB) ReferralCode(ctx context.Context, customerID int64) (string, error) {
	var code string
	err := db.read.QueryRowContext(ctx, `SELECT code FROM referral_codes WHERE customer_id = $1`, customerID).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: referral code: %w", err)
	}
	return code, nil
}

// EnsureReferralCode gives the customer the code unless they have one,
// and returns theirs; ErrCodeTaken when the code is another's.
func (tx *Tx) EnsureReferralCode(ctx context.Context, customerID int64, code string) (string, error) {
	_, err := tx.exec(ctx, `INSERT INTO referral_codes (customer_id, code, created_at) VALUES ($1, $2, $3) ON CONFLICT (customer_id) DO NOTHING`,
		customerID, code, tx.now)
	if err != nil && isUniqueViolation(err) {
		return "", ErrCodeTaken
	}
	if err != nil {
		return "", fmt.Errorf("store: referral code: %w", err)
	}
	var got string
	if err := tx.tx.QueryRowContext(ctx, `SELECT code FROM referral_codes WHERE customer_id = $1`, customerID).Scan(&got); err != nil {
		return "", fmt.Errorf("store: referral code: %w", err)
	}
	return got, nil
}

// ReferrerOf is the customer whose referral code it is: id and external id.
func (db *DB) ReferrerOf(ctx context.Context, code string) (int64, string, error) {
	var id int64
	var ref string
	err := db.read.QueryRowContext(ctx, `SELECT r.customer_id, c.external_id FROM referral_codes r JOIN customers c ON c.id = r.customer_id
		WHERE r.code = $1`, code).Scan(&id, &ref)
	return id, ref, notFound(err, "no referral code %q", code)
}

// ReferralParty is what the referral checks compare of a customer.
type ReferralParty struct {
	ID                    int64
	Phone, Email, Address string
	Orders                int // placed by now, not cancelled
}

// ReferralParty reads a customer's phone, e-mail, address (the attribute
// "address") and how many orders they placed.
func (tx *Tx) ReferralParty(ctx context.Context, customerID int64) (ReferralParty, error) {
	p := ReferralParty{ID: customerID}
	var phone, email sql.NullString
	var attrs string
	err := tx.tx.QueryRowContext(ctx, `SELECT c.phone, c.email, CAST(c.attributes AS TEXT),
		(SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled' AND o.placed_at <= $2) FROM customers c WHERE c.id = $1`,
		customerID, tx.now).Scan(&phone, &email, &attrs, &p.Orders)
	if err != nil {
		return p, notFound(err, "no customer %d", customerID)
	}
	p.Phone, p.Email = phone.String, email.String
	var a map[string]string
	if json.Unmarshal([]byte(attrs), &a) == nil {
		p.Address = a["address"]
	}
	return p, nil
}

// AddReferral records a referral; ErrReferred when the friend has one
// that was not refused.
func (tx *Tx) AddReferral(ctx context.Context, r Referral) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO referrals (referrer_id, friend_id, status, reason, coupon_code, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, r.ReferrerID, r.FriendID, r.Status, r.Reason, r.CouponCode, tx.now).Scan(&id)
	if err != nil && isUniqueViolation(err) {
		return 0, ErrReferred
	}
	if err != nil {
		return 0, fmt.Errorf("store: referral: %w", err)
	}
	return id, nil
}

// OpenReferral is the friend's referral waiting for their first order
// (pending) or its return window (ordered); false for none.
func (tx *Tx) OpenReferral(ctx context.Context, friendID int64) (Referral, bool, error) {
	var r Referral
	var order sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT id, referrer_id, friend_id, status, order_id FROM referrals
		WHERE friend_id = $1 AND status IN ('pending', 'ordered')`, friendID).Scan(&r.ID, &r.ReferrerID, &r.FriendID, &r.Status, &order)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: open referral: %w", err)
	}
	r.OrderID = order.Int64
	return r, true, nil
}

// GetReferral reads a referral by id.
func (tx *Tx) GetReferral(ctx context.Context, id int64) (Referral, error) {
	var r Referral
	var order sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT id, referrer_id, friend_id, status, order_id FROM referrals WHERE id = $1`, id).
		Scan(&r.ID, &r.ReferrerID, &r.FriendID, &r.Status, &order)
	r.OrderID = order.Int64
	return r, notFound(err, "no referral %d", id)
}

// PendingFirstOrders are the pending referrals whose friend's first order
// (not cancelled) was placed in [since, until), with that order: what a
// backfill attributes.
func (tx *Tx) PendingFirstOrders(ctx context.Context, since, until time.Time) ([]Referral, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT r.id, r.friend_id, o.id FROM referrals r
		JOIN orders o ON o.customer_id = r.friend_id AND o.status <> 'cancelled'
		WHERE r.status = 'pending' AND o.placed_at >= $1 AND o.placed_at < $2
		AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id AND p.status <> 'cancelled'
			AND (p.placed_at < o.placed_at OR (p.placed_at = o.placed_at AND p.id < o.id)))
		ORDER BY r.id`, since.UTC(), until.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: pending first orders: %w", err)
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r := Referral{Status: "pending"}
		if err := rows.Scan(&r.ID, &r.FriendID, &r.OrderID); err != nil {
			return nil, fmt.Errorf("store: pending first orders: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetReferral moves a referral on: its status, why (refused), its order.
func (tx *Tx) SetReferral(ctx context.Context, id int64, status, reason string, orderID int64) error {
	if _, err := tx.exec(ctx, `UPDATE referrals SET status = $2, reason = $3, order_id = COALESCE($4, order_id), updated_at = $5 WHERE id = $1`,
		id, status, reason, nullID(orderID), tx.now); err != nil {
		return fmt.Errorf("store: referral: %w", err)
	}
	return nil
}

// SetReferralCoupon records the friend's welcome coupon.
func (tx *Tx) SetReferralCoupon(ctx context.Context, id int64, code string) error {
	if _, err := tx.exec(ctx, `UPDATE referrals SET coupon_code = $2 WHERE id = $1`, id, code); err != nil {
		return fmt.Errorf("store: referral coupon: %w", err)
	}
	return nil
}

// ReferralsRewarded counts the referrals a customer was rewarded for since
// a time: what the monthly cap counts.
func (tx *Tx) ReferralsRewarded(ctx context.Context, referrerID int64, since time.Time) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals WHERE referrer_id = $1 AND status = 'completed' AND updated_at >= $2`,
		referrerID, since.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: referrals rewarded: %w", err)
	}
	return n, nil
}

// ReferralFilter narrows the referrals listed.
type ReferralFilter struct {
	ReferrerID int64
	Status     string
	Limit      int
}

// Referrals lists referrals, newest first.
func (db *DB) Referrals(ctx context.Context, f ReferralFilter) ([]Referral, error) {
	where, args := `1 = 1`, []any{}
	if f.ReferrerID != 0 {
		args = append(args, f.ReferrerID)
		where += fmt.Sprintf(` AND r.referrer_id = $%d`, len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where += fmt.Sprintf(` AND r.status = $%d`, len(args))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, r.referrer_id, r.friend_id, a.external_id, a.name, b.external_id, b.name,
		r.status, r.reason, COALESCE(r.order_id, 0), r.coupon_code, r.created_at, r.updated_at
		FROM referrals r JOIN customers a ON a.id = r.referrer_id JOIN customers b ON b.id = r.friend_id
		WHERE `+where+fmt.Sprintf(` ORDER BY r.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: referrals: %w", err)
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		var r Referral
		var created, updated nullTime
		if err := rows.Scan(&r.ID, &r.ReferrerID, &r.FriendID, &r.Referrer, &r.ReferrerName, &r.Friend, &r.FriendName,
			&r.Status, &r.Reason, &r.OrderID, &r.CouponCode, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: referrals: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = created.T, updated.T
		out = append(out, r)
	}
	return out, rows.Err()
}
