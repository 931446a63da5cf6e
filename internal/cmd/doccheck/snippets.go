package main

// Snippets: every Go code block in a package doc comment must compile.
//
// A code block (an indented block of the doc comment) is Go when it parses
// as Go, either as top-level declarations or as the statements of a
// function body; a block that parses neither way is text (a table, a
// diagram, a shell line, JSON) unless it contains ":=", which only Go
// has: then it is a Go snippet that does not parse, and is reported.
//
// A Go snippet is type-checked on its own, as the body of
// `func _() error` (or as a file, when it declares), importing the
// packages its selectors name: any library package of the repository (by
// package name; the same module's first, then the shortest path) and the
// usual standard ones. Snippets are fragments, so three things are
// tolerated: "declared and not used", "missing return", and an elided
// "..." (a line or an element that is only "..."), which is removed before
// parsing. Everything else fails the check, an undefined name included:
// a snippet declares what it uses (as the parameters of a function, say),
// because a name whose type is unknown would hide every error around it.

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// snippet is one Go code block of a package doc.
type snippet struct {
	pos  string // file:line of the package clause whose doc holds it
	dir  string // the package's directory
	pkg  string // the package's name
	code string
}

// stdPackages are the standard packages a snippet may use by name without
// saying so.
var stdPackages = map[string]string{
	"context": "context", "time": "time", "fmt": "fmt", "errors": "errors", "http": "net/http",
	"os": "os", "log": "log", "slog": "log/slog", "strings": "strings", "bytes": "bytes", "io": "io",
	"json": "encoding/json", "sync": "sync", "signal": "os/signal", "httptest": "net/http/httptest",
}

// packageSnippets returns the code blocks of the package doc of the Go file
// at path (none for test files and files without a package doc).
func packageSnippets(path string) ([]snippet, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return nil, err
	}
	if f.Doc == nil || f.Name.Name == "main" {
		return nil, nil
	}
	var p comment.Parser
	var out []snippet
	for _, b := range p.Parse(f.Doc.Text()).Content {
		if c, ok := b.(*comment.Code); ok {
			out = append(out, snippet{pos: fset.Position(f.Package).String(), dir: filepath.Dir(path), pkg: f.Name.Name, code: c.Text})
		}
	}
	return out, nil
}

// elision matches "..." standing for omitted code: alone on a line, or as
// an element or a body ("{ ... }", ", ...}").
var elision = regexp.MustCompile(`(?m)(^[ \t]*\.\.\.[ \t]*$|([{,(][ \t]*)\.\.\.([ \t]*[})]))`)

func elide(code string) string {
	return elision.ReplaceAllStringFunc(code, func(m string) string {
		return strings.Replace(m, "...", "", 1)
	})
}

// goSource returns the snippet as a Go file of package snippet (without
// imports) and the line of the file where the snippet starts, or ok false
// when the block is not Go.
func goSource(code string) (src string, first int, ok bool, err error) {
	code = elide(code)
	const head = "package snippet\n\n"
	if _, perr := parser.ParseFile(token.NewFileSet(), "", head+code, 0); perr == nil && !onlyComments(code) {
		return head + code, 3, true, nil
	}
	const fhead = "package snippet\n\nfunc _() error {\n"
	body := fhead + code + "\n}\n"
	perr := func() error { _, e := parser.ParseFile(token.NewFileSet(), "", body, 0); return e }()
	switch {
	case perr == nil && onlyComments(code):
		return "", 0, false, nil
	case perr == nil:
		return body, 4, true, nil
	case strings.Contains(code, ":="):
		return "", 0, false, fmt.Errorf("looks like Go (it has :=) but does not parse: %v", perr)
	}
	return "", 0, false, nil
}

// onlyComments reports whether code has no Go token but comments.
func onlyComments(code string) bool {
	var s = strings.TrimSpace(code)
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "//") {
			return false
		}
	}
	return true
}

// tolerated reports whether a type error is one a fragment may have: a
// value it makes and does not use, or a function body it elides.
func tolerated(msg string) bool {
	return strings.HasPrefix(msg, "declared and not used") || strings.HasSuffix(msg, "declared and not used") ||
		msg == "missing return"
}

// usedPackages returns the names of the packages a snippet refers to: the
// X of each X.Sel whose X the snippet does not itself declare.
func usedPackages(f *ast.File, known func(string) bool) []string {
	declared := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range x.Names {
				declared[id.Name] = true
			}
		case *ast.Field:
			for _, id := range x.Names {
				declared[id.Name] = true
			}
		case *ast.FuncDecl:
			declared[x.Name.Name] = true
		case *ast.TypeSpec:
			declared[x.Name.Name] = true
		}
		return true
	})
	seen := map[string]bool{}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && !declared[id.Name] && !seen[id.Name] && known(id.Name) {
				seen[id.Name] = true
				out = append(out, id.Name)
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}

