package main

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// natsJS connects to a fresh embedded server.
func natsJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(startNATS(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestLeaseSingleOwner: the control lease has one holder at a time; it
// passes to another instance when the holder stops renewing (killed: the
// TTL frees it) or releases it (shutdown: at once), and the old holder
// learns it lost it at its next renewal.
func TestLeaseSingleOwner(t *testing.T) {
	js := natsJS(t)
	ctx := context.Background()
	const ttl = 3 * time.Second
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "FLEET_LEASE", History: 1, TTL: ttl, Storage: jetstream.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	a := &lease{kv: kv, key: "hub", value: []byte("a"), ttl: ttl}
	b := &lease{kv: kv, key: "hub", value: []byte("b"), ttl: ttl}
	now := time.Now()
	if !a.hold(ctx, now) {
		t.Fatal("a could not take a free lease")
	}
	if b.hold(ctx, now) {
		t.Fatal("b took a lease a holds")
	}
	// a renews (every ttl/3) for longer than the TTL: b never gets it
	for i := 0; i < 12; i++ {
		time.Sleep(ttl / 10)
		now = time.Now()
		if !a.hold(ctx, now) {
			t.Fatalf("a lost the lease it renews (round %d)", i)
		}
		if b.hold(ctx, now) {
			t.Fatalf("b took the lease a renews (round %d)", i)
		}
	}
	// a is killed (stops renewing): the key expires and b takes it
	deadline := time.Now().Add(10 * ttl)
	for !b.hold(ctx, time.Now()) {
		if time.Now().After(deadline) {
			t.Fatal("b never took the lease of a killed holder")
		}
		time.Sleep(ttl / 10)
	}
	if since := time.Since(a.renewed); since < ttl {
		t.Fatalf("b took the lease %v after a's last renewal, before its TTL %v", since, ttl)
	}
	// a comes back: its renewal fails, it knows it lost the lease
	if a.hold(ctx, time.Now()) {
		t.Fatal("a still believes it holds the lease b took")
	}
	// b shuts down: a takes it at once, not after the TTL
	b.release()
	a.tried = time.Time{}
	if !a.hold(ctx, time.Now()) {
		t.Fatal("a could not take the lease b released")
	}
}

// TestNATSPublishMsgID: what the hub publishes carries Nats-Msg-Id (the
// derived id), so a republication after a crash is not stored twice.
func TestNATSPublishMsgID(t *testing.T) {
	js := natsJS(t)
	ctx := context.Background()
	in, err := NewNATSInstance(natsConfig(Config{Brokers: []string{"unused"}, Group: "g", Control: topicControl, Data: topicData, Out: topicOut,
		Store: fleet.NewMemStore(), OpenGraph: func(context.Context) (*identity.Graph, error) { return nil, ErrNotOwner }}))
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureStreams(ctx, js, in.ncfg); err != nil {
		t.Fatal(err)
	}
	ref := identity.Ref{Type: identity.TypeLoyaltyID, Key: identity.Key{1, 2, 3}}
	m := fleet.Message{Kind: fleet.KindTombstone, ID: fleet.DeriveID(fleet.KindTombstone, "dsr-1"), Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Source: "hub", Tombstone: &fleet.Tombstone{RequestID: "dsr-1", Keys: []identity.Ref{ref}}}
	for i := 0; i < 3; i++ { // the first publication, and two after crashes
		if err := in.publish(ctx, js, m); err != nil {
			t.Fatal(err)
		}
	}
	s, err := js.Stream(ctx, in.ncfg.OutStream())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("%d messages on the out stream, want 1", info.State.Msgs)
	}
	raw, err := s.GetMsg(ctx, info.State.FirstSeq)
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Header.Get(jetstream.MsgIDHeader); got != m.ID {
		t.Fatalf("Nats-Msg-Id %q, want %q", got, m.ID)
	}
}
