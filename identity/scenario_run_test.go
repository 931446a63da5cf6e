package identity_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// run plays a scenario: each phase's operations in the order perm gives,
// then its erasure. It returns the rendered state after each phase.
func run(t testing.TB, sc *scenario, g *identity.Graph, l labels, perm func([]op) []op, restart func() *identity.Graph) ([]string, []*identity.ErasureReport) {
	t.Helper()
	var states []string
	var reps []*identity.ErasureReport
	for i := range sc.Phases {
		ph := &sc.Phases[i]
		for _, o := range perm(ph.ops()) {
			apply(t, g, o)
		}
		var rep *identity.ErasureReport
		if ph.Erase != nil {
			rep = erase(t, g, ph.Erase)
		}
		if restart != nil {
			g = restart()
		}
		states = append(states, state(t, g, l, &ph.Expect, rep))
		reps = append(reps, rep)
	}
	return states, reps
}

func TestScenarios(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		t.Run(strings.TrimSuffix(sc.file, ".json"), func(t *testing.T) {
			store := identity.NewMemStore()
			g, err := identity.New(scenarioSecret, sc.options(identity.WithStore(store))...)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			l := sc.labels(t, g)
			for i := range sc.Phases {
				ph := &sc.Phases[i]
				for _, o := range ph.ops() {
					apply(t, g, o)
				}
				var rep *identity.ErasureReport
				if ph.Erase != nil {
					rep = erase(t, g, ph.Erase)
				}
				check(t, g, l, &ph.Expect, rep, store)
			}
		})
	}
}

// TestScenarioPermutations is the order-independence property: every
// phase's events and consent changes, in at least 1,000 random orders per
// scenario, give byte-identical profiles (canonical ids included),
// explanations, resolutions and erasure reports. Scenarios without an
// erasure are also shuffled across phases for the final state.
func TestScenarioPermutations(t *testing.T) {
	const perms = 1000
	for _, sc := range loadScenarios(t) {
		t.Run(strings.TrimSuffix(sc.file, ".json"), func(t *testing.T) {
			newGraph := func() *identity.Graph {
				g, err := identity.New(scenarioSecret, sc.options()...)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			g := newGraph()
			l := sc.labels(t, g)
			want, _ := run(t, sc, g, l, func(o []op) []op { return o }, nil)
			rng := rand.New(rand.NewPCG(1, uint64(len(sc.file))))
			for p := range perms {
				g := newGraph()
				got, _ := run(t, sc, g, l, func(o []op) []op {
					o = slices.Clone(o)
					rng.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
					return o
				}, nil)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("permutation %d, phase %d differs:\n got:\n%s\n want:\n%s", p, i, got[i], want[i])
					}
				}
			}
			erases := slices.ContainsFunc(sc.Phases, func(ph phase) bool { return ph.Erase != nil })
			if erases || len(sc.Phases) < 2 {
				return
			}
			last := &sc.Phases[len(sc.Phases)-1].Expect
			var all []op
			for i := range sc.Phases {
				all = append(all, sc.Phases[i].ops()...)
			}
			for p := range perms {
				g := newGraph()
				o := slices.Clone(all)
				rng.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
				for _, x := range o {
					apply(t, g, x)
				}
				if got := state(t, g, l, last, nil); got != want[len(want)-1] {
					t.Fatalf("cross-phase permutation %d differs:\n got:\n%s\n want:\n%s", p, got, want[len(want)-1])
				}
			}
		})
	}
}

// TestScenarioStores runs every scenario against the in-memory store and
// the file store, restarting the graph from its store after every phase:
// the rebuilt graph must say exactly what the graph that never restarted
// said.
func TestScenarioStores(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		t.Run(strings.TrimSuffix(sc.file, ".json"), func(t *testing.T) {
			g0, err := identity.New(scenarioSecret, sc.options()...)
			if err != nil {
				t.Fatal(err)
			}
			l := sc.labels(t, g0)
			want, _ := run(t, sc, g0, l, func(o []op) []op { return o }, nil)

			mem := identity.NewMemStore()
			dir := t.TempDir()
			for _, kind := range []string{"mem", "file"} {
				open := func() *identity.Graph {
					var st identity.Store = mem
					if kind == "file" {
						fs, err := identity.OpenFileStore(dir, identity.WithoutSync())
						if err != nil {
							t.Fatal(err)
						}
						st = fs
					}
					g, err := identity.New(scenarioSecret, sc.options(identity.WithStore(st))...)
					if err != nil {
						t.Fatal(err)
					}
					return g
				}
				g := open()
				restart := func() *identity.Graph {
					if err := g.Close(); err != nil {
						t.Fatal(err)
					}
					g = open()
					return g
				}
				got, _ := run(t, sc, g, l, func(o []op) []op { return o }, restart)
				if kind == "file" {
					absentOnDisk(t, g, sc, dir)
				}
				g.Close()
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s store, phase %d after restart:\n got:\n%s\n want:\n%s", kind, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// absentOnDisk checks that the file store holds no trace of erased
// identifiers: each key at most once (its tombstone), and no value.
func absentOnDisk(t *testing.T, g *identity.Graph, sc *scenario, dir string) {
	t.Helper()
	var raw []byte
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	for _, ph := range sc.Phases {
		for _, a := range ph.Expect.Absent {
			id := parseID(t, a)
			ref, err := g.Key(id)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(raw, ref.Key[:]); n > 1 {
				t.Errorf("%s: key found %d times on disk (tombstone only expected)", a, n)
			}
			if bytes.Contains(raw, []byte(id.Value)) {
				t.Errorf("%s: plaintext on disk", a)
			}
		}
	}
}
