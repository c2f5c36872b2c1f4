package store_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sqlCalls are the methods that take SQL text (GORM, database/sql, pgx).
var sqlCalls = map[string]bool{
	"Raw": true, "Exec": true, "Where": true, "Order": true, "Or": true, "Not": true,
	"Joins": true, "Select": true, "Having": true, "Group": true, "Expr": true,
	"ExecContext": true, "Query": true, "QueryContext": true, "QueryRow": true, "QueryRowContext": true,
}

// buildsString reports whether e builds text at run time: fmt.Sprint*,
// strings.Join/Replace/Concat, or + with a string literal on one side.
func buildsString(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok {
					switch {
					case pkg.Name == "fmt" && strings.HasPrefix(sel.Sel.Name, "Sprint"):
						found = true
					case pkg.Name == "strings" && (sel.Sel.Name == "Join" || sel.Sel.Name == "Replace" || sel.Sel.Name == "ReplaceAll" || sel.Sel.Name == "Repeat"):
						found = true
					}
				}
			}
		case *ast.BinaryExpr:
			if x.Op == token.ADD && (isStringLit(x.X) || isStringLit(x.Y) || buildsString(x.X) || buildsString(x.Y)) {
				found = true
			}
		}
		return !found
	})
	return found
}

func isStringLit(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING
	case *ast.BinaryExpr:
		return isStringLit(x.X) || isStringLit(x.Y)
	case *ast.ParenExpr:
		return isStringLit(x.X)
	}
	return false
}

// scanSQL returns file:line of every SQL call whose text is built from
// strings: directly in its arguments, or in the variable passed as its
// first argument. A line carrying "sqlcheck:ok" (with a reason) is allowed:
// identifiers such as a database name cannot be parameters.
func scanSQL(fset *token.FileSet, name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	allowed := map[int]bool{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.Contains(c.Text, "sqlcheck:ok") {
				allowed[fset.Position(c.Pos()).Line] = true
			}
		}
	}
	var out []string
	report := func(pos token.Pos, why string) {
		p := fset.Position(pos)
		if !allowed[p.Line] {
			out = append(out, fmt.Sprintf("%s:%d: %s", p.Filename, p.Line, why))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !sqlCalls[sel.Sel.Name] {
			return true
		}
		for i, arg := range call.Args {
			if buildsString(arg) {
				report(arg.Pos(), sel.Sel.Name+"(...) argument built with fmt.Sprintf or + concatenation")
				continue
			}
			// The SQL in a variable: look at what it was assigned.
			id, ok := arg.(*ast.Ident)
			if !ok || id.Obj == nil || id.Obj.Kind != ast.Var || i > 1 {
				continue
			}
			switch d := id.Obj.Decl.(type) {
			case *ast.AssignStmt:
				for _, rhs := range d.Rhs {
					if buildsString(rhs) {
						report(d.Pos(), sel.Sel.Name+"(...) gets "+id.Name+", built with fmt.Sprintf or + concatenation")
					}
				}
			case *ast.ValueSpec:
				for _, v := range d.Values {
					if buildsString(v) {
						report(d.Pos(), sel.Sel.Name+"(...) gets "+id.Name+", built with fmt.Sprintf or + concatenation")
					}
				}
			}
		}
		return true
	})
	return out, nil
}

// moduleRoot finds the directory holding go.mod above the test's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// No SQL anywhere in the repository is built from strings: values go in
// as parameters, ORDER BY columns come from fixed maps.
func TestNoSQLBuiltFromStrings(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var bad []string
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		found, err := scanSQL(fset, rel, src)
		if err != nil {
			return err
		}
		files++
		bad = append(bad, found...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("scanned only %d files", files)
	}
	if len(bad) > 0 {
		t.Errorf("SQL built from strings (use parameters, or clause.Column from a fixed map):\n%s", strings.Join(bad, "\n"))
	}
}

// The scanner itself finds what it must.
func TestScanSQLFindsConcatenation(t *testing.T) {
	t.Parallel()
	src := `package x
func f(db DB, name, col string, n int) {
	db.Where("name = '" + name + "'")                  // bad 3
	db.Raw(fmt.Sprintf("SELECT * FROM t WHERE a = %s", name)) // bad 4
	q := "SELECT " + col + " FROM t"
	db.Exec(q)                                         // bad 5 (assignment)
	db.Order(col + " DESC")                            // bad 7
	db.Where("a = ?", name)                            // fine
	db.Limit(n + 1)                                    // fine: not SQL text
	db.Where("b = ?", n+1)                             // fine: numeric parameter
	s := "DROP DATABASE " + name //sqlcheck:ok reason
	db.Exec(s)
	db.Joins(strings.Join([]string{"a", "b"}, " "))   // bad 13
}
`
	got, err := scanSQL(token.NewFileSet(), "x.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x.go:3:", "x.go:4:", "x.go:5:", "x.go:7:", "x.go:13:"}
	if len(got) != len(want) {
		t.Fatalf("found %d:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("finding %d = %s, want %s…", i, got[i], w)
		}
	}
}
