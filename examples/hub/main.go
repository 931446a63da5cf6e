// Command hub is the fleet hub: it consumes identity-link facts, consent
// records, touchpoints, memberships and actions that store gateways
// publish to Kafka or NATS JetStream, applies them to PostgreSQL (through store/pgstore and
// the fleet tables of pgfleet.go) or to memory when no database is given,
// commits offsets (acks) only after the write and what it caused was
// published, and publishes consent changes, fleet memberships and erasure
// tombstones on a topic (subject) every gateway follows (see package
// fleet). On PostgreSQL a poll commits, publishes and acknowledges in the
// background while the next poll is applied (one poll in flight at a
// time; a lost partition or lease waits for it first).
//
//	hub -brokers 127.0.0.1:9092 -postgres postgres://...
//	hub -transport nats -nats nats://127.0.0.1:4222 -postgres postgres://...
//
// Run several: they share the work. On Kafka, through the consumer group;
// the control topic (link facts) must have one partition, and the
// instance assigned it owns the identity graph. On NATS, every instance
// pulls data messages from one durable consumer (<group>-data, on stream
// FLEET_DATA) and acks each after its write and publication; link facts
// have a stream of their own (FLEET_CONTROL) read through the durable
// consumer <group>-control only by the holder of a lease: the key <group>
// in the key-value bucket FLEET_LEASE, taken with Create, renewed with
// Update on its revision (compare-and-set) every third of its TTL, and
// freed by its TTL when the holder dies (or deleted at shutdown). That is
// the leader election nats.go users build on KV; a JetStream consumer
// with max_ack_pending 1 would serialise the link facts but not keep them
// on the one instance whose graph is loaded. What the hub publishes
// carries Nats-Msg-Id (the derived message id), so a republication after
// a crash is dropped by the stream's duplicate window and, after it, by
// the followers.
//
// Environment: TOUCHPOINT_FLEET_SECRET (the identity key secret, the same
// on every gateway and hub) and TOUCHPOINT_SEAL_KEY (pgstore's sealing
// key) are required.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// Stores returns the fleet store and the graph loader for a database URL
// ("" for memory). The pool, if any, belongs to the caller.
func Stores(ctx context.Context, pool *pgxpool.Pool, secret, sealKey []byte, graphName string) (fleet.Store, func(context.Context) (*identity.Graph, error), BatchFunc, error) {
	if pool == nil {
		ids := identity.NewMemStore()
		open := func(context.Context) (*identity.Graph, error) { return identity.New(secret, identity.WithStore(ids)) }
		return fleet.NewMemStore(), open, nil, nil
	}
	db, err := pgstore.Open(ctx, pool, sealKey)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := newPGStore(ctx, pool)
	if err != nil {
		return nil, nil, nil, err
	}
	var current *pgstore.IdentityStore
	open := func(ctx context.Context) (*identity.Graph, error) {
		is, err := db.IdentityStore(ctx, graphName)
		if err != nil {
			return nil, err
		}
		g, err := identity.New(secret, identity.WithStore(is))
		if err != nil {
			is.Close()
			return nil, err
		}
		current = is
		return g, nil
	}
	batch := func(ctx context.Context, _ *identity.Graph, fn func(context.Context) error) (*pgx.Batch, func(error) error, error) {
		return current.PrepareBatch(ctx, fn)
	}
	return st, open, batch, nil
}

func run() error {
	transport := flag.String("transport", "kafka", "kafka or nats (JetStream)")
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka seed brokers, comma-separated")
	natsURL := flag.String("nats", "nats://127.0.0.1:4222", "NATS server URLs, comma-separated (-transport nats)")
	group := flag.String("group", "touchpoint-hub", "consumer group (NATS: durable consumer and lease name) of the hub instances")
	control := flag.String("control", "touchpoint.fleet.control", "topic (subject) of identity-link facts (Kafka: one partition)")
	data := flag.String("data", "touchpoint.fleet.data", "topic (subject) of consent records, touchpoints, memberships, actions")
	out := flag.String("out", "touchpoint.fleet.out", "topic (subject) the hub publishes to and every gateway follows")
	pgURL := flag.String("postgres", "", "PostgreSQL URL; empty: memory (one instance only)")
	flag.Parse()
	if *transport != "kafka" && *transport != "nats" {
		return fmt.Errorf("hub: -transport %q: want kafka or nats", *transport)
	}
	secret, seal := []byte(os.Getenv("TOUCHPOINT_FLEET_SECRET")), []byte(os.Getenv("TOUCHPOINT_SEAL_KEY"))
	if len(secret) < 16 {
		return errors.New("hub: TOUCHPOINT_FLEET_SECRET must hold at least 16 bytes")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var pool *pgxpool.Pool
	if *pgURL != "" {
		if len(seal) < 16 {
			return errors.New("hub: TOUCHPOINT_SEAL_KEY must hold at least 16 bytes")
		}
		var err error
		if pool, err = pgxpool.New(ctx, *pgURL); err != nil {
			return err
		}
		defer pool.Close()
	}
	st, open, batch, err := Stores(ctx, pool, secret, seal, "fleet")
	if err != nil {
		return err
	}
	cfg := Config{Brokers: strings.Split(*brokers, ","), Group: *group, Control: *control, Data: *data, Out: *out,
		Store: st, OpenGraph: open, Batch: batch,
		OnDrop: func(d fleet.Drop) { log.Printf("hub: dropped %s %s: %s: %v", d.Kind, d.ID, d.Reason, d.Err) },
		Logf:   log.Printf}
	var in interface{ Run(context.Context) error }
	if *transport == "nats" {
		cfg.Brokers = strings.Split(*natsURL, ",")
		in, err = NewNATSInstance(NATSConfig{Config: cfg})
	} else {
		in, err = NewInstance(cfg)
	}
	if err != nil {
		return err
	}
	err = in.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("hub: %w", err)
}
