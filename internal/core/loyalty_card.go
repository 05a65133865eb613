package core

import (
	"context"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// The public loyalty card: a page a customer opens from a link (no
// account), showing their points, stamps, rewards and coupons in their
// language, with a QR code the till scans to find them. The link's token
// is 128 random bits, kept only as its hash; a new link revokes the old.

// CardLink makes the customer a new card link (loyalty:redeem) and, with
// send, messages it to them on the first channel that reaches them; it
// returns the link and the channel (empty when it was not sent).
func (w Work) CardLink(ctx context.Context, a retain.Actor, live *LiveSettings, ref string, send bool) (link string, channel retain.Channel, err error) {
	if err := a.Require(retain.PermLoyaltyRedeem); err != nil {
		return "", "", err
	}
	c, err := w.DB.GetCustomer(ctx, ref)
	if err != nil {
		return "", "", fieldNotFound("customer_id", err)
	}
	m, err := live.Messaging(ctx)
	if err != nil {
		return "", "", err
	}
	f, err := w.DB.CustomerFacts(ctx, c.ID)
	if err != nil {
		return "", "", err
	}
	token, hash, err := NewSurveyToken() // the same 128-bit random token and hash as a survey link's
	if err != nil {
		return "", "", err
	}
	link = CardURL(m.Settings.PublicURL, token)
	err = w.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.NewCardLink(ctx, c.ID, hash); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "loyalty.card_link", "customer:"+ref, map[bool]string{true: "sent", false: "made"}[send]); err != nil {
			return err
		}
		if !send {
			return nil
		}
		subj := Subject{Facts: f, Locale: LocaleOf(f.Locale), Channels: m.Configured(), Business: m.Settings.BusinessName, Now: tx.Now()}
		if f.Locale == "" && m.Settings.Language != "" {
			subj.Locale = m.Settings.Language
		}
		ch, to, _, waiting := pickChannel([]retain.Channel{retain.ChannelWhatsApp, retain.ChannelSMS, retain.ChannelEmail}, subj)
		if ch == "" || len(waiting) > 0 {
			return nil // nowhere to send it now: the link is shown to the staff member
		}
		body := render(cardMessage, subj) + " " + link
		_, _, err = tx.EnqueueMessage(ctx, retain.Message{IdempotencyKey: "card:" + hash, CustomerID: c.ID, Channel: ch,
			Purpose: retain.PurposeTransactional, Kind: "loyalty.card", Recipient: to, Body: body, DueAt: tx.Now(), MaxLateness: 24 * time.Hour})
		channel = ch
		return err
	})
	return link, channel, err
}

// cardMessage goes before the card's link.
var cardMessage = map[string]string{
	"en": "{{.FirstName}}, your loyalty card at {{.Business}}: points, stamps and rewards.",
	"bn": "{{.FirstName}}, {{.Business}}-এ আপনার লয়্যালটি কার্ড: পয়েন্ট, স্ট্যাম্প ও পুরস্কার।",
	"ne": "{{.FirstName}}, {{.Business}} मा तपाईंको लोयल्टी कार्ड: पोइन्ट, स्ट्याम्प र पुरस्कार।",
}

// CardURL is the public card page of a token under publicURL.
func CardURL(publicURL, token string) string {
	return strings.TrimSuffix(publicURL, "/") + "/card/" + token
}

// CardCustomer is the customer a card link's token opens, ENOTFOUND for a
// token that is no live card's.
func CardCustomer(ctx context.Context, db *store.DB, token string) (int64, error) {
	if len(token) < 16 || len(token) > 64 {
		return 0, retain.Errorf(retain.ENOTFOUND, "no such card")
	}
	return db.CardCustomer(ctx, SurveyTokenHash(token))
}
