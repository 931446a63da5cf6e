// Command storefront simulates one day in a connected store, end to end,
// with no services: shoppers who browse on the web and wishlist boots,
// arrive with the app and walk past departments heard by several ceiling
// gateways with noisy signal, one wearing a heart-rate strap after a run,
// a customer who withdraws marketing consent at the door, and a shared
// kiosk. Beyond Bluetooth: the family car's position stream (a
// vehicle.Tracker computes its ETA; the 20-minute ring starts the
// click-and-collect pickup), a smart-TV household from Home Assistant
// (two people, one household, presence never to advertising), payments
// from Square and Stripe webhooks at the till, a repair visit that knows
// only the washing machine's serial, and an AR try-on that only the
// attention purpose may use. Every touchpoint becomes a connected.Event;
// identity stitches them, the consent router decides which destination
// may receive each one, and batchers write them to local files.
//
//	go run ./examples/storefront            # prints the day's journeys
//	go run ./examples/storefront -dir out   # keeps the delivered files in ./out
//
// The run is deterministic (seeded noise, simulated clock): its output is
// pinned by a golden test. Copy pipeline.go to start your own service.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	seed := flag.Uint64("seed", 42, "seed of the radio noise")
	dir := flag.String("dir", "", "directory for the destinations' files (default: a temporary directory, removed afterwards)")
	flag.Parse()
	if err := mainErr(os.Stdout, *seed, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "storefront:", err)
		os.Exit(1)
	}
}

func mainErr(w io.Writer, seed uint64, dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "touchpoint-storefront-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return run(w, seed, dir)
}

// run simulates the day into dir and writes the report to w.
func run(w io.Writer, seed uint64, dir string) error {
	ctx := context.Background()
	s := &sim{ctx: ctx, now: day.AddDate(0, 0, -31), radio: radio{rand.New(rand.NewPCG(seed, seed))},
		drivers: map[string]*shopper{}}
	j := newJournal()
	p, err := newPipeline(dir, func() time.Time { return s.now }, j)
	if err != nil {
		return err
	}
	s.p = p
	people, steps := script()
	runErr := s.run(people, steps)
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	defer func() { _ = p.graph.Shutdown(context.Background()) }()
	if err := p.drain(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	return s.report(w, people)
}
