package fleet_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

var secret = []byte("fleet-test-secret-0123456789")

func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func id(t identity.Type, v string) identity.Identifier { return identity.Identifier{Type: t, Value: v} }

// gateway simulates one store's gateway: its own identity graph and
// consent ledger, and a follower of the hub.
type gateway struct {
	t      testing.TB
	name   string
	graph  *identity.Graph
	ledger *consent.Ledger
	fol    *fleet.Follower
	n      int
}

func newGateway(t testing.TB, name string) *gateway {
	t.Helper()
	g, err := identity.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	l, err := consent.NewLedger()
	if err != nil {
		t.Fatal(err)
	}
	f, err := fleet.NewFollower(l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(context.Background()); l.Shutdown(context.Background()) })
	return &gateway{t: t, name: name, graph: g, ledger: l, fol: f}
}

// see links the identifiers at the gateway and returns the messages it
// publishes: the link fact (if the graph changed) and the touchpoint.
func (g *gateway) see(when time.Time, event string, ids ...identity.Identifier) (refs []identity.Ref, msgs [][]byte) {
	g.t.Helper()
	g.n++
	ev := fmt.Sprintf("%s-ev-%d", g.name, g.n)
	res, err := g.graph.Link(context.Background(), identity.Observation{EventID: ev, Time: when, IDs: ids})
	if err != nil {
		g.t.Fatal(err)
	}
	if res.Fact != nil {
		m, err := fleet.NewLinkMessage(*res.Fact, g.name)
		if err != nil {
			g.t.Fatal(err)
		}
		msgs = append(msgs, enc(g.t, m))
	}
	for _, x := range ids {
		r, err := g.graph.Key(x)
		if err != nil {
			g.t.Fatal(err)
		}
		refs = append(refs, r)
	}
	tp := fleet.Touchpoint{Subject: refs, Type: "track", Event: event, Channel: "store", Store: g.name}
	msgs = append(msgs, enc(g.t, fleet.NewTouchpointMessage(ev, when, tp, g.name)))
	return refs, msgs
}

// decide asks the gateway's follower.
func (g *gateway) decide(p consent.Purpose, when time.Time, refs ...identity.Ref) fleet.Decision {
	return g.fol.Decide(p, when, refs...)
}

func enc(t testing.TB, m fleet.Message) []byte {
	t.Helper()
	b, err := fleet.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func consentMsg(recordID string, when time.Time, granted bool, store string, subject ...identity.Ref) fleet.Message {
	return fleet.NewConsentMessage(fleet.ConsentRecord{RecordID: recordID, Subject: subject, Purposes: []consent.Purpose{consent.PurposeMarketing},
		Granted: granted, Time: when, Method: consent.SourceStoreKiosk, Notice: "privacy-2026-03", Language: "en-GB",
		Jurisdiction: "UK", Store: store, Collector: store + "/kiosk-1"}, store+"/gw-1")
}

// newHub returns a hub over a fresh graph and MemStore.
func newHub(t testing.TB, opts ...fleet.HubOption) (*fleet.Hub, *identity.Graph, *fleet.MemStore) {
	t.Helper()
	g, err := identity.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	st := fleet.NewMemStore()
	h, err := fleet.NewHub(st, append([]fleet.HubOption{fleet.WithGraph(g), fleet.WithClock(func() time.Time { return at(20, 12) }),
		fleet.WithController(fleet.Controller{Name: "Acme Stores Ltd", Contact: "privacy@acme.example", Retention: "proof of consent: 6 years after it ends",
			WithdrawalMethod: "at any till or kiosk, or in the app"})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return h, g, st
}

// apply applies every message at the hub and returns what it publishes.
func apply(t testing.TB, h *fleet.Hub, msgs ...[]byte) (pub [][]byte) {
	t.Helper()
	for _, b := range msgs {
		res, err := h.Apply(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Publish {
			pub = append(pub, enc(t, m))
		}
	}
	return pub
}

func follow(t testing.TB, msgs [][]byte, gws ...*gateway) {
	t.Helper()
	for _, g := range gws {
		for _, b := range msgs {
			if err := g.fol.Apply(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
	}
}
