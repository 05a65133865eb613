package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// LoyaltyFigures are the programme's size, cost and use: for the dashboard
// and `retain report loyalty`. The flows are over the year to now.
type LoyaltyFigures struct {
	Members  int           `json:"members"`     // customers with a ledger entry
	Live     int64         `json:"points_live"` // points that can be spent now
	ByExpiry []ExpiryMonth `json:"points_by_expiry"`
	// In the year to now.
	Earned        int64            `json:"earned"`
	Redeemed      int64            `json:"redeemed"`
	Expired       int64            `json:"expired"`
	Reversed      int64            `json:"reversed"`
	RewardsBought int              `json:"rewards_bought"`
	CouponsIssued int              `json:"coupons_issued"`
	CouponsUsed   int              `json:"coupons_used"`
	Discounts     map[string]int64 `json:"discounts_minor"` // what used coupons took off, per currency
	// Referrals made in the year, and of them how many completed (the
	// friend kept a first order) and were refused (with why).
	Referrals          int            `json:"referrals"`
	ReferralsCompleted int            `json:"referrals_completed"`
	ReferralsRefused   map[string]int `json:"referrals_refused"`
}

// ExpiryMonth is live points by the month they expire; a zero Month is
// points that never expire.
type ExpiryMonth struct {
	Month  time.Time `json:"month"`
	Points int64     `json:"points"`
}

// LoyaltyFigures reads the programme's figures at now.
func (db *DB) LoyaltyFigures(ctx context.Context, now time.Time) (LoyaltyFigures, error) {
	f := LoyaltyFigures{Discounts: map[string]int64{}}
	yearAgo := now.AddDate(-1, 0, 0)
	err := db.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(DISTINCT customer_id) FROM loyalty_ledger),
		COALESCE(SUM(CASE WHEN kind IN ('earn', 'adjust') AND points > 0 THEN points END), 0),
		COALESCE(-SUM(CASE WHEN kind = 'redeem' THEN points END), 0),
		COALESCE(-SUM(CASE WHEN kind = 'expire' THEN points END), 0),
		COALESCE(-SUM(CASE WHEN kind = 'reverse' THEN points END), 0)
		FROM loyalty_ledger WHERE created_at >= $1`, yearAgo).Scan(&f.Members, &f.Earned, &f.Redeemed, &f.Expired, &f.Reversed)
	if err != nil {
		return f, fmt.Errorf("store: loyalty figures: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT expires_at, remaining FROM loyalty_lots
		WHERE remaining > 0 AND (expires_at IS NULL OR expires_at > $1)`, now)
	if err != nil {
		return f, fmt.Errorf("store: loyalty figures: %w", err)
	}
	months := map[time.Time]int64{}
	for rows.Next() {
		var expires nullTime
		var n int64
		if err := rows.Scan(&expires, &n); err != nil {
			rows.Close()
			return f, fmt.Errorf("store: loyalty figures: %w", err)
		}
		f.Live += n
		m := time.Time{}
		if !expires.T.IsZero() {
			t := expires.T.UTC()
			m = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
		months[m] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	for m, n := range months {
		f.ByExpiry = append(f.ByExpiry, ExpiryMonth{Month: m, Points: n})
	}
	slices.SortFunc(f.ByExpiry, func(a, b ExpiryMonth) int { // by month, never-expiring last
		if a.Month.IsZero() != b.Month.IsZero() {
			return map[bool]int{true: 1, false: -1}[a.Month.IsZero()]
		}
		return a.Month.Compare(b.Month)
	})
	if err := db.referralFigures(ctx, &f, yearAgo); err != nil {
		return f, err
	}
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN source = 'reward' THEN 1 END) FROM coupons WHERE created_at >= $1`, yearAgo).
		Scan(&f.CouponsIssued, &f.RewardsBought)
	if err != nil {
		return f, fmt.Errorf("store: loyalty figures: %w", err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT c.currency, COUNT(*), COALESCE(SUM(r.discount_minor), 0) FROM coupon_redemptions r
		JOIN coupons c ON c.id = r.coupon_id WHERE r.status = 'confirmed' AND r.ended_at >= $1 GROUP BY c.currency`, yearAgo)
	if err != nil {
		return f, fmt.Errorf("store: loyalty figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cur string
		var n int
		var sum int64
		if err := rows.Scan(&cur, &n, &sum); err != nil {
			return f, fmt.Errorf("store: loyalty figures: %w", err)
		}
		f.CouponsUsed += n
		f.Discounts[cur] += sum
	}
	return f, rows.Err()
}

// PurchaseHistory is a customer's orders in one currency and, for a
// member, when they joined (their first ledger entry).
type PurchaseHistory struct {
	Joined  time.Time
	At      []time.Time
	Amounts []int64
}

// PurchaseHistories reads the orders (neither cancelled nor refused) in a
// currency of about sample customers: every customer when there are
// fewer, else an even sample by id, so the effect of a programme of a
// million members is measured on a few tens of thousands.
func (db *DB) PurchaseHistories(ctx context.Context, currency string, sample int) ([]PurchaseHistory, error) {
	var customers int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&customers); err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	step := max(int64(1), customers/int64(sample))
	joined := map[int64]time.Time{}
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id, MIN(created_at) FROM loyalty_ledger WHERE customer_id % $1 = 0 GROUP BY customer_id`, step)
	if err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	for rows.Next() {
		var id int64
		var at nullTime
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: purchase histories: %w", err)
		}
		joined[id] = at.T
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.read.QueryContext(ctx, `SELECT customer_id, placed_at, total_minor FROM orders
		WHERE currency = $1 AND status NOT IN ('cancelled', 'refused') AND customer_id % $2 = 0 ORDER BY customer_id, placed_at`, currency, step)
	if err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	defer rows.Close()
	var out []PurchaseHistory
	last := int64(-1)
	for rows.Next() {
		var id, amount int64
		var at nullTime
		if err := rows.Scan(&id, &at, &amount); err != nil {
			return nil, fmt.Errorf("store: purchase histories: %w", err)
		}
		if id != last {
			out = append(out, PurchaseHistory{Joined: joined[id]})
			last = id
		}
		h := &out[len(out)-1]
		h.At, h.Amounts = append(h.At, at.T), append(h.Amounts, amount)
	}
	return out, rows.Err()
}

// referralFigures counts the referrals made since a time by where they
// stand, the refused ones by why.
func (db *DB) referralFigures(ctx context.Context, f *LoyaltyFigures, since time.Time) error {
	f.ReferralsRefused = map[string]int{}
	rows, err := db.read.QueryContext(ctx, `SELECT status, reason, COUNT(*) FROM referrals WHERE created_at >= $1 GROUP BY status, reason`, since.UTC())
	if err != nil {
		return fmt.Errorf("store: referral figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, reason string
		var n int
		if err := rows.Scan(&status, &reason, &n); err != nil {
			return fmt.Errorf("store: referral figures: %w", err)
		}
		f.Referrals += n
		switch status {
		case "completed":
			f.ReferralsCompleted += n
		case "refused":
			f.ReferralsRefused[reason] += n
		}
	}
	return rows.Err()
}
