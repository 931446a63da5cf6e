package touchpoint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeGoBlocks returns the ```go blocks of a Markdown text.
func readmeGoBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// docGoBlocks returns the code blocks of a Go file's comments: runs of
// comment lines indented with a tab ("//\t..."), without the "//\t".
func docGoBlocks(src string) []string {
	var blocks, cur []string
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			cur = append(cur, rest)
			continue
		}
		flush()
	}
	flush()
	return blocks
}

// snippetRegions returns the lines between "// README snippet: begin" and
// "// README snippet: end" in src, with the begin marker's indentation
// removed from every line and trailing blank lines dropped.
func snippetRegions(src string) []string {
	var regions []string
	var cur []string
	indent, in := "", false
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && trimmed == "// README snippet: begin":
			in, cur = true, nil
			indent = line[:len(line)-len(strings.TrimLeft(line, "\t "))]
		case in && trimmed == "// README snippet: end":
			in = false
			// gofmt puts a blank line between a function and the marker.
			regions = append(regions, strings.TrimRight(strings.Join(cur, "\n"), "\n"))
		case in:
			cur = append(cur, strings.TrimPrefix(line, indent))
		}
	}
	return regions
}

// Every Go snippet in README.md and in the package documentation (doc.go)
// is code that an Example runs: the text between the markers in this
// package's tests, byte for byte; and every marked region is shown.
func TestREADMESnippetsAreExamples(t *testing.T) {
	md, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeGoBlocks(string(md))
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block: the quickstart is missing")
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]string{} // text -> file
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range snippetRegions(string(src)) {
			regions[r] = f
		}
	}
	shown := map[string]bool{}
	check := func(where string, blocks []string) {
		for i, b := range blocks {
			shown[b] = true
			if _, ok := regions[b]; !ok {
				t.Errorf("%s's Go snippet #%d is not the text of any marked Example region (// README snippet: begin/end in *_test.go):\n%s", where, i+1, b)
			}
		}
	}
	check("README.md", blocks)
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	docBlocks := docGoBlocks(string(doc))
	if len(docBlocks) == 0 {
		t.Error("doc.go shows no snippet")
	}
	check("doc.go", docBlocks)
	for r, f := range regions {
		if !shown[r] {
			t.Errorf("%s marks a snippet that neither README.md nor doc.go contains:\n%s", f, r)
		}
	}
	// The quickstart is the one-call constructor.
	if !strings.Contains(blocks[0], "touchpoint.New(") || !strings.Contains(blocks[0], "TrackFields") {
		t.Errorf("README's first Go snippet is not the one-call quickstart with the fast path:\n%s", blocks[0])
	}
}

// The helpers above find what they should: a changed README snippet is
// caught.
func TestREADMESnippetCheckCatchesDrift(t *testing.T) {
	md := "x\n```go\nclient, err := touchpoint.New(a, b)\n```\n"
	src := "func f() {\n\t// README snippet: begin\n\tclient, err := touchpoint.New(a, c)\n\t// README snippet: end\n}\n"
	b, r := readmeGoBlocks(md), snippetRegions(src)
	if len(b) != 1 || len(r) != 1 {
		t.Fatalf("blocks %q regions %q", b, r)
	}
	if b[0] == r[0] {
		t.Fatal("different texts compared equal")
	}
	if r[0] != "client, err := touchpoint.New(a, c)" {
		t.Fatalf("region %q: indentation not removed", r[0])
	}
}
