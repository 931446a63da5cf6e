// Command modreqs reads `go mod edit -json` on standard input and prints the
// module paths of the direct (non-indirect) requirements, one per line. The
// CI dependency check uses it.
//
// With -readme FILE it prints nothing and checks instead that FILE's
// dependency list — the module paths in backquotes between the lines
// "<!-- deps: begin" and "<!-- deps: end -->" — names exactly the direct
// requirements: it exits 1, naming each difference, when the README lists
// a module go.mod does not require or misses one it does.
//
//	go mod edit -json | go run ./internal/cmd/modreqs -readme README.md
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	readme := flag.String("readme", "", "check this Markdown file's dependency list against the requirements")
	flag.Parse()
	reqs, err := directRequirements(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modreqs:", err)
		os.Exit(2)
	}
	if *readme == "" {
		for _, r := range reqs {
			fmt.Println(r)
		}
		return
	}
	md, err := os.ReadFile(*readme)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modreqs:", err)
		os.Exit(2)
	}
	problems, err := checkREADME(string(md), reqs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "modreqs: %s: %v\n", *readme, err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "modreqs: %s: %s\n", *readme, p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

// directRequirements decodes `go mod edit -json` and returns the direct
// requirements' module paths, in go.mod's order.
func directRequirements(r io.Reader) ([]string, error) {
	var mod struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.NewDecoder(r).Decode(&mod); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range mod.Require {
		if !r.Indirect {
			out = append(out, r.Path)
		}
	}
	return out, nil
}

// Markers of the README's dependency list.
const (
	beginMarker = "<!-- deps: begin"
	endMarker   = "<!-- deps: end -->"
)

// errNoList is returned when the README has no marked dependency list.
var errNoList = errors.New("no dependency list between " + beginMarker + " and " + endMarker)

// listedModules returns the module paths in backquotes in the marked list:
// a backquoted word is a module path when its first element contains a dot
// (github.com/..., go.uber.org/...) and it has a slash.
func listedModules(md string) ([]string, error) {
	start := strings.Index(md, beginMarker)
	if start < 0 {
		return nil, errNoList
	}
	rest := md[start+len(beginMarker):]
	end := strings.Index(rest, endMarker)
	if end < 0 {
		return nil, errNoList
	}
	block := rest[:end]
	if i := strings.Index(block, "-->"); i >= 0 { // skip the rest of the begin comment
		block = block[i+3:]
	}
	var mods []string
	parts := strings.Split(block, "`")
	for i := 1; i < len(parts); i += 2 {
		w := parts[i]
		first, _, hasSlash := strings.Cut(w, "/")
		if hasSlash && strings.Contains(first, ".") && !strings.ContainsAny(w, " \t") && !slices.Contains(mods, w) {
			mods = append(mods, w)
		}
	}
	return mods, nil
}

// checkREADME compares the README's list with reqs and returns one line per
// difference.
func checkREADME(md string, reqs []string) ([]string, error) {
	listed, err := listedModules(md)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, m := range listed {
		if !slices.Contains(reqs, m) {
			problems = append(problems, fmt.Sprintf("lists %s, which go.mod does not require", m))
		}
	}
	for _, r := range reqs {
		if !slices.Contains(listed, r) {
			problems = append(problems, fmt.Sprintf("does not list %s, which go.mod requires", r))
		}
	}
	return problems, nil
}
