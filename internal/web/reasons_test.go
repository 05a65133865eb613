package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
)

// TestEveryReasonHasMessages: each code a refusal can carry (those
// Problems.Add gives known messages, and every retain.Because in the
// source) has its message in every catalog, so a Bengali page never falls
// back to "this value cannot be used" for a reason Retain itself gave.
func TestEveryReasonHasMessages(t *testing.T) {
	codes := retain.ReasonCodes()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && name == "Because" && lit.Kind == token.STRING {
				code, _ := strconv.Unquote(lit.Value)
				codes = append(codes, code)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(codes, "not_date") || !slices.Contains(codes, "unknown_order") || !slices.Contains(codes, "required") {
		t.Fatalf("the scan found too little: %v", codes)
	}
	for _, lang := range i18n.Languages {
		keys, err := i18n.Keys(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if !slices.Contains(keys, "reason."+c) {
				t.Errorf("%s: no message reason.%s", lang, c)
			}
		}
	}
}
