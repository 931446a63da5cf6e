package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldens are generated from the importer test data of package plan and
// kept as compilable packages under testdata.
var goldens = []struct{ format, in, pkg string }{
	{"segment", "../../testdata/segment_rules.json", "segmentplan"},
	{"rudderstack", "../../testdata/rudderstack_plan.json", "rudderstackplan"},
	{"iglu", "../../testdata/iglu_checkout.json,../../testdata/iglu_zone.json", "igluplan"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.pkg, func(t *testing.T) {
			var out bytes.Buffer
			if err := run([]string{"-format", g.format, "-in", g.in, "-pkg", g.pkg}, &out); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", g.pkg, "events_gen.go")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("generated code differs from %s (run go test -update after checking the diff)\n%s", path, firstDiff(out.String(), string(want)))
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ"
}

// TestGeneratedCodeCompiles runs go vet (which type-checks and builds) on
// the golden packages, inside this module.
func TestGeneratedCodeCompiles(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; cannot compile the generated code")
	}
	args := []string{"vet"}
	for _, g := range goldens {
		args = append(args, "./testdata/"+g.pkg)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated code: %v\n%s", err, out)
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(bad, []byte(`[{"type":"TRACK","key":"A","jsonSchema":{"properties":{"properties":{"properties":{"x":{"oneOf":[]}}}}}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.go")
	err := run([]string{"-format", "segment", "-in", bad, "-pkg", "p", "-out", out}, os.Stdout)
	var ue *plan.UnsupportedError
	if !errors.As(err, &ue) || ue.Event != "A" || ue.Keyword != "oneOf" {
		t.Fatalf("err = %v, want *plan.UnsupportedError for event A", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("an output file was written for a plan that did not load")
	}
	for _, args := range [][]string{
		{"-format", "segment", "-pkg", "p"},
		{"-format", "xml", "-in", bad, "-pkg", "p"},
		{"-format", "segment", "-in", bad + "-missing", "-pkg", "p"},
		{"-format", "iglu", "-in", "../../testdata/iglu_zone.json", "-pkg", "not-an-ident"},
	} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("run %v: accepted", args)
		}
	}
	good := filepath.Join(dir, "events_gen.go")
	if err := run([]string{"-format", "iglu", "-in", "../../testdata/iglu_zone.json", "-pkg", "p", "-out", good}, os.Stdout); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(good); err != nil || !bytes.Contains(b, []byte("type ZoneEnteredV2 struct")) {
		t.Fatalf("-out file: %v\n%s", err, b)
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"Order Completed": "OrderCompleted", "order_id": "OrderID", "42_--terrible==event++name~!3": "N42TerribleEventName3",
		"productSKU": "ProductSKU", "url": "URL", "zoneEntered": "ZoneEntered", "": "", "ÄÖ ü": "ÄÖÜ", "--": "",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}
