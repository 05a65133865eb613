package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

const unsubscribeSecretKey = "unsubscribe.secret"

// UnsubscribeSecret is the key that signs unsubscribe links, made on first
// use. Links do not expire (CAN-SPAM wants ≥ 30 days, docs/reliability.md M8 a
// year); rotating the key ends them all.
func UnsubscribeSecret(ctx context.Context, db *store.DB) ([]byte, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	v, err := db.SettingOrInit(ctx, unsubscribeSecretKey, base64.StdEncoding.EncodeToString(raw[:]))
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(v)
}

// UnsubscribeToken signs a customer and channel: no database lookup can be
// guessed from it, and it cannot be altered.
func UnsubscribeToken(secret []byte, customerID int64, channel string) string {
	payload := fmt.Sprintf("%d.%s", customerID, channel)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:20])
}

// ParseUnsubscribeToken checks a token and returns what it names.
func ParseUnsubscribeToken(secret []byte, token string) (int64, string, error) {
	bad := retain.Errorf(retain.ENOTFOUND, "this unsubscribe link is not valid")
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return 0, "", bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return 0, "", bad
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)[:20]) {
		return 0, "", bad
	}
	id, channel, _ := strings.Cut(string(payload), ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, "", bad
	}
	return n, channel, nil
}

// UnsubscribeLinks makes the one-click unsubscribe URL of a marketing
// message under publicURL; nil when publicURL is empty.
func UnsubscribeLinks(ctx context.Context, db *store.DB, publicURL string) (func(customerID int64, channel string) string, error) {
	if publicURL == "" {
		return nil, nil
	}
	secret, err := UnsubscribeSecret(ctx, db)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(publicURL, "/")
	return func(customerID int64, channel string) string {
		return base + "/unsubscribe/" + UnsubscribeToken(secret, customerID, channel)
	}, nil
}