// checker type-checks snippets against the export data `go list -export`
// gives, per module.
type checker struct {
	modules map[string]*module // by module root directory
}

type module struct {
	root    string
	path    string
	names   map[string]string // package name -> import path (library packages of the repository)
	exports map[string]string // import path -> export data file
}

// moduleOf returns the module that holds dir.
func (c *checker) moduleOf(dir string) (*module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root := abs
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return nil, fmt.Errorf("%s: no go.mod above it", dir)
		}
		root = parent
	}
	if m := c.modules[root]; m != nil {
		return m, nil
	}
	m := &module{root: root, names: map[string]string{}, exports: map[string]string{}}
	out, err := goCmd(root, "list", "-m")
	if err != nil {
		return nil, err
	}
	m.path = strings.TrimSpace(out)
	// The module's own packages and, through the replace directive, the
	// core module's: both may be named in a snippet.
	out, err = goCmd(root, "list", "-e", "-f", "{{.Name}} {{.ImportPath}}", "./...", "github.com/touchpoint-sdk/touchpoint/...")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, path, ok := strings.Cut(line, " ")
		if !ok || name == "main" || strings.Contains(path, "/internal/") && !strings.HasPrefix(path, m.path+"/internal/") {
			continue
		}
		if old, dup := m.names[name]; dup {
			// Prefer the module's own package, then the shorter path.
			ownOld, ownNew := strings.HasPrefix(old, m.path+"/") || old == m.path, strings.HasPrefix(path, m.path+"/") || path == m.path
			if ownOld && !ownNew || ownOld == ownNew && len(old) <= len(path) {
				continue
			}
		}
		m.names[name] = path
	}
	if c.modules == nil {
		c.modules = map[string]*module{}
	}
	c.modules[root] = m
	return m, nil
}

// export returns the export data files of paths (and their dependencies).
func (m *module) export(paths []string) error {
	var need []string
	for _, p := range paths {
		if _, ok := m.exports[p]; !ok {
			need = append(need, p)
		}
	}
	if len(need) == 0 {
		return nil
	}
	out, err := goCmd(m.root, append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}, need...)...)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if path, file, ok := strings.Cut(line, " "); ok && file != "" {
			m.exports[path] = file
		}
	}
	return nil
}

func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s in %s: %v: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// check type-checks one snippet and returns its problems (nil: it
// compiles, or it is not Go).
func (c *checker) check(s snippet) ([]string, error) {
	src, first, ok, err := goSource(s.code)
	if err != nil {
		return []string{err.Error()}, nil
	}
	if !ok {
		return nil, nil
	}
	m, err := c.moduleOf(s.dir)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for k, v := range stdPackages {
		names[k] = v
	}
	for k, v := range m.names {
		names[k] = v
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.ParseComments)
	if err != nil {
		return nil, err // goSource parsed it
	}
	used := usedPackages(f, func(n string) bool { _, ok := names[n]; return ok })
	var paths []string
	for _, n := range used {
		paths = append(paths, names[n])
	}
	if err := m.export(paths); err != nil {
		return nil, err
	}
	// Add the imports and parse again, so that positions stay right.
	var imp strings.Builder
	for _, n := range used {
		fmt.Fprintf(&imp, "import %s %q; ", n, names[n])
	}
	src = strings.Replace(src, "package snippet\n", "package snippet\n"+imp.String()+"\n", 1)
	fset = token.NewFileSet()
	f, err = parser.ParseFile(fset, "snippet.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var problems []string
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := m.exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(file)
		}),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				if tolerated(te.Msg) {
					return
				}
				line := fset.Position(te.Pos).Line - first
				problems = append(problems, fmt.Sprintf("snippet line %d: %s", line+1, te.Msg))
				return
			}
			problems = append(problems, err.Error())
		},
	}
	_, _ = conf.Check("snippet", fset, []*ast.File{f}, nil)
	return problems, nil
}

// checkSnippets checks the package-doc snippets of the Go files under
// root and prints each problem; it returns how many snippets failed.
func checkSnippets(c *checker, files []string) (int, error) {
	bad := 0
	for _, path := range files {
		snips, err := packageSnippets(path)
		if err != nil {
			return bad, err
		}
		for _, s := range snips {
			problems, err := c.check(s)
			if err != nil {
				return bad, fmt.Errorf("%s: %w", s.pos, err)
			}
			if len(problems) > 0 {
				bad++
				fmt.Printf("%s: package doc snippet does not compile:\n", s.pos)
				for _, p := range problems {
					fmt.Printf("\t%s\n", p)
				}
				fmt.Printf("\t--- the snippet:\n\t%s\n", strings.ReplaceAll(strings.TrimRight(s.code, "\n"), "\n", "\n\t"))
			}
		}
	}
	return bad, nil
}
