package activation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// randomEvents returns n events over profiles within span, in time order.
func randomEvents(rng *rand.Rand, h *harness, n int, profiles []string, span time.Duration) []Input {
	names := []string{"Application Opened", "Product Viewed", "Zone Dwelled", "Zone Exited", "Order Completed", "Zone Entered", "Product Added to Wishlist"}
	zones := []string{"shoes", "toys", "garden"}
	var in []Input
	for range n {
		x := ev{profile: profiles[rng.IntN(len(profiles))], name: names[rng.IntN(len(names))],
			at: time.Duration(rng.Int64N(int64(span))).Truncate(time.Millisecond), purp: h.all}
		if rng.IntN(5) == 0 {
			x.purp = 0 // collected without consent
		}
		z := zones[rng.IntN(len(zones))]
		switch x.name {
		case "Product Viewed":
			x.props = connected.Properties{"category": []string{"boots", "hats"}[rng.IntN(2)]}
		case "Zone Dwelled", "Zone Exited":
			x.props = connected.Properties{"zone": z, "dwell_seconds": float64(rng.IntN(300))}
		case "Order Completed":
			x.props = connected.Properties{"total": float64(rng.IntN(400))}
		case "Zone Entered":
			x.zone = z
		case "Product Added to Wishlist":
			x.props = connected.Properties{"product_id": fmt.Sprint("p", rng.IntN(5)), "department": z}
		}
		in = append(in, h.input(x))
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Time.Before(in[j].Time) })
	return in
}

type finalState map[string]ProfileView

func snapshotOf(t *testing.T, e *Engine, profiles []string, dropTraits ...string) finalState {
	t.Helper()
	fs := finalState{}
	for _, p := range profiles {
		v, ok := e.Profile(p)
		if !ok {
			continue
		}
		v.Traits = slices.DeleteFunc(v.Traits, func(tv TraitValue) bool { return slices.Contains(dropTraits, tv.Key) })
		for i := range v.Traits {
			v.Traits[i].Time = time.Time{}
		}
		v.Facts, v.Identifiers = 0, 0
		fs[p] = v
	}
	return fs
}

// TestOrderIndependenceWithinWatermark: events delivered out of order, each
// displaced by less than the lateness bound, give the same memberships and
// traits as in-order delivery.
func TestOrderIndependenceWithinWatermark(t *testing.T) {
	set := mustSet(t, storeDefs)
	const lateness = 10 * time.Minute
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		h := newHarness(t, set, WithLateness(lateness))
		profiles := []string{"a", "b", "c", "d"}
		events := randomEvents(rng, h, 300, profiles, 9*24*time.Hour)
		// shuffled: sort by time plus a jitter below the bound
		type keyed struct {
			in  Input
			key time.Time
		}
		var ks []keyed
		for _, in := range events {
			ks = append(ks, keyed{in, in.Time.Add(time.Duration(rng.Int64N(int64(lateness) - int64(time.Millisecond))))})
		}
		sort.SliceStable(ks, func(i, j int) bool { return ks[i].key.Before(ks[j].key) })
		h2 := newHarness(t, set, WithLateness(lateness))
		ctx := context.Background()
		end := t0.Add(10 * 24 * time.Hour)
		for _, in := range events {
			if _, err := h.e.Process(ctx, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range ks {
			if _, err := h2.e.Process(ctx, k.in, nil); err != nil {
				t.Fatal(err)
			}
		}
		if h2.e.Stats().Late != 0 {
			t.Fatalf("seed %d: %d events dropped late", seed, h2.e.Stats().Late)
		}
		for _, hh := range []*harness{h, h2} {
			if _, err := hh.e.Advance(ctx, end, nil); err != nil {
				t.Fatal(err)
			}
		}
		a, b := snapshotOf(t, h.e, profiles), snapshotOf(t, h2.e, profiles)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: in order\n%+v\nshuffled\n%+v", seed, a, b)
		}
	}
}

// TestMergeSplitRederivation: facts follow identifiers. An engine that saw
// identifiers move between profiles (merges, splits) ends in the same
// state as a fresh engine that saw every event under the final assignment.
func TestMergeSplitRederivation(t *testing.T) {
	set := mustSet(t, storeDefs)
	ctx := context.Background()
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 2))
		keys := []string{"k1", "k2", "k3", "k4", "k5", "k6"}
		profiles := []string{"P", "Q", "R", "S"}
		assign := map[string]string{}
		for i, k := range keys {
			assign[k] = profiles[i%len(profiles)]
		}
		h := newHarness(t, set)
		tmpl := randomEvents(rng, h, 200, []string{"x"}, time.Hour)
		var log []Input
		for i, in := range tmpl {
			if rng.IntN(8) == 0 { // a merge or a split: an identifier changes profile
				k := keys[rng.IntN(len(keys))]
				assign[k] = profiles[rng.IntN(len(profiles))]
				if _, err := h.e.Relink(ctx, k, assign[k], nil); err != nil {
					t.Fatal(err)
				}
			}
			k := keys[rng.IntN(len(keys))]
			in.Profile = assign[k]
			in.Identities = []Identity{{Key: k, Profile: assign[k]}}
			in.MessageID = fmt.Sprint("e", i)
			if _, err := h.e.Process(ctx, in, nil); err != nil {
				t.Fatal(err)
			}
			log = append(log, in)
		}
		fresh := newHarness(t, set)
		for _, in := range log {
			k := in.Identities[0].Key
			in.Profile = assign[k]
			in.Identities = []Identity{{Key: k, Profile: assign[k]}}
			if _, err := fresh.e.Process(ctx, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		// profiles that lost identifiers keep a later clock: compare what
		// does not depend on it
		a := snapshotOf(t, h.e, profiles, "since_order")
		b := snapshotOf(t, fresh.e, profiles, "since_order")
		held := map[string]bool{}
		for _, p := range assign {
			held[p] = true
		}
		for _, p := range profiles {
			if !held[p] { // no identifier left: nothing to compare
				if v := a[p]; len(v.Audiences) != 0 {
					t.Fatalf("seed %d: %s holds no identifier but is in %v", seed, p, v.Audiences)
				}
				delete(a, p)
				delete(b, p)
			}
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d:\nmoved %+v\nfresh %+v", seed, a, b)
		}
	}
}
