// Command doccheck lists exported names without a doc comment in the
// non-test Go files under the given directories (default "."), and the Go
// snippets of package docs that do not compile (see snippets.go), and
// exits 1 if it found any. CI runs it over every module: every exported
// name states its contract, and every snippet a reader copies compiles.
//
//	go run ./internal/cmd/doccheck [dir ...]
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dirs := os.Args[1:]
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	missing := 0
	var files []string
	for _, root := range dirs {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			files = append(files, path)
			n, err := check(path)
			missing += n
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "doccheck:", err)
			os.Exit(2)
		}
	}
	badSnippets, err := checkSnippets(&checker{}, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "doccheck:", err)
		os.Exit(2)
	}
	if missing > 0 || badSnippets > 0 {
		fmt.Printf("doccheck: %d exported names without a doc comment, %d package doc snippets that do not compile\n", missing, badSnippets)
		os.Exit(1)
	}
	fmt.Println("doccheck: every exported name has a doc comment, every package doc snippet compiles")
}

func check(path string) (int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return 0, err
	}
	if f.Name.Name == "main" {
		return 0, nil
	}
	missing := 0
	report := func(pos token.Pos, name string) {
		fmt.Printf("%s: %s has no doc comment\n", fset.Position(pos), name)
		missing++
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil && (!exportedRecv(d.Recv) || stdMethods[d.Name.Name]) {
				continue
			}
			report(d.Pos(), d.Name.Name)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						report(s.Pos(), s.Name.Name)
					}
				case *ast.ValueSpec:
					// A documented group (const/var block) covers its members.
					if d.Doc != nil || s.Doc != nil || s.Comment != nil {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							report(n.Pos(), n.Name)
						}
					}
				}
			}
		}
	}
	return missing, nil
}

// stdMethods implement standard interfaces (error, fmt.Stringer, errors'
// Is/As/Unwrap, encoding's marshalers) whose contract the interface states.
var stdMethods = map[string]bool{
	"Error": true, "String": true, "GoString": true, "Unwrap": true, "Is": true, "As": true,
	"MarshalJSON": true, "UnmarshalJSON": true, "MarshalText": true, "UnmarshalText": true,
	"MarshalBinary": true, "UnmarshalBinary": true, "Format": true,
}

// exportedRecv reports whether a method's receiver type is exported.
func exportedRecv(fl *ast.FieldList) bool {
	if len(fl.List) == 0 {
		return false
	}
	t := fl.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return true
		}
	}
}
