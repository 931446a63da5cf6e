// Command gentrunk writes identity/normalize_phone_table.go from
// libphonenumber's metadata (see package trunktable). Package intl's
// generate directive runs it:
//
//	cd identity/intl && go generate
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/debug"

	"github.com/touchpoint-sdk/touchpoint/identity/intl/internal/trunktable"
)

func main() {
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	src, notes, err := trunktable.Generate(version())
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "gentrunk:", n)
	}
	if *out == "" {
		os.Stdout.Write(src)
		return
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// version returns the nyaruka/phonenumbers version this binary was built with.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/nyaruka/phonenumbers" {
				return d.Version
			}
		}
	}
	return "(unknown version)"
}
