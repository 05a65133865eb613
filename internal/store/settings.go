package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/retainhq/retain"
)

// Setting returns a runtime setting; ok is false when it was never set.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores a runtime setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, key, value) })
}

// SaveSetting is a person's (or a key's) change to a setting, written with
// its audit entry. The entry names the key, not the value: settings hold
// gateway secrets.
func (db *DB) SaveSetting(ctx context.Context, by retain.Actor, key, value string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if err := tx.SetSetting(ctx, key, value); err != nil {
			return err
		}
		return tx.Audit(ctx, by, AuditSettings, "setting:"+key, "")
	})
}

// SetSetting stores a runtime setting inside a transaction.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	// Every change takes the next version, which is how running jobs
	// notice it (SettingsVersion).
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at, version)
		VALUES ($1, $2, $3, (SELECT COALESCE(MAX(version), 0) + 1 FROM settings))
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, version = excluded.version
		WHERE settings.value IS DISTINCT FROM excluded.value`, key, value, tx.now)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}

// SettingOrInit returns a setting, storing init first when it was never set
// (two processes racing both get the first one stored).
func (db *DB) SettingOrInit(ctx context.Context, key, init string) (string, error) {
	if v, ok, err := db.Setting(ctx, key); err != nil || ok {
		return v, err // the common case: a read, no write transaction
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`, key, init, tx.now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	v, _, err := db.Setting(ctx, key)
	return v, err
}

// SettingsVersion grows with every change of any setting: a job that read
// the settings at version v reads them again when this is no longer v.
func (db *DB) SettingsVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM settings`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: settings version: %w", err)
	}
	return v, nil
}
