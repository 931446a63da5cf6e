// Command servicecard builds the "customer context card" a technician's
// app could show on arrival: what the customer bought (till purchases and
// installed products with their warranties), their open cases, and their
// consent state — all from the customer's profile, which the repair visit
// reaches through the asset serial alone.
//
// The pipeline is the SDK's: service and pos events go through a
// connected.Client that registers the service channels
// (connected.WithChannels) and stitches identities with
// identity.Middleware; serials, loyalty ids and card fingerprints travel
// only as keyed pseudonyms. Consent comes from a consent.Ledger. It needs
// no network and prints the same card on every run.
//
//	go run ./examples/servicecard
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "servicecard:", err)
		os.Exit(1)
	}
}
