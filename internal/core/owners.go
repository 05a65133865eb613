package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// OwnerRules say who owns a customer who has no owner yet (docs/product.md: Owners and onboarding).
type OwnerRules struct {
	Rule     string            `json:"rule"`               // round_robin, least_loaded or by_segment
	Staff    []string          `json:"staff,omitempty"`    // the pool, by email; default every active agent and manager
	Segments map[string]string `json:"segments,omitempty"` // by_segment: segment → email; other segments by round robin
}

// OwnerRulesKey is where serve finds the rules (retain owners assign --save).
const OwnerRulesKey = "owners"

const ownerCursorKey = "owners.cursor"

// Check validates the rules.
func (r OwnerRules) Check() error {
	if !slices.Contains([]string{"round_robin", "least_loaded", "by_segment"}, r.Rule) {
		return retain.FieldError("rule", "%q is not round_robin, least_loaded or by_segment", r.Rule)
	}
	return nil
}

// AssignOwners gives every customer without an owner one, by the rules, and
// logs each assignment. It returns how many it assigned.
func AssignOwners(ctx context.Context, db *store.DB, r OwnerRules) (int, error) {
	if err := r.Check(); err != nil {
		return 0, err
	}
	owners, err := db.Owners(ctx)
	if err != nil {
		return 0, err
	}
	byEmail := map[string]int{}
	var pool []int // indexes into owners
	for i, o := range owners {
		if o.Email != "" {
			byEmail[o.Email] = i
		}
		if len(r.Staff) == 0 || slices.Contains(r.Staff, o.Email) {
			pool = append(pool, i)
		}
	}
	for seg, email := range r.Segments {
		if _, ok := byEmail[email]; !ok {
			return 0, retain.FieldError("segments."+seg, "%q is not an active agent or manager", email)
		}
	}
	if len(pool) == 0 {
		return 0, retain.Errorf(retain.EINVALID, "no active agent or manager to assign customers to (retain user add)")
	}
	v, _, err := db.Setting(ctx, ownerCursorKey)
	if err != nil {
		return 0, err
	}
	cursor, _ := strconv.Atoi(v)
	load := make([]int, len(owners))
	for i, o := range owners {
		load[i] = o.OpenWork
	}
	total := 0
	for {
		batch, err := db.UnownedCustomers(ctx, 500)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			for _, c := range batch {
				var pick int
				switch {
				case r.Rule == "by_segment" && r.Segments[c.Segment] != "":
					pick = byEmail[r.Segments[c.Segment]]
				case r.Rule == "least_loaded":
					pick = pool[0]
					for _, i := range pool[1:] {
						if load[i] < load[pick] {
							pick = i
						}
					}
				default:
					pick = pool[cursor%len(pool)]
					cursor++
				}
				ok, err := tx.AssignOwner(ctx, c.ID, owners[pick].ID, r.Rule, "rule", true)
				if err != nil {
					return err
				}
				if ok {
					load[pick]++
					total++
				}
			}
			return tx.SetSetting(ctx, ownerCursorKey, strconv.Itoa(cursor))
		})
		if err != nil {
			return total, err
		}
	}
}

// StoredOwnerRules reads the rules serve applies; ok is false when none.
func StoredOwnerRules(ctx context.Context, db *store.DB) (OwnerRules, bool, error) {
	v, ok, err := db.Setting(ctx, OwnerRulesKey)
	if err != nil || !ok {
		return OwnerRules{}, false, err
	}
	var r OwnerRules
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return r, false, fmt.Errorf("stored owner rules: %w", err)
	}
	return r, true, r.Check()
}
