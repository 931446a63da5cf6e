package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The quickstart runs as written against its loopback collector and prints
// exactly the golden output: four events in Segment's shape, gzipped, with
// the write key, and the invalid event refused.
func TestQuickstartOutput(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, "", "QUICKSTART"); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/output.golden", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/output.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from testdata/output.golden (go test -update to accept):\n%s", out.String())
	}
}
