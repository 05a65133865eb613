package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
	eachCall(t, func(name string, args []ast.Expr) {
		if lit, ok := args[0].(*ast.BasicLit); ok && name == "Because" && lit.Kind == token.STRING {
			code, _ := strconv.Unquote(lit.Value)
			codes = append(codes, code)
		}
	})
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

// TestEveryAuditActionHasWords: each action the source writes to the audit
// log (a literal, or the literal family of one made up at run time, such
// as "user."+purpose) has its words in every catalog, so the audit page
// never shows an action as its code.
func TestEveryAuditActionHasWords(t *testing.T) {
	var actions []string
	eachCall(t, func(name string, args []ast.Expr) {
		if name != "Audit" || len(args) < 5 {
			return
		}
		action := args[2]
		if bin, ok := action.(*ast.BinaryExpr); ok {
			action = bin.X // "family." + what
		}
		if lit, ok := action.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			a, _ := strconv.Unquote(lit.Value)
			actions = append(actions, a)
		}
	})
	if !slices.Contains(actions, "team.rename") || !slices.Contains(actions, "user.") {
		t.Fatalf("the scan found too little: %v", actions)
	}
	for _, lang := range i18n.Languages {
		keys, err := i18n.Keys(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			if !slices.Contains(keys, "audit.action."+a) {
				t.Errorf("%s: no words for the audit action %q (audit.action.%s)", lang, a, a)
			}
		}
	}
}

// eachCall calls fn with the name and arguments of every call with two or
// more arguments in the module's Go source (tests and test data left out).
func eachCall(t *testing.T, fn func(name string, args []ast.Expr)) {
	t.Helper()
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
			switch f := call.Fun.(type) {
			case *ast.SelectorExpr:
				fn(f.Sel.Name, call.Args)
			case *ast.Ident:
				fn(f.Name, call.Args)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPluralsAreCounted: a message with plural forms is said with L.N,
// which picks the form for the count ("1 person", "2 people"); L.T with a
// Count says every count in the "other" form ("1 people").
func TestPluralsAreCounted(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var catalog map[string]any
	if err := json.Unmarshal(raw, &catalog); err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.T[ (]"([a-z0-9_.]+)",? "Count"`)
	pages, _ := filepath.Glob(filepath.Join("templates", "*.html"))
	sources, _ := filepath.Glob("*.go")
	found := 0
	for _, p := range append(pages, sources...) {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		text, _ := os.ReadFile(p)
		for _, m := range call.FindAllStringSubmatch(string(text), -1) {
			found++
			if _, plural := catalog[m[1]].(map[string]any); plural {
				t.Errorf("%s: %s has plural forms but is said with T: use N", p, m[1])
			}
		}
	}
	if found == 0 {
		t.Fatal("the scan found no T … \"Count\" calls")
	}
}
