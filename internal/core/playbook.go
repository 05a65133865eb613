package core

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// CurrentPlaybook reads and parses a playbook's current version.
func CurrentPlaybook(ctx context.Context, db *store.DB, key string) (*retain.Playbook, error) {
	b, err := db.CurrentPlaybook(ctx, key)
	if err != nil {
		return nil, err
	}
	return retain.ParsePlaybook(b)
}

//go:embed playbooks/*.json
var builtinFS embed.FS

// Builtins are the shipped playbook templates (docs/product.md: Playbooks).
func Builtins() ([]*retain.Playbook, error) {
	files, err := fs.Glob(builtinFS, "playbooks/*.json")
	if err != nil {
		return nil, err
	}
	var out []*retain.Playbook
	for _, f := range files {
		b, _ := builtinFS.ReadFile(f)
		p, err := retain.ParsePlaybook(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, p)
	}
	return out, nil
}
