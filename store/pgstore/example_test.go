package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

// The examples need a PostgreSQL database, so they have no Output line:
// TestExamples runs each against the test database (DATABASE_URL) and
// checks what it prints.

// exampleKey seals the records; in production it comes from a secret
// store, the same on every process of the fleet.
var exampleKey = []byte("example-key-from-your-secrets-0123")

// Open migrates the database and returns the DB the stores come from.
func ExampleOpen() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	if _, err := pgstore.Open(ctx, pool, exampleKey); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("schema version", pgstore.SchemaVersion)
}

// A deployment step migrates; the services then open without migrating.
func ExampleMigrate() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	if _, err := pgstore.Migrate(ctx, pool); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := pgstore.Open(ctx, pool, exampleKey, pgstore.WithoutMigrate()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("migrated to", pgstore.SchemaVersion)
}

// An identity graph kept in PostgreSQL: a second process (here, a graph
// created again) derives the same profile from the database.
func ExampleDB_IdentityStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	db, err := pgstore.Open(ctx, pool, exampleKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	secret := []byte("the-fleet-identity-secret-0123456")
	open := func() *identity.Graph {
		st, err := db.IdentityStore(ctx, "fleet")
		if err != nil {
			panic(err)
		}
		g, err := identity.New(secret, identity.WithStore(st))
		if err != nil {
			panic(err)
		}
		return g
	}
	g := open()
	r1, _ := g.Link(ctx, identity.Observation{EventID: "e-1", Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		IDs: []identity.Identifier{{Type: identity.TypeUserID, Value: "u-42"}, {Type: identity.TypeEmail, Value: "ann@example.com"}}})
	g.Shutdown(context.Background())

	g = open()
	defer g.Shutdown(context.Background())
	p, _ := g.Profile(identity.Identifier{Type: identity.TypeEmail, Value: "ann@example.com"})
	fmt.Println("same profile:", p.ID == r1.ProfileID)
}

// A hub applies a poll of gateways' link facts in one commit, and commits
// its consumer offsets only after Batch returned nil.
func ExampleIdentityStore_Batch() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	db, err := pgstore.Open(ctx, pool, exampleKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := db.IdentityStore(ctx, "fleet")
	if err != nil {
		fmt.Println(err)
		return
	}
	secret := []byte("the-fleet-identity-secret-0123456")
	hub, err := identity.New(secret, identity.WithStore(st))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer hub.Shutdown(context.Background())

	// Facts as a gateway emits them (identity.DecodeLinkFact on the wire).
	gw, _ := identity.New(secret)
	defer gw.Shutdown(context.Background())
	var poll []identity.LinkFact
	for i, ids := range [][]identity.Identifier{
		{{Type: identity.TypeUserID, Value: "u-42"}, {Type: identity.TypeAnonymousID, Value: "web-1"}},
		{{Type: identity.TypeUserID, Value: "u-42"}, {Type: identity.TypeDeviceID, Value: "kiosk-phone-9"}},
	} {
		r, _ := gw.Link(ctx, identity.Observation{EventID: fmt.Sprint("e-", i), Time: time.Date(2026, 3, 1, 9, i, 0, 0, time.UTC), IDs: ids})
		poll = append(poll, *r.Fact)
	}

	err = st.Batch(ctx, func(ctx context.Context) error {
		for _, f := range poll {
			if _, err := hub.LinkKeys(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err) // do not commit the offsets; on ErrDiverged, recreate the graph
		return
	}
	p, _ := hub.Profile(identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk-phone-9"})
	fmt.Println(len(poll), "facts in one commit; profile members:", len(p.Members))
}

// A consent ledger in PostgreSQL: a revocation recorded by one process is
// in force for the next one that opens the ledger.
func ExampleDB_ConsentStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	db, err := pgstore.Open(ctx, pool, exampleKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	open := func() *consent.Ledger {
		st, err := db.ConsentStore(ctx, "fleet")
		if err != nil {
			panic(err)
		}
		l, err := consent.OpenLedgerStore(ctx, st)
		if err != nil {
			panic(err)
		}
		return l
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := open()
	l.Record(ctx, consent.Fact{Subject: "p_42", Purpose: consent.PurposeMarketing, Granted: true, Effective: t0, Source: consent.SourceCMP})
	l.Record(ctx, consent.Fact{Subject: "p_42", Purpose: consent.PurposeMarketing, Granted: false, Effective: t0.Add(time.Hour), Source: consent.SourceStoreKiosk})
	l.Shutdown(context.Background())

	l = open()
	defer l.Shutdown(context.Background())
	fmt.Println("marketing permitted:", l.Permits("p_42", consent.PurposeMarketing, t0.Add(2*time.Hour)))
}

// An activation engine in PostgreSQL: after a restart it remembers that the
// action fired.
func ExampleDB_ActivationStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	db, err := pgstore.Open(ctx, pool, exampleKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	set, _ := defs.Decode([]byte(`{"version": 1, "journeys": [{"key": "ping", "trigger": {"event": "Ping"}, "action": {"emit": "Pong"}}]}`))
	for range 2 { // the second run is a restart that sees the same event again
		st, err := db.ActivationStore(ctx, "fleet")
		if err != nil {
			fmt.Println(err)
			return
		}
		e, err := activation.New(set, activation.WithStore(st))
		if err != nil {
			fmt.Println(err)
			return
		}
		in := activation.Input{Profile: "p_1", MessageID: "m1", Time: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
			Purposes: e.PurposesOf(consent.PurposeMarketing), Event: &connected.Event{Event: "Ping"}}
		out, err := e.Process(ctx, in, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(out[0].Kind, out[0].Reason)
		e.Shutdown(context.Background())
	}
}
