package identity_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

var (
	tablet = identity.Identifier{Type: identity.TypeDeviceID, Value: "family-tablet"}
	beacon = identity.Identifier{Type: identity.TypeBeaconID, Value: "b-door"}
)

// aliceAndBob links Alice (user id, email, anonymous id, phone), her
// phone app and the family tablet she shares with Bob.
func aliceAndBob(t *testing.T, g *identity.Graph) {
	t.Helper()
	mustLink(t, g, "e1", benchT0, uid("alice-9"), email("alice9@mail.example"), anon("alice-web"))
	mustLink(t, g, "e2", benchT0.Add(time.Hour), uid("alice-9"), identity.Identifier{Type: identity.TypeDeviceID, Value: "alice-phone"})
	mustLink(t, g, "e3", benchT0.Add(2*time.Hour), tablet, email("alice9@mail.example"))
	mustLink(t, g, "e4", benchT0.Add(3*time.Hour), tablet, beacon)
	mustLink(t, g, "e5", benchT0.Add(24*time.Hour), tablet, email("bob5@mail.example"))
	mustLink(t, g, "e6", benchT0.Add(25*time.Hour), uid("bob-5"), email("bob5@mail.example"))
}

func keyOf(t testing.TB, g *identity.Graph, id identity.Identifier) identity.Ref {
	t.Helper()
	r, err := g.Key(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func refsOf(rs []identity.Ref) []identity.Ref {
	out := make([]identity.Ref, len(rs))
	for i, r := range rs {
		out[i] = identity.Ref{Type: r.Type, Key: r.Key}
	}
	return out
}

// TestEraseKeysAsErase: erasing by an identifier's key does what Erase
// does with the identifier (report and state), and erasing by all the
// keys Erase reported, in any order, leaves the same graph.
func TestEraseKeysAsErase(t *testing.T) {
	ctx := context.Background()
	when := benchT0.Add(30 * 24 * time.Hour)
	a, b, c := newGraph(t), newGraph(t), newGraph(t)
	for _, g := range []*identity.Graph{a, b, c} {
		aliceAndBob(t, g)
	}
	want, err := a.Erase(ctx, email("alice9@mail.example"), when)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Removed) != 4 || len(want.Retained) != 2 {
		t.Fatalf("Erase reported %+v", want)
	}
	reps, err := b.EraseKeys(ctx, []identity.Ref{keyOf(t, b, email("alice9@mail.example"))}, when)
	if err != nil || len(reps) != 1 {
		t.Fatalf("EraseKeys: %v, %d reports", err, len(reps))
	}
	w := *want
	w.MatchKeys = nil
	if !reflect.DeepEqual(*reps[0], w) {
		t.Fatalf("by key:\n got  %+v\n want %+v", *reps[0], w)
	}
	// the tombstone a hub publishes: subject and removed keys, shuffled
	keys := append(refsOf(want.Removed), want.Subject)
	slices.Reverse(keys)
	reps, err = c.EraseKeys(ctx, keys, when)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Subject.Type != identity.TypeUserID || !slices.Equal(reps[0].Removed, want.Removed) || reps[0].FactsRemoved != want.FactsRemoved {
		t.Fatalf("by the reported keys: %d reports, first %+v", len(reps), reps[0])
	}
	for _, g := range []*identity.Graph{b, c} {
		if !reflect.DeepEqual(g.Profiles(), a.Profiles()) || g.Stats() != a.Stats() {
			t.Fatalf("state differs:\n got  %+v %+v\n want %+v %+v", g.Profiles(), g.Stats(), a.Profiles(), a.Stats())
		}
	}
}

// TestEraseKeysSplitPerson: a gateway that knows the erased person as two
// profiles erases both; a key the hub listed but that is shared here (the
// tablet, seen with Bob at this store only) is kept and does not take Bob
// with it; keys never seen here are tombstoned, so their events are
// suppressed when they arrive; replays are suppressed.
func TestEraseKeysSplitPerson(t *testing.T) {
	ctx := context.Background()
	g := newGraph(t)
	phone := identity.Identifier{Type: identity.TypeDeviceID, Value: "kim-phone"}
	card := identity.Identifier{Type: identity.TypeLoyaltyID, Value: "K-1"}
	mustLink(t, g, "e1", benchT0, uid("kim-1"), phone)
	mustLink(t, g, "e2", benchT0.Add(time.Hour), card, email("kim1@mail.example"))
	mustLink(t, g, "e3", benchT0.Add(2*time.Hour), tablet, email("kim1@mail.example"))
	mustLink(t, g, "e4", benchT0.Add(3*time.Hour), tablet, email("bob5@mail.example"))
	mustLink(t, g, "e5", benchT0.Add(4*time.Hour), uid("bob-5"), email("bob5@mail.example"))
	before, _ := g.Profile(uid("bob-5"))
	if len(before.Members) != 2 {
		t.Fatalf("Bob before: %+v", before.Members)
	}
	listed := []identity.Identifier{uid("kim-1"), phone, card, email("kim1@mail.example"), tablet, anon("kim-web")}
	var keys []identity.Ref
	for _, id := range listed {
		keys = append(keys, keyOf(t, g, id))
	}
	reps, err := g.EraseKeys(ctx, keys, benchT0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var removed []identity.Ref
	var profiles []string
	for _, r := range reps {
		removed = append(removed, r.Removed...)
		if r.ProfileID != "" {
			profiles = append(profiles, r.ProfileID)
		}
	}
	if len(reps) != 3 || len(profiles) != 2 || len(removed) != 4 {
		t.Fatalf("%d reports, profiles %v, removed %v", len(reps), profiles, removed)
	}
	if r := reps[1].Retained; len(r) != 1 || r[0].Key != keys[4].Key || r[0].Reason != identity.RetainShared {
		t.Fatalf("the tablet: %+v", reps[1])
	}
	for _, id := range []identity.Identifier{uid("kim-1"), phone, card, email("kim1@mail.example"), anon("kim-web")} {
		if _, err := g.Profile(id); !errors.Is(err, identity.ErrSuppressed) {
			t.Errorf("profile of erased %s: %v", id.Type, err)
		}
	}
	bob, err := g.Profile(uid("bob-5"))
	if err != nil || len(bob.Members) != 3 || bob.ID != before.ID {
		t.Fatalf("Bob after: %+v %v", bob, err)
	}
	for _, o := range []identity.Observation{
		{EventID: "e1", Time: benchT0, IDs: []identity.Identifier{uid("kim-1"), phone}},
		{EventID: "e3", Time: benchT0.Add(2 * time.Hour), IDs: []identity.Identifier{tablet, email("kim1@mail.example")}},
		{EventID: "first-here", Time: benchT0.Add(72 * time.Hour), IDs: []identity.Identifier{anon("kim-web"), anon("new")}},
	} {
		if _, err := g.Link(ctx, o); !errors.Is(err, identity.ErrSuppressed) {
			t.Errorf("event %s after the erasure: %v", o.EventID, err)
		}
	}
	// the same erasure delivered again changes nothing: the tablet, Bob's
	// now, does not take him with it
	again, err := g.EraseKeys(ctx, keys, benchT0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if r.Tombstones != 0 || len(r.Removed) != 0 || r.FactsRemoved != 0 {
			t.Fatalf("erasing again changed something: %+v", r)
		}
	}
	if bob, err := g.Profile(uid("bob-5")); err != nil || len(bob.Members) != 3 {
		t.Fatalf("Bob after the erasure came again: %+v %v", bob, err)
	}
}

// TestEraseKeysPlaceholderNeverSeen: a tombstoned key of a placeholder the
// graph never saw (a misconfigured sender) suppresses nothing: placeholders
// identify nobody.
func TestEraseKeysPlaceholderNeverSeen(t *testing.T) {
	g := newGraph(t)
	if _, err := g.EraseKeys(context.Background(), []identity.Ref{keyOf(t, g, uid("undefined"))}, benchT0); err != nil {
		t.Fatal(err)
	}
	mustLink(t, g, "e1", benchT0.Add(time.Hour), uid("undefined"), anon("a-1"), email("a1@mail.example"))
	if ex, _ := g.Explain(anon("a-1"), email("a1@mail.example")); !ex.Linked {
		t.Fatalf("a placeholder's tombstone stopped an event: %+v", ex)
	}
}

func TestEraseKeysErrors(t *testing.T) {
	ctx := context.Background()
	st := identity.NewMemStore()
	g := newGraph(t, identity.WithStore(st))
	mustLink(t, g, "e1", benchT0, uid("undefined"), anon("a-1"), email("a1@mail.example"))
	stats := g.Stats()
	_, log := st.Len()
	good := keyOf(t, g, anon("a-1"))
	ph := keyOf(t, g, uid("undefined"))
	many := make([]identity.Ref, identity.MaxEraseKeys+1)
	for i := range many {
		many[i] = identity.Ref{Type: identity.TypeAnonymousID, Key: identity.Key{byte(i), byte(i >> 8)}}
	}
	cases := []struct {
		name  string
		keys  []identity.Ref
		is    error
		index int
	}{
		{"none", nil, identity.ErrInvalidObservation, -2},
		{"too many", many, identity.ErrInvalidObservation, -2},
		{"unknown type", []identity.Ref{good, {Type: "kiosk_id", Key: identity.Key{1}}}, identity.ErrUnknownType, 1},
		{"place", []identity.Ref{good, keyOf(t, g, beacon)}, identity.ErrInvalidIdentifier, 1},
		{"placeholder", []identity.Ref{good, ph}, identity.ErrInvalidIdentifier, 1},
		{"type mismatch", []identity.Ref{{Type: identity.TypeEmail, Key: good.Key}}, identity.ErrInvalidIdentifier, 0},
	}
	for _, c := range cases {
		reps, err := g.EraseKeys(ctx, c.keys, benchT0)
		if !errors.Is(err, c.is) || reps != nil {
			t.Errorf("%s: %v, %d reports", c.name, err, len(reps))
			continue
		}
		var ie *identity.IdentifierError
		if c.index >= -1 && (!errors.As(err, &ie) || ie.Index != c.index) {
			t.Errorf("%s: %#v, want index %d", c.name, err, c.index)
		}
		if bytes.Contains([]byte(err.Error()), []byte(good.Key.String())) {
			t.Errorf("%s: the error quotes a key: %v", c.name, err)
		}
	}
	if _, l := st.Len(); g.Stats() != stats || l != log {
		t.Fatalf("a refused erasure changed something: %+v (log %d, was %d)", g.Stats(), l, log)
	}
	g.Close()
	if _, err := g.EraseKeys(ctx, []identity.Ref{good}, benchT0); !errors.Is(err, identity.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// failingCompact is a store whose Compact fails: the erasure stays in its
// log only, as after a crash between the two.
type failingCompact struct{ *identity.MemStore }

var errCompact = errors.New("disk full")

func (f failingCompact) Compact(context.Context, func(func([]byte) error) error) error {
	return errCompact
}

// TestEraseKeysDurable: the erasure survives a restart from the memory
// store, the file store (where the erased keys remain only as tombstones)
// and a log whose compaction failed (the restart erases again).
func TestEraseKeysDurable(t *testing.T) {
	ctx := context.Background()
	ref := newGraph(t)
	aliceAndBob(t, ref)
	keys := []identity.Ref{keyOf(t, ref, uid("alice-9")), keyOf(t, ref, anon("alice-web")), keyOf(t, ref, anon("never-here"))}
	when := benchT0.Add(30 * 24 * time.Hour)
	if _, err := ref.EraseKeys(ctx, keys, when); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mem := identity.NewMemStore()
	opens := map[string]func() identity.Store{
		"mem": func() identity.Store { return mem },
		"file": func() identity.Store {
			st, err := identity.OpenFileStore(dir, identity.WithoutSync())
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"failed compaction": func() identity.Store { return failingCompact{mem} },
	}
	for _, name := range []string{"mem", "file", "failed compaction"} {
		if name == "failed compaction" {
			mem = identity.NewMemStore()
		}
		g, err := identity.New(scenarioSecret, identity.WithStore(opens[name]()))
		if err != nil {
			t.Fatal(err)
		}
		aliceAndBob(t, g)
		_, err = g.EraseKeys(ctx, keys, when)
		if name == "failed compaction" {
			if !errors.Is(err, errCompact) {
				t.Fatalf("%s: %v", name, err)
			}
			if _, log := mem.Len(); log == 0 {
				t.Fatalf("%s: nothing in the log", name)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g.Close()
		var st identity.Store = mem
		if name == "file" {
			st = opens["file"]()
		}
		g, err = identity.New(scenarioSecret, identity.WithStore(st))
		if err != nil {
			t.Fatalf("%s: reopen: %v", name, err)
		}
		if !reflect.DeepEqual(g.Profiles(), ref.Profiles()) || g.Stats() != ref.Stats() {
			t.Fatalf("%s: after a restart:\n got  %+v %+v\n want %+v %+v", name, g.Profiles(), g.Stats(), ref.Profiles(), ref.Stats())
		}
		if _, err := g.Link(ctx, identity.Observation{EventID: "late", Time: when, IDs: []identity.Identifier{anon("never-here"), anon("x")}}); !errors.Is(err, identity.ErrSuppressed) {
			t.Fatalf("%s: a tombstoned key after a restart: %v", name, err)
		}
		g.Close()
	}
	// on disk, an erased key is only its tombstone, and no value is there
	var raw []byte
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	for _, id := range []identity.Identifier{uid("alice-9"), email("alice9@mail.example"), anon("alice-web")} {
		k := keyOf(t, ref, id).Key
		if n := bytes.Count(raw, k[:]); n != 1 {
			t.Errorf("%s: key %d times on disk, want its tombstone only", id.Type, n)
		}
	}
}

// TestEraseKeysGatewayProperty: for random event histories, a hub erases
// a person (Erase) and a gateway that saw a random part of the events
// applies the hub's keys (EraseKeys), after its events or before them.
// After: no listed key that the gateway did not report as kept is in any
// profile or has a profile; replaying the gateway's events, or the same
// erasure, changes nothing. Before: no listed key ever gets into a
// profile.
func TestEraseKeysGatewayProperty(t *testing.T) {
	runs := 300
	if testing.Short() {
		runs = 60
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(29, 16))
	for run := range runs {
		sc := randomScenario(rng, 6+rng.IntN(24))
		var ops []op
		for i := range sc.Phases {
			ops = append(ops, sc.Phases[i].ops()...)
		}
		newG := func() *identity.Graph {
			g, err := identity.New(scenarioSecret, sc.options()...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { g.Close() })
			return g
		}
		hub := newG()
		for _, o := range ops {
			applyLoose(t, hub, o)
		}
		subject := []string{"user_id:u0", "user_id:u1", "user_id:u2", "user_id:u3"}[rng.IntN(4)]
		when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		rep, err := hub.Erase(ctx, parseID(t, subject), when)
		if err != nil {
			t.Fatal(err)
		}
		keys := append([]identity.Ref{{Type: rep.Subject.Type, Key: rep.Subject.Key}}, refsOf(rep.Removed)...)
		listed := map[identity.Key]bool{}
		for _, k := range keys {
			listed[k.Key] = true
		}
		var seen []op
		for _, o := range ops {
			if rng.IntN(2) == 0 {
				seen = append(seen, o)
			}
		}
		l := sc.labels(t, hub)
		leaked := func(g *identity.Graph, kept map[identity.Key]bool) string {
			for _, p := range g.Profiles() {
				for _, m := range p.Members {
					if listed[m.Key] && !kept[m.Key] {
						return l.ref(m.Ref)
					}
				}
			}
			return ""
		}

		after := newG()
		for _, o := range seen {
			applyLoose(t, after, o)
		}
		reps, err := after.EraseKeys(ctx, keys, when)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		kept := map[identity.Key]bool{}
		for _, r := range reps {
			for _, x := range r.Retained {
				kept[x.Key] = true
			}
		}
		if k := leaked(after, kept); k != "" {
			t.Fatalf("run %d: %s is still in a profile after the erasure", run, k)
		}
		for key, s := range l {
			if listed[key] && !kept[key] {
				if _, err := after.Resolve(ctx, []identity.Identifier{parseID(t, s)}, when); !errors.Is(err, identity.ErrSuppressed) {
					t.Fatalf("run %d: erased %s resolves: %v", run, s, err)
				}
			}
		}
		profiles, stats := after.Profiles(), after.Stats()
		for _, o := range seen {
			applyLoose(t, after, o)
		}
		if _, err := after.EraseKeys(ctx, keys, when); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Profiles(), profiles) || after.Stats() != stats {
			t.Fatalf("run %d: a replay of the events or of the erasure changed the graph:\n got  %+v\n want %+v", run, after.Stats(), stats)
		}

		before := newG()
		if _, err := before.EraseKeys(ctx, keys, when); err != nil {
			t.Fatal(err)
		}
		for _, o := range seen {
			applyLoose(t, before, o)
		}
		if k := leaked(before, nil); k != "" {
			t.Fatalf("run %d: %s got into a profile after its tombstone", run, k)
		}
	}
}
