package site

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestOverridesApplied: each directive a .htaccess file may hold is applied
// per directory (dir.apply knows it), refused (notApplied) or ignored as
// apache2 ignores it; and each directive dir.apply knows has its line in
// overrides (a missing one would be unknown, and skipped under
// Nonfatal=Unknown however much it restricts).
func TestOverridesApplied(t *testing.T) {
	for name, class := range overrides() {
		if class == 0 || strings.HasPrefix(name, "<") || notApplied[name] || ignored[name] {
			continue
		}
		var d dir
		if err := d.apply(Directive{Name: name, Args: []string{"x", "y", "z"}}, false); err == errUnhandled {
			t.Errorf("%s: in overrides, neither applied by dir.apply nor in notApplied", name)
		}
	}
	for name := range notApplied {
		var d dir
		if err := d.apply(Directive{Name: name, Args: []string{"x", "y", "z"}}, false); err != errUnhandled {
			t.Errorf("%s: applied by dir.apply, yet in notApplied", name)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "config.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "apply" {
			continue
		}
		sw := fn.Body.List[1].(*ast.SwitchStmt)
		for _, c := range sw.Body.List {
			for _, e := range c.(*ast.CaseClause).List {
				name, _ := strconv.Unquote(e.(*ast.BasicLit).Value)
				if _, ok := overrides()[name]; !ok {
					t.Errorf("%s: applied by dir.apply, missing from overrides", name)
				}
			}
		}
	}
}

// TestOverridesRegistered: each directive of overrides has apache2's
// registered name, which its messages use.
func TestOverridesRegistered(t *testing.T) {
	for name := range overrides() {
		if _, ok := registered()[name]; !ok {
			t.Errorf("%s: no registered name", name)
		}
	}
}
