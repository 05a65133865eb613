package core

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Refer a friend (loyalty.Referral). A customer's code is made when it is
// first shown (the card, the counter, a playbook's {{.ReferralLink}}); a
// friend comes with it through the public landing page, an e-shop's
// signup (the API) or staff, and is checked then: not the referrer, nor
// sharing their phone, e-mail or address, nor a customer who had ordered.
// A refused referral is kept with why. The friend's first order (in any
// currency) marks it ordered; at the end of that order's return window —
// the referral's timer — a kept order completes it (both earn their
// points, within the referrer's monthly cap) and a returned one refuses it.

// ReferralURL is the landing page of a referral code under publicURL.
func ReferralURL(publicURL, code string) string {
	return strings.TrimSuffix(publicURL, "/") + "/r/" + code
}

// ReferralView is a customer's code and link.
type ReferralView struct {
	Customer string `json:"customer_id"`
	Code     string `json:"code"`
	Link     string `json:"link" doc:"The public landing page a friend signs up on."`
}

// ReferralCode is a customer's referral code and link, made on first ask
// (loyalty:redeem: the counter shows it).
func (w Work) ReferralCode(ctx context.Context, a retain.Actor, live *LiveSettings, ref string) (ReferralView, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return ReferralView{}, err
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if err != nil {
		return ReferralView{}, fieldNotFound("customer_id", err)
	}
	code, err := ensureReferralCode(ctx, w.DB, c.ID)
	if err != nil {
		return ReferralView{}, err
	}
	m, err := live.Messaging(ctx)
	if err != nil {
		return ReferralView{}, err
	}
	return ReferralView{Customer: ref, Code: code, Link: ReferralURL(m.Settings.PublicURL, code)}, nil
}

// ensureReferralCode is the customer's code, made now if they have none.
func ensureReferralCode(ctx context.Context, db *store.DB, customerID int64) (string, error) {
	if code, err := db.ReferralCode(ctx, customerID); err != nil || code != "" {
		return code, err
	}
	for range 5 { // a clash of 39 random bits is rare; five in a row is a bug
		var code string
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			code, err = tx.EnsureReferralCode(ctx, customerID, loyalty.NewReferralCode())
			return err
		})
		if !errors.Is(err, store.ErrCodeTaken) {
			return code, err
		}
	}
	return "", fmt.Errorf("referral code: five clashes in a row")
}

// ReferralResult is what attributing a friend did.
type ReferralResult struct {
	ID         int64  `json:"id"`
	Referrer   string `json:"referrer_id"`
	Friend     string `json:"friend_id"`
	Status     string `json:"status" enum:"pending,refused"`
	Reason     string `json:"reason,omitempty" doc:"Why it was refused: self, same_phone, same_email, same_address, not_new."`
	CouponCode string `json:"coupon_code,omitempty" doc:"The friend's welcome coupon, when the offer gives one."`
}

// Refer credits a friend (a customer, by external id) to the referral code
// they came with (loyalty:redeem), or records why not.
func (w Work) Refer(ctx context.Context, a retain.Actor, code, friendRef string) (ReferralResult, error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return ReferralResult{}, err
	}
	program, err := LoyaltyProgram(ctx, w.DB)
	if err != nil {
		return ReferralResult{}, err
	}
	if !program.ReferralOn() {
		return ReferralResult{}, retain.FieldError("code", "the programme takes no referrals: switch referrals on first")
	}
	norm, err := loyalty.NormalizeCode(code)
	if err != nil {
		return ReferralResult{}, retain.FieldError("code", "%v", err)
	}
	referrer, referrerRef, err := w.DB.ReferrerOf(ctx, norm)
	if err != nil {
		return ReferralResult{}, fieldNotFound("code", err)
	}
	friend, err := w.DB.GetCustomer(ctx, friendRef)
	if err != nil {
		return ReferralResult{}, fieldNotFound("customer_id", err)
	}
	out := ReferralResult{Referrer: referrerRef, Friend: friendRef, Status: loyalty.ReferralPending}
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		them, err := tx.ReferralParty(ctx, referrer)
		if err != nil {
			return err
		}
		fr, err := tx.ReferralParty(ctx, friend.ID)
		if err != nil {
			return err
		}
		out.Reason = loyalty.Refusal(loyalty.Party{ID: them.ID, Phone: them.Phone, Email: them.Email, Address: them.Address},
			loyalty.Party{ID: fr.ID, Phone: fr.Phone, Email: fr.Email, Address: fr.Address}, fr.Orders)
		if out.Reason != "" {
			out.Status = loyalty.ReferralRefused
		}
		r := store.Referral{ReferrerID: referrer, FriendID: friend.ID, Status: out.Status, Reason: out.Reason}
		if out.ID, err = tx.AddReferral(ctx, r); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "loyalty.referral", "customer:"+friendRef, fmt.Sprintf("status=%s reason=%s", out.Status, out.Reason)); err != nil {
			return err
		}
		if out.Status != loyalty.ReferralPending || program.Referral.FriendCoupon == nil {
			return nil
		}
		c, _, err := issueCoupon(ctx, tx, program, *program.Referral.FriendCoupon, store.Coupon{Code: loyalty.NewCode(), CustomerID: friend.ID,
			Source: "referral", Op: fmt.Sprintf("referral:%d", out.ID)})
		if err != nil {
			return err
		}
		out.CouponCode = loyalty.FormatCode(c.Code)
		return tx.SetReferralCoupon(ctx, out.ID, c.Code)
	})
	if errors.Is(err, store.ErrReferred) {
		return ReferralResult{}, retain.Errorf(retain.ECONFLICT, "customer_id: %q was referred already", friendRef)
	}
	return out, err
}

