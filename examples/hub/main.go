// Command hub is the fleet hub: it consumes identity-link facts, consent
// records, touchpoints, memberships and actions that store gateways
// publish to Kafka, applies them to PostgreSQL (through store/pgstore and
// the fleet tables of pgfleet.go) or to memory when no database is given,
// commits offsets only after the write, and publishes consent changes,
// fleet memberships and erasure tombstones on a topic every gateway
// follows (see package fleet).
//
//	hub -brokers 127.0.0.1:9092 -postgres postgres://...
//
// Run several: they share the work through the consumer group. The
// control topic (link facts) must have one partition.
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
func Stores(ctx context.Context, pool *pgxpool.Pool, secret, sealKey []byte, graphName string) (fleet.Store, func(context.Context) (*identity.Graph, error), func(context.Context, *identity.Graph, func(context.Context) error) error, error) {
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
	batch := func(ctx context.Context, _ *identity.Graph, fn func(context.Context) error) error {
		return current.Batch(ctx, fn)
	}
	return st, open, batch, nil
}

func run() error {
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka seed brokers, comma-separated")
	group := flag.String("group", "touchpoint-hub", "consumer group of the hub instances")
	control := flag.String("control", "touchpoint.fleet.control", "topic of identity-link facts (one partition)")
	data := flag.String("data", "touchpoint.fleet.data", "topic of consent records, touchpoints, memberships, actions")
	out := flag.String("out", "touchpoint.fleet.out", "topic the hub publishes to and every gateway follows")
	pgURL := flag.String("postgres", "", "PostgreSQL URL; empty: memory (one instance only)")
	flag.Parse()
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
	in, err := NewInstance(Config{Brokers: strings.Split(*brokers, ","), Group: *group, Control: *control, Data: *data, Out: *out,
		Store: st, OpenGraph: open, Batch: batch,
		OnDrop: func(d fleet.Drop) { log.Printf("hub: dropped %s %s: %s: %v", d.Kind, d.ID, d.Reason, d.Err) },
		Logf:   log.Printf})
	if err != nil {
		return err
	}
	err = in.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("hub: %w", err)
}
