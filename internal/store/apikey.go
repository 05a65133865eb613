package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// APIKey describes a key; the secret itself is shown once, at creation.
type APIKey struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Scopes are what the key may do (retain.ScopePermissions).
	Scopes []retain.Scope `json:"scopes"`
}

const keyPrefix = "rtn_"

func hashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateAPIKey makes a new key with 256 bits from crypto/rand and returns it
// with its secret, which is not stored.
func (db *DB) CreateAPIKey(ctx context.Context, by retain.Actor, name string, scopes []retain.Scope) (APIKey, string, error) {
	if strings.TrimSpace(name) == "" {
		return APIKey{}, "", retain.FieldError("name", "is required")
	}
	if len(scopes) == 0 {
		return APIKey{}, "", retain.FieldError("scopes", "choose at least one of %s", retain.JoinScopes(retain.Scopes))
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return APIKey{}, "", fmt.Errorf("store: api key: %w", err)
	}
	secret := keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	k := APIKey{Name: name, Prefix: secret[:len(keyPrefix)+6], Scopes: scopes}
	err := db.WithTx(ctx, func(tx *Tx) error {
		k.CreatedAt = tx.now
		if err := tx.tx.QueryRowContext(ctx, `INSERT INTO api_keys (name, prefix, key_hash, created_at, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			name, k.Prefix, hashKey(secret), tx.now, retain.JoinScopes(scopes)).Scan(&k.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "apikey.create", fmt.Sprintf("api_key:%d", k.ID), name+" "+retain.JoinScopes(scopes))
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("store: create api key: %w", err)
	}
	return k, secret, nil
}

// AuthenticateAPIKey returns the live key whose secret is given, or
// EUNAUTHORIZED. Lookup is by the key's hash, so no secret is compared.
func (db *DB) AuthenticateAPIKey(ctx context.Context, secret string) (APIKey, error) {
	var k APIKey
	if !strings.HasPrefix(secret, keyPrefix) {
		return k, retain.Errorf(retain.EUNAUTHORIZED, "invalid API key")
	}
	var scopes string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, prefix, created_at, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
		hashKey(secret)).Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &scopes)
	if err != nil {
		return k, notFoundAs(err, retain.EUNAUTHORIZED, "invalid API key")
	}
	k.Scopes = storedScopes(scopes)
	return k, nil
}

// ListAPIKeys lists every key, newest first.
func (db *DB) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, prefix, created_at, last_used_at, revoked_at, scopes FROM api_keys ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: list api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var used, revoked nullTime
		var scopes string
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &used, &revoked, &scopes); err != nil {
			return nil, fmt.Errorf("store: list api keys: %w", err)
		}
		k.CreatedAt, k.Scopes = k.CreatedAt.UTC(), storedScopes(scopes)
		if !used.T.IsZero() {
			k.LastUsedAt = &used.T
		}
		if !revoked.T.IsZero() {
			k.RevokedAt = &revoked.T
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey revokes key id; ENOTFOUND if there is no live key with that id.
func (db *DB) RevokeAPIKey(ctx context.Context, by retain.Actor, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, tx.now, id)
		if err != nil {
			return fmt.Errorf("store: revoke api key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return retain.Errorf(retain.ENOTFOUND, "no active API key %d", id)
		}
		return tx.Audit(ctx, by, "apikey.revoke", fmt.Sprintf("api_key:%d", id), "")
	})
}

// storedScopes reads the scopes column; a scope this build does not know
// (written by a newer one) is dropped, so it grants nothing.
func storedScopes(s string) []retain.Scope {
	var out []retain.Scope
	for _, part := range strings.Split(s, ",") {
		if sc := retain.Scope(part); slices.Contains(retain.Scopes, sc) {
			out = append(out, sc)
		}
	}
	return out
}