// attributeReferral marks the friend's pending referral ordered when
// their first order is placed (the loyalty consumer; an order in any
// currency), and sets its timer at the end of the order's return window.
func attributeReferral(ctx context.Context, tx *store.Tx, p loyalty.Program, o store.OrderMoney) error {
	r, ok, err := tx.OpenReferral(ctx, o.CustomerID)
	if err != nil || !ok || r.Status != loyalty.ReferralPending {
		return err
	}
	return orderedReferral(ctx, tx, p, r.ID, o)
}

// orderedReferral marks a referral ordered with the friend's first order
// and sets its timer.
func orderedReferral(ctx context.Context, tx *store.Tx, p loyalty.Program, referral int64, o store.OrderMoney) error {
	if err := tx.SetReferral(ctx, referral, loyalty.ReferralOrdered, "", o.ID); err != nil {
		return err
	}
	return tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("loyalty:referral:%d", referral), Kind: store.TimerReferral, SubjectID: referral,
		CustomerID: o.CustomerID, DueAt: o.PlacedAt.AddDate(0, 0, p.ReturnDays)})
}

// completeReferral is a referral's timer, at the end of the return window
// of the friend's first order: kept, both are rewarded — unless the
// referrer's month is at its cap — and the change log hears
// referral.completed; returned or cancelled, the referral is refused.
func completeReferral(ctx context.Context, tx *store.Tx, p loyalty.Program, t store.Timer) error {
	if !p.ReferralOn() {
		return nil // switched off since: the referral waits
	}
	r, err := tx.GetReferral(ctx, t.SubjectID)
	if err != nil || r.Status != loyalty.ReferralOrdered {
		return err
	}
	o, err := tx.LoyaltyOrder(ctx, r.OrderID)
	if err != nil {
		return err
	}
	if o.Net() == 0 {
		return tx.SetReferral(ctx, r.ID, loyalty.ReferralRefused, loyalty.RefusedReturned, o.ID)
	}
	if limit := p.Referral.MaxPerMonth; limit > 0 {
		n, err := tx.ReferralsRewarded(ctx, r.ReferrerID, tx.Now().Add(-loyalty.ReferralWindow))
		if err != nil {
			return err
		}
		if n >= limit {
			return tx.SetReferral(ctx, r.ID, loyalty.ReferralRefused, loyalty.RefusedCap, o.ID)
		}
	}
	if err := tx.SetReferral(ctx, r.ID, loyalty.ReferralCompleted, "", o.ID); err != nil {
		return err
	}
	op := fmt.Sprintf("referral:%d:", r.ID)
	if _, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: r.ReferrerID, Points: p.Referral.ReferrerPoints, Op: op + "referrer", Reason: "referral"}); err != nil {
		return err
	}
	if _, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: r.FriendID, Points: p.Referral.FriendPoints, Op: op + "friend", Reason: "referral"}); err != nil {
		return err
	}
	return tx.AppendChange(ctx, store.Change{Kind: store.ChangeReferralCompleted, SubjectID: r.ID, CustomerID: r.ReferrerID, Detail: "completed"})
}

// backfillReferrals attributes the pending referrals whose friend's first
// order was placed since a time (a backfill: the consumer saw those orders
// before the referral was recorded).
func backfillReferrals(ctx context.Context, tx *store.Tx, p loyalty.Program, since time.Time) error {
	if !p.ReferralOn() {
		return nil
	}
	pending, err := tx.PendingFirstOrders(ctx, since, tx.Now())
	if err != nil {
		return err
	}
	for _, r := range pending {
		o, err := tx.LoyaltyOrder(ctx, r.OrderID)
		if err != nil {
			return err
		}
		if err := orderedReferral(ctx, tx, p, r.ID, o); err != nil {
			return err
		}
	}
	return nil
}

