package defs_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
)

// A definition file with a typo: the error names the definition and field.
func ExampleDecode() {
	_, err := defs.Decode([]byte(`{"version": 1, "audiences": [
	  {"key": "boot_lovers", "where": {"event": {"event": "Product Viewed", "withn": "7d"}}}]}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, defs.ErrUnknownField))
	// Output:
	// defs: audience boot_lovers: where.event.withn: unknown field
	// true
}

func ExampleDuration_String() {
	fmt.Println(defs.Duration(7*24*time.Hour), defs.Duration(90*time.Minute))
	// Output: 7d 1h30m0s
}
