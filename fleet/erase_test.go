package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestEraseKeepsASharedKeyOffTheTombstone: a family tablet seen at the
// hub with Kim and with Lee is kept by the hub when Kim is erased, whether
// the request names her card or the tablet, so no tombstone lists it and a
// following gateway keeps Lee (and the tablet with him); Lee's export at
// the hub still works.
func TestEraseKeepsASharedKeyOffTheTombstone(t *testing.T) {
	kim := id(identity.TypeLoyaltyID, "K-1")
	lee := id(identity.TypeLoyaltyID, "L-2")
	tablet := id(identity.TypeDeviceID, "family-tablet")
	for _, by := range []identity.Identifier{kim, tablet} {
		t.Run("by "+string(by.Type), func(t *testing.T) { eraseShared(t, by, kim, lee, tablet) })
	}
}

func eraseShared(t *testing.T, by, kim, lee, tablet identity.Identifier) {
	ctx := context.Background()
	hub, _, _ := newHub(t)
	gw, drops := graphGateway(t, "store-a")
	_, m1 := gw.see(at(1, 9), "Zone Entered", tablet, kim)
	_, m2 := gw.see(at(1, 10), "Zone Entered", tablet, lee)
	apply(t, hub, append(m1, m2...)...)

	// Kim is erased through the tablet's co-identifier; the hub keeps the tablet
	er, err := hub.Erase(ctx, by, "dsr-shared", at(2, 9))
	if err != nil {
		t.Fatal(err)
	}
	tabletKey, err := gw.graph.Key(tablet)
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, r := range er.Report.Retained {
		kept = kept || r.Key == tabletKey.Key
	}
	if !kept {
		t.Fatalf("the hub did not keep the shared tablet: %+v", er.Report)
	}
	var wire [][]byte
	for _, m := range er.Publish {
		for _, r := range m.Tombstone.Keys {
			if r.Key == tabletKey.Key {
				t.Fatalf("the tombstone lists the tablet, which the hub kept: %+v", m.Tombstone.Keys)
			}
		}
		wire = append(wire, enc(t, m))
	}
	for _, r := range er.Keys {
		if r.Key == tabletKey.Key {
			t.Fatalf("Erasure.Keys lists the kept tablet")
		}
	}
	follow(t, wire, gw)

	if _, err := gw.graph.Profile(kim); by == kim && !errors.Is(err, identity.ErrSuppressed) {
		t.Fatalf("Kim at the gateway after the tombstone: %v", err)
	}
	p, err := gw.graph.Profile(lee)
	if err != nil {
		t.Fatalf("Lee at the gateway after Kim's tombstone: %v", err)
	}
	pt, err := gw.graph.Profile(tablet)
	if err != nil || by == kim && pt.ID != p.ID {
		t.Fatalf("the tablet at the gateway: %+v %v, Lee's profile %s", pt, err, p.ID)
	}
	// Lee's next visit with the tablet is accepted at the gateway
	if _, err := gw.graph.Link(ctx, identity.Observation{EventID: "later", Time: at(3, 9), IDs: []identity.Identifier{tablet, lee}}); err != nil {
		t.Fatalf("Lee with the tablet after Kim's erasure: %v", err)
	}
	// and at the hub neither the tablet nor Lee is tombstoned
	if _, err := hub.Export(ctx, lee); err != nil {
		t.Fatalf("Lee's export at the hub: %v", err)
	}
	if len(*drops) != 0 {
		t.Fatalf("drops at the gateway: %+v", *drops)
	}
}

