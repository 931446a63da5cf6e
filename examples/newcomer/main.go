// Command newcomer is the service a Go developer new to Touchpoint set out
// to build (issue 18): Segment-compatible events to a RudderStack data
// plane with a disk spool, beacon sightings from ESPresense nodes over
// MQTT turned into zone events, identity on login, and consent for a
// marketing destination. newcomer.go wires it with touchpoint.New in 3
// constructors; handwired.go does the same with the lower layers, for
// comparison. The test runs both end to end on loopback.
//
//	go run . -dataplane https://your-dataplane.example.com -writekey KEY \
//	  -marketing https://marketing.example.com -marketing-key KEY2 \
//	  -broker mqtt://127.0.0.1:1883 -spool /var/lib/newcomer -secret-file /etc/newcomer/secret
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// Config is what the service needs to know.
type Config struct {
	DataPlaneURL, WriteKey     string // the RudderStack data plane
	MarketingURL, MarketingKey string // the marketing tool (Segment-compatible)
	SpoolDir                   string // where undelivered events wait, across restarts
	BrokerURL                  string // the store's MQTT broker, where ESPresense nodes publish
	Secret                     []byte // every key is derived from it; at least 16 bytes
	Zones                      []beacon.Zone
}

func main() {
	var cfg Config
	var secretFile, place string
	flag.StringVar(&cfg.DataPlaneURL, "dataplane", "", "RudderStack data plane URL")
	flag.StringVar(&cfg.WriteKey, "writekey", "", "RudderStack write key")
	flag.StringVar(&cfg.MarketingURL, "marketing", "", "marketing collector URL (Segment-compatible)")
	flag.StringVar(&cfg.MarketingKey, "marketing-key", "", "marketing write key")
	flag.StringVar(&cfg.BrokerURL, "broker", "mqtt://127.0.0.1:1883", "MQTT broker URL")
	flag.StringVar(&cfg.SpoolDir, "spool", "spool", "spool directory")
	flag.StringVar(&secretFile, "secret-file", "", "file holding the secret (at least 16 bytes)")
	flag.StringVar(&place, "place", "store-12", "store id")
	flag.Parse()
	if err := run(cfg, secretFile, place); err != nil {
		fmt.Fprintln(os.Stderr, "newcomer:", err)
		os.Exit(1)
	}
}

func run(cfg Config, secretFile, place string) error {
	var err error
	if cfg.Secret, err = os.ReadFile(secretFile); err != nil {
		return fmt.Errorf("-secret-file: %w", err)
	}
	// One zone per ESPresense room.
	for _, room := range []string{"entrance", "shoes", "tills"} {
		cfg.Zones = append(cfg.Zones, beacon.Zone{Name: room, Place: place, Rooms: []string{room}})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return client.Shutdown(shutdown)
}
