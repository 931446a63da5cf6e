package connected_test

import (
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// An empty secret gives the unkeyed keys of PartitionKey(nil, identity). The
// keyer copies its secret, so the caller may wipe its own slice afterwards.
func ExampleNewPartitionKeyer() {
	unkeyed := connected.NewPartitionKeyer(nil)
	fmt.Println(unkeyed.Key("user-42"))

	secret := []byte("per-tenant secret")
	k := connected.NewPartitionKeyer(secret)
	clear(secret) // the keyer's copy is unaffected
	fmt.Println(k.Key("user-42"))
	fmt.Println(k.Key("user-42") == connected.PartitionKey([]byte("per-tenant secret"), "user-42"))
	// Output:
	// 65ae70e27d27ce1918d88d393e11b6aa
	// 4ce28255cef34638a0bbd2e042e1092a
	// true
}
