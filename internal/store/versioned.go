package store

import (
	"context"
	"fmt"

	"github.com/retainhq/retain"
)

// versioned is a definition kept in versions (playbooks, surveys): a head
// table with the current version and whether it is on, and a table of
// every version's JSON. What was sent or enrolled keeps the version it
// started with, so a later edit never changes what a customer was asked.
type versioned struct {
	head, versions, noun, list string
}

var (
	playbookDefs = versioned{head: "playbooks", versions: "playbook_versions", noun: "playbook", list: "retain playbook list"}
	surveyDefs   = versioned{head: "surveys", versions: "survey_versions", noun: "survey", list: "retain survey list"}
)

// save stores a definition as the next version, unless it equals the
// current one. A new one starts enabled or not as asked.
func (v versioned) save(ctx context.Context, db *DB, key string, definition []byte, enabled bool) (version int, created bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		// Insert-or-keep first, then read under a row lock: two processes
		// installing the same definition at once (two serves starting)
		// take turns instead of one failing on the primary key.
		if _, err := tx.exec(ctx, `INSERT INTO `+v.head+` (key, version, enabled, updated_at) VALUES ($1, 0, $2, $3)
			ON CONFLICT (key) DO NOTHING`, key, enabled, tx.now); err != nil {
			return fmt.Errorf("store: save %s: %w", v.noun, err)
		}
		lock := ""
		if tx.db.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var cur int
		if err := tx.tx.QueryRowContext(ctx, `SELECT version FROM `+v.head+` WHERE key = $1`+lock, key).Scan(&cur); err != nil {
			return fmt.Errorf("store: save %s: %w", v.noun, err)
		}
		if cur > 0 {
			var def string
			if err := tx.tx.QueryRowContext(ctx, `SELECT definition FROM `+v.versions+` WHERE key = $1 AND version = $2`, key, cur).Scan(&def); err != nil {
				return fmt.Errorf("store: save %s: %w", v.noun, err)
			}
			if sameJSON(def, definition) {
				version = cur
				return nil
			}
		}
		version, created = cur+1, true
		if _, err := tx.exec(ctx, `INSERT INTO `+v.versions+` (key, version, definition, created_at) VALUES ($1, $2, $3, $4)`,
			key, version, string(definition), tx.now); err != nil {
			return fmt.Errorf("store: save %s: %w", v.noun, err)
		}
		_, err = tx.exec(ctx, `UPDATE `+v.head+` SET version = $2, updated_at = $3 WHERE key = $1`, key, version, tx.now)
		return err
	})
	return version, created, err
}

// current returns the current version, its definition and whether it is on.
func (v versioned) current(ctx context.Context, db *DB, key string) (version int, enabled bool, def []byte, err error) {
	var s string
	err = db.read.QueryRowContext(ctx, `SELECT h.version, h.enabled, v.definition FROM `+v.head+` h
		JOIN `+v.versions+` v ON v.key = h.key AND v.version = h.version WHERE h.key = $1`, key).Scan(&version, &enabled, &s)
	if err != nil {
		return 0, false, nil, notFound(err, "no %s %q (see %s)", v.noun, key, v.list)
	}
	return version, enabled, []byte(s), nil
}

// version returns one version's definition.
func (v versioned) version(ctx context.Context, db *DB, key string, version int) ([]byte, error) {
	var def string
	err := db.read.QueryRowContext(ctx, `SELECT definition FROM `+v.versions+` WHERE key = $1 AND version = $2`, key, version).Scan(&def)
	if err != nil {
		return nil, notFound(err, "no %s %s version %d", v.noun, key, version)
	}
	return []byte(def), nil
}

// setEnabled turns a definition on or off.
func (v versioned) setEnabled(ctx context.Context, tx *Tx, key string, enabled bool) error {
	res, err := tx.exec(ctx, `UPDATE `+v.head+` SET enabled = $2, updated_at = $3 WHERE key = $1`, key, enabled, tx.now)
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", v.noun, key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return retain.Errorf(retain.ENOTFOUND, "no %s %q (see %s)", v.noun, key, v.list)
	}
	return nil
}
