// Command plangen writes typed Go constructors for the events of a
// tracking plan, as Segment's Typewriter does for other languages: one
// struct per event, with a field per property (required properties as
// values, optional ones as pointers, enums as named string types), and an
// Event method that builds the connected.Event. Rules the type system
// cannot hold (patterns, ranges, lengths, formats) are written into the
// field docs; plan.Middleware checks them at emit time.
//
// Use it from go generate:
//
//	//go:generate go run github.com/touchpoint-sdk/touchpoint/plan/cmd/plangen -format segment -in tracking-plan.json -pkg analytics -out events_gen.go
//
// Flags:
//
//	-format  segment, rudderstack or iglu (the export format of -in)
//	-in      the export; for iglu, a comma-separated list of schema files
//	-pkg     the Go package name of the output
//	-out     the output file ("-" or empty: standard output)
//
// plangen exits 1 with the importer's error (which names the event and the
// JSON path) when the plan cannot be loaded or compiled, and writes nothing.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/plan"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "plangen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("plangen", flag.ContinueOnError)
	format := fs.String("format", "", "export format: segment, rudderstack or iglu")
	in := fs.String("in", "", "the export file (iglu: comma-separated schema files)")
	pkg := fs.String("pkg", "", "Go package name of the output")
	out := fs.String("out", "", `output file ("-" or empty: standard output)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *pkg == "" {
		return fmt.Errorf("-in and -pkg are required")
	}
	spec, err := load(*format, *in)
	if err != nil {
		return err
	}
	if _, err := plan.Compile(spec); err != nil {
		return err
	}
	src, err := generate(spec, options{Package: *pkg, Source: sourceName(*in)})
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err = stdout.Write(src)
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, *out)
}

// sourceName names the inputs in the generated header without their
// directories, so the output does not depend on where it was generated.
func sourceName(in string) string {
	parts := strings.Split(in, ",")
	for i, p := range parts {
		parts[i] = filepath.Base(strings.TrimSpace(p))
	}
	return strings.Join(parts, ", ")
}

func load(format, in string) (plan.Spec, error) {
	var files [][]byte
	for _, name := range strings.Split(in, ",") {
		b, err := os.ReadFile(strings.TrimSpace(name))
		if err != nil {
			return plan.Spec{}, err
		}
		files = append(files, b)
	}
	switch format {
	case "segment", "rudderstack":
		if len(files) != 1 {
			return plan.Spec{}, fmt.Errorf("-format %s takes one -in file", format)
		}
		if format == "segment" {
			return plan.FromSegment(files[0])
		}
		return plan.FromRudderStack(files[0])
	case "iglu":
		return plan.FromIglu(files...)
	}
	return plan.Spec{}, fmt.Errorf("-format %q: want segment, rudderstack or iglu", format)
}
