package mpm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenInAPI are the packages whose types must not appear in the
// SDK's exported API: the wire protocol and its machinery stay behind
// the SDK, so that they can change without breaking an MPM's source.
// github.com/hashicorp/go-hclog is not one of them: Config.Log, Child.Log
// and LevelFromApache name its Logger and Level on purpose (package doc,
// Stability).
var forbiddenInAPI = []string{
	"github.com/httpd-mpm/httpd-mpm/proto/",
	"github.com/httpd-mpm/httpd-mpm/internal/",
	"github.com/httpd-mpm/httpd-mpm/host/",
	"github.com/hashicorp/go-plugin",
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
}

// TestAPIHasNoWireTypes reads every package of the SDK (this directory and
// below) and fails for an exported function, method, type, field,
// variable or constant whose type names a package of forbiddenInAPI.
func TestAPIHasNoWireTypes(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		for _, bad := range wireTypesInAPI(f) {
			t.Errorf("%s: %s", fset.Position(bad.Pos()), describeUse(bad))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("read only %d files", checked)
	}
}

// wireTypesInAPI returns the selector expressions (pkg.Name) naming a
// forbidden package in the exported declarations of f.
func wireTypesInAPI(f *ast.File) []*ast.SelectorExpr {
	forbidden := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := importName(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		for _, prefix := range forbiddenInAPI {
			if strings.HasPrefix(p, prefix) || p == strings.TrimSuffix(prefix, "/") {
				forbidden[name] = true
			}
		}
	}
	if len(forbidden) == 0 {
		return nil
	}
	var found []*ast.SelectorExpr
	look := func(n ast.Node) {
		if n == nil {
			return
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && forbidden[x.Name] {
					found = append(found, sel)
				}
			}
			return true
		})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
				look(d.Type)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						lookExported(s.Type, look)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							look(s.Type)
							break
						}
					}
				}
			}
		}
	}
	return found
}

// lookExported looks at a type, but only at the exported fields and
// methods of a struct or an interface.
func lookExported(typ ast.Expr, look func(ast.Node)) {
	var fields *ast.FieldList
	switch t := typ.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		look(typ)
		return
	}
	for _, f := range fields.List {
		if len(f.Names) == 0 { // embedded
			look(f.Type)
			continue
		}
		for _, n := range f.Names {
			if n.IsExported() {
				look(f.Type)
				break
			}
		}
	}
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	for {
		switch t := typ.(type) {
		case *ast.StarExpr:
			typ = t.X
		case *ast.IndexExpr:
			typ = t.X
		case *ast.IndexListExpr:
			typ = t.X
		case *ast.Ident:
			return t.IsExported()
		default:
			return false
		}
	}
}

// importName is the package name an import path gets by default: its last
// element, without a version element or a go- prefix.
func importName(p string) string {
	name := path.Base(p)
	if len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = path.Base(path.Dir(p))
	}
	return strings.TrimPrefix(name, "go-")
}

func describeUse(sel *ast.SelectorExpr) string {
	return "the exported API names " + sel.X.(*ast.Ident).Name + "." + sel.Sel.Name + ", a type of the wire protocol or its machinery"
}
