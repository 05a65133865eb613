package core_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestOneWayIn keeps core.Ingest the only way outside writes enter: no
// package but the store (which defines them) and core (Ingest) calls the
// store's batch writers. Tests may, to set up fixtures.
func TestOneWayIn(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.(Apply|ApplyStaged)\(`)
	err = filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, filepath.Join("internal", "store")) || rel == filepath.Join("internal", "core", "ingest.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := call.FindIndex(b); loc != nil {
			line := 1 + strings.Count(string(b[:loc[0]]), "\n")
			t.Errorf("%s:%d writes a batch around core.Ingest", rel, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestIngestNothing: an ingest with neither events nor rows does nothing
// (it used to dereference an empty batch).
func TestIngestNothing(t *testing.T) {
	db := storetest.SQLite(t)
	if res, err := core.Ingest(context.Background(), db, retain.System("test"), core.Input{}); err != nil || res.Applied != 0 || len(res.Rejects) != 0 {
		t.Errorf("empty ingest: %+v %v", res, err)
	}
}