// Referrals lists referrals, newest first (customers:read): all, or one
// referrer's.
func (w Work) Referrals(ctx context.Context, a retain.Actor, referrer, status string, limit int) ([]ReferralRow, error) {
	if err := a.Require(retain.PermCustomersRead); err != nil {
		return nil, err
	}
	f := store.ReferralFilter{Status: status, Limit: limit}
	switch status {
	case "", loyalty.ReferralPending, loyalty.ReferralOrdered, loyalty.ReferralCompleted, loyalty.ReferralRefused:
	default:
		return nil, retain.FieldError("status", "%q is not pending, ordered, completed or refused", status)
	}
	if referrer != "" {
		c, err := w.DB.GetCustomer(ctx, referrer)
		if err != nil {
			return nil, fieldNotFound("referrer_id", err)
		}
		f.ReferrerID = c.ID
	}
	rows, err := w.DB.Referrals(ctx, f)
	out := make([]ReferralRow, len(rows))
	for i, r := range rows {
		out[i] = ReferralRow{ID: r.ID, Referrer: r.Referrer, ReferrerName: r.ReferrerName, Friend: r.Friend, FriendName: r.FriendName,
			Status: r.Status, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ReferrerInternal: r.ReferrerID, FriendInternal: r.FriendID}
		if r.CouponCode != "" {
			out[i].CouponCode = loyalty.FormatCode(r.CouponCode)
		}
	}
	return out, err
}

// ReferralRow is a referral as lists show it.
type ReferralRow struct {
	ID           int64     `json:"id"`
	Referrer     string    `json:"referrer_id"`
	ReferrerName string    `json:"referrer_name"`
	Friend       string    `json:"friend_id"`
	FriendName   string    `json:"friend_name"`
	Status       string    `json:"status" enum:"pending,ordered,completed,refused"`
	Reason       string    `json:"reason,omitempty"`
	CouponCode   string    `json:"coupon_code,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// The customers' own ids, for pages' links.
	ReferrerInternal, FriendInternal int64 `json:"-"`
}

// Signup is a friend signing up on a referral landing page.
type Signup struct {
	Name, Phone, Email, Locale string
	Country                    string // a national number's, when the business sets no phone country (the page's language's)
	Marketing                  bool   // they agree to offers by SMS/WhatsApp/e-mail
}

// SignUpReferred signs a friend up from a referral code's landing page:
// the customer with their phone or e-mail if there is one, else a new
// customer through the one way in, then Refer. Problems name the form's
// fields.
func SignUpReferred(ctx context.Context, db *store.DB, code string, s Signup) (ReferralResult, error) {
	by := retain.System("referral")
	s.Name, s.Email = strings.TrimSpace(s.Name), strings.TrimSpace(s.Email)
	p := retain.Problems{}
	if s.Name == "" || len(s.Name) > 200 {
		p.Add("name", "is required, up to %d characters", 200)
	}
	var phone string
	if strings.TrimSpace(s.Phone) != "" {
		var err error
		if phone, err = retain.NormalizePhone(s.Phone, cmp.Or(PhoneCountry(ctx, db), s.Country)); err != nil {
			p.Add("phone", "%v", err)
		}
	}
	if s.Email != "" {
		var err error
		if s.Email, err = retain.NormalizeEmail(s.Email); err != nil {
			p.Add("email", "%v", err)
		}
	}
	if phone == "" && s.Email == "" && p.Err() == nil {
		p.Add("phone", "a phone number or an e-mail address is required")
	}
	if err := p.Err(); err != nil {
		return ReferralResult{}, err
	}
	ref, err := existingCustomer(ctx, db, phone, s.Email)
	if err != nil {
		return ReferralResult{}, err
	}
	if ref == "" {
		id := make([]byte, 8)
		rand.Read(id)
		ref = "ref-" + hex.EncodeToString(id)
		body := &CustomerBody{ExternalID: ref, Name: s.Name, Phone: phone, Email: s.Email, Locale: LocaleOf(s.Locale)}
		var channels []string
		if phone != "" {
			channels = append(channels, "sms", "whatsapp")
		}
		if s.Email != "" {
			channels = append(channels, "email")
		}
		for _, ch := range channels { // what they signed up on reaches them; offers only if they said so
			body.Consents = append(body.Consents, ConsentBody{Channel: ch, Purpose: string(retain.PurposeTransactional), Granted: true})
			if s.Marketing {
				body.Consents = append(body.Consents, ConsentBody{Channel: ch, Purpose: string(retain.PurposeMarketing), Granted: true})
			}
		}
		if _, err := Ingest(ctx, db, by, Input{Events: []Event{{ID: "referral-signup:" + ref, Type: "customer.upsert", Customer: body}}}); err != nil {
			return ReferralResult{}, err
		}
	}
	return Work{DB: db}.Refer(ctx, by, code, ref)
}

// existingCustomer is the customer with the phone, else the e-mail, or "".
func existingCustomer(ctx context.Context, db *store.DB, phone, email string) (string, error) {
	if phone != "" {
		refs, err := db.CustomerRefsByPhone(ctx, phone)
		if err != nil || len(refs) > 0 {
			return first(refs), err
		}
	}
	if email != "" {
		refs, err := db.CustomerRefsByEmail(ctx, email)
		return first(refs), err
	}
	return "", nil
}

func first(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	return refs[0]
}
