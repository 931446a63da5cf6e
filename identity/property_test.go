package identity_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// randomScenario builds a scenario over a small universe of identifiers, so
// that events collide: shared devices, limit conflicts, ownership changes
// over a 200-day span, placeholders, households, places, consent changes,
// and (optionally) an erasure between two phases.
func randomScenario(rng *rand.Rand, n int) *scenario {
	universe := []string{
		"user_id:u0", "user_id:u1", "user_id:u2", "user_id:u3", "user_id:undefined",
		"email:m0@x.example", "email:m1@x.example", "email:m2@x.example", "email:m3@x.example",
		"phone:+14155550101", "phone:+14155550102",
		"loyalty_id:L0", "loyalty_id:L1",
		"anonymous_id:a0", "anonymous_id:a1", "anonymous_id:a2", "anonymous_id:a3", "anonymous_id:a4",
		"device_id:d0", "device_id:d1", "device_id:d2",
		"wearable_serial:W0", "vin:1HGCM82633A004352", "beacon_id:b0",
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sc := &scenario{Name: "random", file: "random"}
	if rng.IntN(3) == 0 {
		sc.Config.Consent = "opt-in"
	}
	if rng.IntN(3) == 0 {
		sc.Config.Fanout = 3 + rng.IntN(4) // small, so that fan-out quarantines happen
	}
	phases := 1 + rng.IntN(2)
	for p := range phases {
		var ph phase
		for i := range n {
			k := 2 + rng.IntN(3)
			var ids []string
			for range k {
				id := universe[rng.IntN(len(universe))]
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
			at := base.Add(time.Duration(rng.IntN(200*24)) * time.Hour)
			ph.Events = append(ph.Events, sevent{ID: fmt.Sprintf("p%d-e%03d", p, i), At: at.Format(time.RFC3339), IDs: ids})
		}
		for i := range rng.IntN(4) {
			at := base.Add(time.Duration(rng.IntN(200*24)) * time.Hour)
			subject := universe[rng.IntN(4)]
			if rng.IntN(2) == 0 {
				subject = universe[13+rng.IntN(5)]
			}
			ph.Consent = append(ph.Consent, sconsent{ID: fmt.Sprintf("p%d-c%d", p, i), At: at.Format(time.RFC3339), Subject: subject, Granted: rng.IntN(3) > 0})
		}
		if p == 0 && phases == 2 && rng.IntN(2) == 0 {
			ph.Erase = &serase{Subject: universe[rng.IntN(4)], At: base.Add(300 * 24 * time.Hour).Format(time.RFC3339)}
			if rng.IntN(2) == 0 {
				ph.Erase.Keys = eraseKeys(rng, universe, ph.Erase.Subject)
			}
		}
		// explain a few pairs
		for range 4 {
			a, b := universe[rng.IntN(len(universe))], universe[rng.IntN(len(universe))]
			ph.Expect.Explain = append(ph.Expect.Explain, sexplain{A: a, B: b})
		}
		sc.Phases = append(sc.Phases, ph)
	}
	return sc
}

// eraseKeys picks the keys of a by-keys erasure: the subject and up to
// two other identifiers of the universe that may identify someone (not
// the placeholder, not the beacon), as a hub's tombstone lists them.
func eraseKeys(rng *rand.Rand, universe []string, subject string) []string {
	keys := []string{subject}
	for range rng.IntN(3) {
		id := universe[rng.IntN(len(universe))]
		if id != "user_id:undefined" && id != "beacon_id:b0" && !slices.Contains(keys, id) {
			keys = append(keys, id)
		}
	}
	return keys
}

// applyLoose applies an operation, tolerating suppression (events of an
// erased person) but nothing else.
func applyLoose(t testing.TB, g *identity.Graph, o op) {
	t.Helper()
	if o.ev != nil {
		ids := make([]identity.Identifier, len(o.ev.IDs))
		for i, s := range o.ev.IDs {
			ids[i] = parseID(t, s)
		}
		_, err := g.Link(context.Background(), identity.Observation{EventID: o.ev.ID, Time: parseTime(t, o.ev.At), IDs: ids})
		if err != nil && !errors.Is(err, identity.ErrSuppressed) {
			t.Fatalf("event %s: %v", o.ev.ID, err)
		}
		return
	}
	err := g.SetLinkConsent(context.Background(), identity.Consent{ID: parseID(t, o.co.Subject), Granted: o.co.Granted, At: parseTime(t, o.co.At), EventID: o.co.ID})
	if err != nil && !errors.Is(err, identity.ErrSuppressed) {
		t.Fatalf("consent %s: %v", o.co.ID, err)
	}
}

func runLoose(t testing.TB, sc *scenario, g *identity.Graph, l labels, rng *rand.Rand) []string {
	var out []string
	for i := range sc.Phases {
		ph := &sc.Phases[i]
		ops := ph.ops()
		if rng != nil {
			rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
		}
		for _, o := range ops {
			applyLoose(t, g, o)
		}
		var rep *identity.ErasureReport
		if ph.Erase != nil {
			rep = erase(t, g, ph.Erase)
		}
		out = append(out, state(t, g, l, &ph.Expect, rep))
	}
	return out
}

// TestRandomPermutations: for random scenarios, random arrival orders give
// byte-identical states, and a graph rebuilt from its store gives the same
// state as the graph built incrementally.
func TestRandomPermutations(t *testing.T) {
	scenarios, perms := 150, 20
	if testing.Short() {
		scenarios = 30
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for s := range scenarios {
		sc := randomScenario(rng, 6+rng.IntN(20))
		mem := identity.NewMemStore()
		g, err := identity.New(scenarioSecret, sc.options(identity.WithStore(mem))...)
		if err != nil {
			t.Fatal(err)
		}
		l := sc.labels(t, g)
		want := runLoose(t, sc, g, l, nil)
		g.Close()
		rebuilt, err := identity.New(scenarioSecret, sc.options(identity.WithStore(mem))...)
		if err != nil {
			t.Fatal(err)
		}
		last := &sc.Phases[len(sc.Phases)-1].Expect
		if got := state(t, rebuilt, l, last, nil); got != stripErasure(want[len(want)-1]) {
			t.Fatalf("scenario %d: rebuilt from store:\n got:\n%s\n want:\n%s", s, got, want[len(want)-1])
		}
		for p := range perms {
			g, err := identity.New(scenarioSecret, sc.options()...)
			if err != nil {
				t.Fatal(err)
			}
			got := runLoose(t, sc, g, l, rng)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("scenario %d, permutation %d, phase %d:\n got:\n%s\n want:\n%s\nscenario: %+v", s, p, i, got[i], want[i], sc)
				}
			}
		}
	}
}

// stripErasure drops the erasure line (a rebuilt graph has no report).
func stripErasure(s string) string {
	if i := indexLine(s, "erasure "); i >= 0 {
		return s[:i]
	}
	return s
}

func indexLine(s, prefix string) int {
	for i := 0; i < len(s); {
		if len(s)-i >= len(prefix) && s[i:i+len(prefix)] == prefix {
			return i
		}
		j := i
		for j < len(s) && s[j] != '\n' {
			j++
		}
		i = j + 1
	}
	return -1
}
