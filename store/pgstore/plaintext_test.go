package pgstore_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

// fillAll writes a graph that keeps plaintext (its entries carry values)
// and a consent ledger whose subjects are user ids and emails.
func fillAll(t *testing.T, db *pgstore.DB, values []string) {
	t.Helper()
	ctx := context.Background()
	g, err := identity.New(graphSecret, identity.WithPlaintext(), identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := g.Link(ctx, identity.Observation{EventID: "e-1", Time: at, IDs: []identity.Identifier{
		{Type: identity.TypeUserID, Value: values[0]}, {Type: identity.TypeEmail, Value: values[1]},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := g.Compact(ctx); err != nil { // into the snapshot table too
		t.Fatal(err)
	}
	if _, err := g.Link(ctx, identity.Observation{EventID: "e-2", Time: at, IDs: []identity.Identifier{
		{Type: identity.TypeUserID, Value: values[0]}, {Type: identity.TypeDeviceID, Value: values[2]},
	}}); err != nil {
		t.Fatal(err)
	}
	g.Shutdown(context.Background())
	cs, err := db.ConsentStore(ctx, "ledger")
	if err != nil {
		t.Fatal(err)
	}
	l, err := consent.OpenLedgerStore(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range values {
		if _, err := l.Record(ctx, consent.Fact{Subject: s, Purpose: consent.PurposeMarketing, Granted: true, Effective: at, Source: consent.SourceStoreKiosk}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	l.Shutdown(context.Background())
}

// TestNoPlaintextInAnyTable scans every row of every table, bytea
// included, for the identifiers a graph that keeps plaintext and a consent
// ledger wrote: with the default (sealed) DB none is there, in text or in
// hex; with WithPlaintext — the opt-in — they are, which shows the scan
// sees what is stored.
func TestNoPlaintextInAnyTable(t *testing.T) {
	values := []string{"user-4711", "shopper.4711@example.com", "ios-device-4711"}
	found := func(dump string) []string {
		var out []string
		for _, v := range values {
			if strings.Contains(dump, v) || strings.Contains(dump, hex.EncodeToString([]byte(v))) {
				out = append(out, v)
			}
		}
		return out
	}

	sealed := poolIn(t, schema(t))
	fillAll(t, openDB(t, sealed), values)
	dump := tableText(t, sealed)
	if f := found(dump); len(f) > 0 {
		t.Fatalf("plaintext identifiers in the tables of a sealed DB: %v", f)
	}
	for _, table := range []string{"touchpoint_log", "touchpoint_snapshot", "touchpoint_stores", "touchpoint_schema_migrations"} {
		if !strings.Contains(dump, table+" ") {
			t.Errorf("the scan saw no row of %s", table)
		}
	}

	plain := poolIn(t, schema(t))
	fillAll(t, openDB(t, plain, pgstore.WithPlaintext()), values)
	if f := found(tableText(t, plain)); len(f) != len(values) {
		t.Fatalf("WithPlaintext: the scan found %v of %v (it must see bytea contents)", f, values)
	}
}
