package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The repository's README lists exactly the core module's direct
// requirements: what CI checks (this test runs in every test run).
func TestREADMEListsGoMod(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	out, err := exec.Command("go", "mod", "edit", "-json", filepath.Join(root, "go.mod")).Output()
	if err != nil {
		t.Fatalf("go mod edit -json: %v", err)
	}
	reqs, err := directRequirements(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) == 0 {
		t.Fatal("go.mod has no direct requirement: wrong file?")
	}
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := checkREADME(string(md), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("README.md %s (edit its list between the deps markers)", p)
	}
}

func TestCheckREADME(t *testing.T) {
	reqs := []string{"github.com/google/uuid", "github.com/klauspost/compress", "go.uber.org/goleak"}
	list := func(items ...string) string {
		return "intro `github.com/ignored/outside`\n<!-- deps: begin. a note naming `github.com/not/listed` -->\n" +
			strings.Join(items, "\n") + "\n<!-- deps: end -->\nafter `github.com/also/outside`\n"
	}
	for _, tc := range []struct {
		name string
		md   string
		want []string
	}{
		{"exact", list("- `github.com/google/uuid`: ids", "- `github.com/klauspost/compress` and `go.uber.org/goleak` (tests)"), nil},
		{"stale entry", list("- `github.com/google/uuid`", "- `golang.org/x/sync`", "- `github.com/klauspost/compress`", "- `go.uber.org/goleak`"),
			[]string{"lists golang.org/x/sync, which go.mod does not require"}},
		{"missing entry", list("- `github.com/google/uuid`", "- `go.uber.org/goleak`"),
			[]string{"does not list github.com/klauspost/compress, which go.mod requires"}},
		{"code words are not modules", list("- `github.com/google/uuid`", "- `github.com/klauspost/compress` in `internal/retry`", "- `go.uber.org/goleak`", "- `go test`"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkREADME(tc.md, reqs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := checkREADME("no list here", reqs); !errors.Is(err, errNoList) {
		t.Errorf("README without markers: err = %v, want errNoList", err)
	}
}

func TestDirectRequirements(t *testing.T) {
	got, err := directRequirements(strings.NewReader(`{"Require":[{"Path":"a.org/x"},{"Path":"b.org/y","Indirect":true},{"Path":"c.org/z"}]}`))
	if err != nil || !slices.Equal(got, []string{"a.org/x", "c.org/z"}) {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := directRequirements(strings.NewReader("{")); err == nil {
		t.Error("truncated JSON accepted")
	}
}