// TestEraseRerunErasesNobodyElse: Kim is erased through the family
// tablet, which she used first and Bob after her; the hub keeps the
// tablet (shared), and with Kim gone it goes on with Bob. A rerun of the
// same request (a requester retrying, or a crash before the tombstone
// was published) publishes the same parts and must not erase Bob, the
// tablet's owner by then.
func TestEraseRerunErasesNobodyElse(t *testing.T) {
	ctx := context.Background()
	kimCard := id(identity.TypeLoyaltyID, "K-1")
	kimMail := id(identity.TypeEmail, "kim@mail.example")
	bobMail := id(identity.TypeEmail, "bob@mail.example")
	bobUser := id(identity.TypeUserID, "bob-5")
	tablet := id(identity.TypeDeviceID, "family-tablet")
	hub, _, _ := newHub(t)
	gw, _ := graphGateway(t, "store-a")
	var msgs [][]byte
	for i, ids := range [][]identity.Identifier{{kimCard, kimMail}, {kimMail, tablet}, {tablet, bobMail}, {bobUser, bobMail}} {
		_, m := gw.see(at(1, 8+i), "Zone Entered", ids...)
		msgs = append(msgs, m...)
	}
	apply(t, hub, msgs...)
	key := func(x identity.Identifier) identity.Key {
		r, err := gw.graph.Key(x)
		if err != nil {
			t.Fatal(err)
		}
		return r.Key
	}

	er, err := hub.Erase(ctx, tablet, "dsr-kim", at(2, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Report.Removed) != 2 || len(er.Report.Retained) != 1 || er.Report.Retained[0].Key != key(tablet) || len(er.Publish) != 1 {
		t.Fatalf("first run: %+v, %d parts; want Kim's card and email removed, the tablet kept", er.Report, len(er.Publish))
	}
	if _, err := hub.Export(ctx, kimCard); err == nil {
		t.Fatal("Kim's export after her erasure")
	}
	before, err := hub.Export(ctx, bobUser)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(before.Identifiers, func(x fleet.ExportID) bool { return x.Key == key(tablet).String() }) {
		t.Fatalf("the tablet did not go on with Bob: %+v", before.Identifiers)
	}

	er2, err := hub.Erase(ctx, tablet, "dsr-kim", at(2, 10))
	if err != nil {
		t.Fatal(err)
	}
	if er2.Report.ProfileID != "" || len(er2.Report.Removed) != 0 {
		t.Fatalf("the rerun erased a person: %+v", er2.Report)
	}
	if len(er2.Publish) != 1 || string(enc(t, er2.Publish[0])) != string(enc(t, er.Publish[0])) {
		t.Fatalf("rerun parts %+v, want %+v", er2.Publish, er.Publish)
	}
	after, err := hub.Export(ctx, bobUser)
	if err != nil {
		t.Fatalf("Bob's export after the rerun: %v", err)
	}
	if after.ProfileID != before.ProfileID || len(after.Identifiers) != len(before.Identifiers) || len(after.Touchpoints) != len(before.Touchpoints) {
		t.Fatalf("Bob after the rerun: %+v\nbefore: %+v", after, before)
	}
}

// TestEraseRerunWithoutParts: erasing by a tablet seen with two loyalty
// cards removes nobody's identifier (the tablet is shared) and publishes
// no tombstone; a rerun of the request does not ask the graph again,
// while a new request for the same tablet does.
func TestEraseRerunWithoutParts(t *testing.T) {
	ctx := context.Background()
	tablet := id(identity.TypeDeviceID, "family-tablet")
	hub, _, _ := newHub(t)
	gw, _ := graphGateway(t, "store-a")
	_, m1 := gw.see(at(1, 9), "Zone Entered", tablet, id(identity.TypeLoyaltyID, "K-1"))
	_, m2 := gw.see(at(1, 10), "Zone Entered", tablet, id(identity.TypeLoyaltyID, "L-2"))
	apply(t, hub, append(m1, m2...)...)
	for i, c := range []struct {
		request   string
		askedWant bool
	}{{"dsr-tablet", true}, {"dsr-tablet", false}, {"dsr-tablet-2", true}} {
		er, err := hub.Erase(ctx, tablet, c.request, at(2, 9+i))
		if err != nil {
			t.Fatal(err)
		}
		if len(er.Publish) != 0 || len(er.Report.Removed) != 0 {
			t.Fatalf("run %d: %+v, %d parts", i, er.Report, len(er.Publish))
		}
		if asked := er.Report.ProfileID != ""; asked != c.askedWant {
			t.Errorf("run %d (%s): the graph asked %v, want %v", i, c.request, asked, c.askedWant)
		}
	}
}

// TestEraseSplitsALargeTombstone: a person with 200 identifiers is erased
// in tombstone parts of at most MaxSubjectKeys keys, each of which
// decodes, with ids derived from the request and the part number; a
// following gateway erases every identifier; a rerun of the request
// publishes the same parts; redelivered parts change nothing.
func TestEraseSplitsALargeTombstone(t *testing.T) {
	ctx := context.Background()
	const n = 200
	card := id(identity.TypeLoyaltyID, "K-200")
	hub, _, _ := newHub(t)
	gw, drops := graphGateway(t, "store-a")
	var all []identity.Identifier
	for i := range n - 1 {
		anon := id(identity.TypeAnonymousID, fmt.Sprintf("kiosk-%03d", i))
		all = append(all, anon)
		_, msgs := gw.see(at(1, 9).Add(timeStep(i)), "Zone Entered", card, anon)
		apply(t, hub, msgs...)
	}
	all = append(all, card)
	p, err := gw.graph.Profile(card)
	if err != nil || len(p.Members) != n {
		t.Fatalf("her profile at the gateway: %d members, %v", len(p.Members), err)
	}

	er, err := hub.Erase(ctx, card, "dsr-200", at(2, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Keys) != n || len(er.Publish) != (n+fleet.MaxSubjectKeys-1)/fleet.MaxSubjectKeys {
		t.Fatalf("%d keys in %d parts", len(er.Keys), len(er.Publish))
	}
	var wire [][]byte
	seen := map[identity.Key]bool{}
	for i, m := range er.Publish {
		if m.ID != fleet.TombstonePartID("dsr-200", i) || m.Tombstone.RequestID != "dsr-200" {
			t.Fatalf("part %d: id %s request %s", i, m.ID, m.Tombstone.RequestID)
		}
		b := enc(t, m)
		d, err := fleet.Decode(b)
		if err != nil {
			t.Fatalf("part %d does not decode: %v", i, err)
		}
		if len(d.Tombstone.Keys) > fleet.MaxSubjectKeys {
			t.Fatalf("part %d has %d keys", i, len(d.Tombstone.Keys))
		}
		for _, r := range d.Tombstone.Keys {
			if seen[r.Key] {
				t.Fatalf("key %s in two parts", r.Key)
			}
			seen[r.Key] = true
		}
		wire = append(wire, b)
	}
	if len(seen) != n || fleet.TombstonePartID("dsr-200", 0) != fleet.DeriveID(fleet.KindTombstone, "dsr-200") {
		t.Fatalf("%d distinct keys over the parts", len(seen))
	}
	// the parts in reverse order, each applied by itself
	for i := len(wire) - 1; i >= 0; i-- {
		follow(t, wire[i:i+1], gw)
	}
	if st := gw.fol.Stats(); st.Erased != n || st.Applied != uint64(len(wire)) || st.Dropped != 0 {
		t.Fatalf("follower stats %+v", st)
	}
	for _, x := range all {
		if _, err := gw.graph.Profile(x); !errors.Is(err, identity.ErrSuppressed) {
			t.Fatalf("%s %s at the gateway after the tombstone: %v", x.Type, x.Value, err)
		}
	}
	// redelivered: duplicates
	follow(t, wire, gw)
	if st := gw.fol.Stats(); st.Duplicates != uint64(len(wire)) || st.Erased != n {
		t.Fatalf("follower stats after redelivery %+v", st)
	}
	// the request again (a crash before publishing): the same parts
	er2, err := hub.Erase(ctx, card, "dsr-200", at(2, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(er2.Publish) != len(er.Publish) {
		t.Fatalf("rerun: %d parts, want %d", len(er2.Publish), len(er.Publish))
	}
	for i := range er2.Publish {
		if b := enc(t, er2.Publish[i]); string(b) != string(wire[i]) {
			t.Fatalf("rerun part %d differs:\n%s\n%s", i, b, wire[i])
		}
	}
	if _, err := hub.Export(ctx, card); err == nil {
		t.Fatal("her export after the erasure")
	}
	if len(*drops) != 0 {
		t.Fatalf("drops at the gateway: %+v", *drops)
	}
}

func timeStep(i int) time.Duration { return time.Duration(i) * time.Second }

// A tombstone of more than MaxSubjectKeys keys is published in parts,
// each with an id of its own derived from the request and the part
// number; part 0 has the id a one-part tombstone always had.
func ExampleTombstonePartID() {
	fmt.Println(fleet.TombstonePartID("dsr-1", 0) == fleet.DeriveID(fleet.KindTombstone, "dsr-1"))
	fmt.Println(fleet.TombstonePartID("dsr-1", 1) == fleet.DeriveID(fleet.KindTombstone, "dsr-1"))
	fmt.Println(fleet.TombstonePartID("dsr-1", 1) == fleet.TombstonePartID("dsr-1", 2))
	// Output:
	// true
	// false
	// false
}
