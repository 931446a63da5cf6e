// Command gateway is the template a store's device or firmware team copies:
// it subscribes to the MQTT topics that BLE gateway firmware publishes to,
// turns what the gateways hear into customer touchpoints, and delivers them
// reliably under each customer's consent.
//
//	MQTT (OpenMQTTGateway, ESPresense, raw GATT notifications;
//	      Home Assistant statestream and Zigbee2MQTT with -ha-statestream, -zigbee2mqtt)
//	  -> decode (beacon/gateway, beacon.Parse, wearable decoders, home decoders)
//	  -> beacon.Tracker (Zone Entered / Dwelled / Exited)
//	     wearable.Session (Device Connected, Workout Completed, Battery Low, ...)
//	     home.Tracker (Media Session Started, Presence Changed, ...)
//	  -> connected.Client: stamp, validate, encode once
//	  -> identity middleware (stitching; link facts)
//	  -> consent gate (purpose, data category, per-subject consent)
//	  -> transport.Batcher -> [spool on disk] -> Retry -> file | HTTP | Kafka | NATS
//
// Device identifiers never leave the gateway in the clear: every BLE
// address, beacon id, ESPresense id and wearable id becomes the library's
// keyed pseudonym (connected.Pseudonymizer: "ps1_" and 32 hex digits of an
// HMAC-SHA256) under a key derived from -secret-file.
//
// Run it against a local broker (see README.md):
//
//	mosquitto -p 1883 &
//	go run . -broker mqtt://127.0.0.1:1883 -spool ./spool -deliver file -out events.ndjson
//
// SIGINT or SIGTERM stops it gracefully: the MQTT subscription ends, the
// presence state is flushed (every open visit gets its Zone Exited, every
// wearable its Device Disconnected), and the pipeline drains for up to
// -shutdown-timeout. Records not yet delivered then stay in the spool and go
// out after the next start. The exit code is non-zero if any record was
// undelivered and not kept in a spool.
//
// # File layout
//
// Each file holds one step, so that a copy can replace one without reading
// the others:
//
//	main.go      this overview, signals, exit code
//	config.go    flags, the zones/consent/secret files, built-in defaults
//	pipeline.go  the delivery chain: sender, retry, spool, batcher, identity, consent gate, client
//	ingest.go    the MQTT handler: topic -> decoder -> Tracker -> zone events
//	gatt.go      the raw GATT topic (touchpoint/gatt/<device>) -> wearable.Session -> events
//	homein.go    Home Assistant statestream and Zigbee2MQTT topics -> home.Tracker -> events
//	consent.go   the consent file -> ledger facts, and the bridge from device pseudonyms to profiles
//	shutdown.go  the shutdown order and the final Report
//
// What to change first: the zones (a -zones JSON file; the built-in store
// has entrance, shoes and checkout), the sink (-deliver and its address),
// and where consent comes from (consent.go: replace the file with your
// consent service).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainExit(os.Args[1:], os.Stderr))
}

// mainExit parses args, runs the gateway until SIGINT or SIGTERM, and
// returns the process exit code: 0 when everything was delivered or is kept
// in the spool, 1 when something was undelivered or the gateway could not
// start, 2 for bad flags.
func mainExit(args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "gateway:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(stderr, "gateway:", err)
		return 1
	}
	return 0
}
