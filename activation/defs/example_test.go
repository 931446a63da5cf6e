package defs_test

import (
	"errors"
	"fmt"

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
