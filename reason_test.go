package retain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportReasonsHaveCodes: every message the import path's checks give
// Problems.Add is one reasonCodes names, so that a refused row is said in
// the reader's language, not in English on a Bengali page. (Playbook
// checks are left out: the editor says its own.)
func TestImportReasonsHaveCodes(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, dir := range []string{"internal/importer", "internal/core", "internal/loyalty"} { // imports, the events API's ingest, coupons
		more, _ := filepath.Glob(dir + "/*.go")
		files = append(files, more...)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Add" {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			if format == "%v" || format == "%s" {
				return true // an error's or a known message's own reason
			}
			if reasonCodes[format] == "" {
				t.Errorf("%s: Add(…, %q) has no reason code", path, format)
			}
			return true
		})
	}
}

func TestProblemsKeepReasons(t *testing.T) {
	p := Problems{}
	_, err := ParseTime("15/03/2026", nil)
	p.Add("placed_at", "%v", err)
	p.Add("quantity", "%q is not a whole number", "two")
	p.Add("name", "%s", TextProblem("a\x00b"))
	p.Add("quantity", "is required") // the first problem of a field stays
	for field, code := range map[string]string{"placed_at": "not_date", "quantity": "not_whole_number", "name": "nul_byte"} {
		if p[field].Code != code {
			t.Errorf("%s: %+v, want code %s", field, p[field], code)
		}
	}
	if got := p["quantity"].Args; len(got) != 1 || got[0] != "two" {
		t.Errorf("quantity args %v, want [two]", got)
	}
	e := p.Err().(*Error)
	if e.Fields["quantity"].Text != `"two" is not a whole number` || e.Fields["placed_at"].Code != "not_date" {
		t.Errorf("error: %+v", e)
	}
}
