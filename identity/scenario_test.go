package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Scenario files (testdata/scenarios/*.json) describe events, consent
// changes and erasures in phases, and what the graph must say after each
// phase: its profiles, explanations, resolutions, quarantines, households
// and erasure reports. Identifiers are written "type:value".

type scenario struct {
	Name   string  `json:"name"`
	About  string  `json:"about"`
	Config sconfig `json:"config"`
	Phases []phase `json:"phases"`
	file   string
}

type sconfig struct {
	Consent string `json:"consent"` // "opt-in" or "" (opt-out)
	Region  string `json:"region"`
}

type phase struct {
	Events  []sevent   `json:"events"`
	Consent []sconsent `json:"consent"`
	Erase   *serase    `json:"erase"`
	Expect  expect     `json:"expect"`
}

type sevent struct {
	ID         string   `json:"id"`
	At         string   `json:"at"`
	IDs        []string `json:"ids"`
	Suppressed bool     `json:"suppressed"`
}

type sconsent struct {
	ID      string `json:"id"`
	At      string `json:"at"`
	Subject string `json:"subject"`
	Granted bool   `json:"granted"`
}

type serase struct {
	Subject string `json:"subject"`
	At      string `json:"at"`
}

type expect struct {
	Profiles     [][]string   `json:"profiles"`
	Explain      []sexplain   `json:"explain"`
	Resolve      []sresolve   `json:"resolve"`
	Quarantined  []string     `json:"quarantined"`
	Households   []shousehold `json:"households"`
	Erasure      *sreport     `json:"erasure"`
	Absent       []string     `json:"absent"`
	GoogleEqual  [][2]string  `json:"google_keys_equal"`
	IdentityDiff [][2]string  `json:"identity_keys_differ"`
}

type sexplain struct {
	A       string   `json:"a"`
	B       string   `json:"b"`
	Linked  bool     `json:"linked"`
	Path    []string `json:"path"`
	Reasons []string `json:"reasons"`
}

type sresolve struct {
	IDs        []string `json:"ids"`
	At         string   `json:"at"`
	ProfileOf  string   `json:"profile_of"`
	NoProfile  bool     `json:"no_profile"`
	Households []string `json:"households"`
}

type shousehold struct {
	ID      string   `json:"id"`
	Members []string `json:"members"`
}

type sreport struct {
	Removed      []string `json:"removed"`
	Retained     []string `json:"retained"`
	FactsRemoved int      `json:"facts_removed"`
}

var scenarioSecret = []byte("scenario-secret-0123456789")

func loadScenarios(t testing.TB) []*scenario {
	t.Helper()
	files, err := filepath.Glob("testdata/scenarios/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d scenario files, want at least 10", len(files))
	}
	var out []*scenario
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc scenario
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sc.file = filepath.Base(f)
		out = append(out, &sc)
	}
	return out
}

func parseID(t testing.TB, s string) identity.Identifier {
	t.Helper()
	typ, val, ok := strings.Cut(s, ":")
	if !ok {
		t.Fatalf("identifier %q is not type:value", s)
	}
	return identity.Identifier{Type: identity.Type(typ), Value: val}
}

func parseTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return at
}

func (sc *scenario) options(extra ...identity.Option) []identity.Option {
	opts := []identity.Option{identity.WithDefaultRegion(sc.Config.Region)}
	if sc.Config.Region == "" {
		opts = opts[:0]
	}
	if sc.Config.Consent == "opt-in" {
		opts = append(opts, identity.WithConsentMode(identity.ConsentOptIn))
	}
	return append(opts, extra...)
}

// labels maps stored keys back to the scenario's "type:value" spellings.
type labels map[identity.Key]string

func (sc *scenario) labels(t testing.TB, g *identity.Graph) labels {
	l := make(labels)
	add := func(s string) {
		ref, err := g.Key(parseID(t, s))
		if err != nil {
			return // invalid identifiers are part of some scenarios
		}
		if _, ok := l[ref.Key]; !ok {
			l[ref.Key] = s // the first spelling in the file names the identifier
		}
	}
	for _, ph := range sc.Phases {
		for _, e := range ph.Events {
			for _, id := range e.IDs {
				add(id)
			}
		}
		for _, c := range ph.Consent {
			add(c.Subject)
		}
	}
	return l
}

func (l labels) ref(r identity.Ref) string {
	if s, ok := l[r.Key]; ok {
		return s
	}
	if r.Type == "" {
		return ""
	}
	return string(r.Type) + ":?" + r.Key.String()[:8]
}

func (l labels) member(m identity.Member) string {
	s := l.ref(m.Ref)
	if !m.Since.IsZero() {
		s += " since " + m.Since.Format(time.RFC3339)
	}
	if !m.Until.IsZero() {
		s += " until " + m.Until.Format(time.RFC3339)
	}
	return s
}

func (l labels) reason(r identity.Reason) string {
	s := string(r.Code)
	if sub := l.ref(r.Subject); sub != "" {
		s += " " + sub
	}
	if len(r.EventIDs) > 0 {
		s += " [" + strings.Join(r.EventIDs, " ") + "]"
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	return s
}

func (l labels) explanation(ex *identity.Explanation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ~ %s linked=%v %s %s", l.ref(ex.A), l.ref(ex.B), ex.Linked, ex.ProfileA, ex.ProfileB)
	for _, st := range ex.Path {
		fmt.Fprintf(&b, " | %s>%s %s %s %s", l.ref(st.From), l.ref(st.To), st.EventID, st.Time.Format(time.RFC3339), st.Rule)
	}
	for _, r := range ex.Reasons {
		b.WriteString(" | " + l.reason(r))
	}
	return b.String()
}

// op is one input of a phase: an event or a consent change.
type op struct {
	ev *sevent
	co *sconsent
}

func (ph *phase) ops() []op {
	var ops []op
	for i := range ph.Events {
		ops = append(ops, op{ev: &ph.Events[i]})
	}
	for i := range ph.Consent {
		ops = append(ops, op{co: &ph.Consent[i]})
	}
	return ops
}

func apply(t testing.TB, g *identity.Graph, o op) {
	t.Helper()
	ctx := context.Background()
	if o.co != nil {
		err := g.SetLinkConsent(ctx, identity.Consent{ID: parseID(t, o.co.Subject), Granted: o.co.Granted, At: parseTime(t, o.co.At), EventID: o.co.ID})
		if err != nil {
			t.Fatalf("consent %s: %v", o.co.ID, err)
		}
		return
	}
	ids := make([]identity.Identifier, len(o.ev.IDs))
	for i, s := range o.ev.IDs {
		ids[i] = parseID(t, s)
	}
	_, err := g.Link(ctx, identity.Observation{EventID: o.ev.ID, Time: parseTime(t, o.ev.At), IDs: ids})
	switch {
	case o.ev.Suppressed && !errors.Is(err, identity.ErrSuppressed):
		t.Fatalf("event %s: err = %v, want ErrSuppressed", o.ev.ID, err)
	case !o.ev.Suppressed && err != nil:
		t.Fatalf("event %s: %v", o.ev.ID, err)
	}
}

func erase(t testing.TB, g *identity.Graph, e *serase) *identity.ErasureReport {
	t.Helper()
	rep, err := g.Erase(context.Background(), parseID(t, e.Subject), parseTime(t, e.At))
	if err != nil {
		t.Fatalf("erase %s: %v", e.Subject, err)
	}
	return rep
}

// state renders everything a phase's expectations look at, so that runs can
// be compared byte for byte.
func state(t testing.TB, g *identity.Graph, l labels, ex *expect, rep *identity.ErasureReport) string {
	t.Helper()
	var b strings.Builder
	for _, p := range g.Profiles() {
		var ms []string
		for _, m := range p.Members {
			ms = append(ms, l.member(m))
		}
		fmt.Fprintf(&b, "profile %s: %s households=%v\n", p.ID, strings.Join(ms, ", "), p.Households)
	}
	for _, e := range ex.Explain {
		x, err := g.Explain(parseID(t, e.A), parseID(t, e.B))
		if err != nil {
			t.Fatalf("explain %s ~ %s: %v", e.A, e.B, err)
		}
		b.WriteString("explain " + l.explanation(x) + "\n")
	}
	for _, r := range ex.Resolve {
		ids := make([]identity.Identifier, len(r.IDs))
		for i, s := range r.IDs {
			ids[i] = parseID(t, s)
		}
		res, err := g.Resolve(context.Background(), ids, parseTime(t, r.At))
		fmt.Fprintf(&b, "resolve %v@%s: %s %v %v\n", r.IDs, r.At, res.ProfileID, res.Households, err)
	}
	for _, h := range ex.Households {
		hid, members, err := g.Household(parseID(t, h.ID))
		fmt.Fprintf(&b, "household %s %s: %v %v\n", h.ID, hid, members, err)
	}
	fmt.Fprintf(&b, "stats %+v\n", g.Stats())
	if rep != nil {
		fmt.Fprintf(&b, "erasure %s profile=%s facts=%d tombstones=%d", l.ref(rep.Subject), rep.ProfileID, rep.FactsRemoved, rep.Tombstones)
		for _, r := range rep.Removed {
			b.WriteString(" -" + l.ref(r))
		}
		for _, r := range rep.Retained {
			fmt.Fprintf(&b, " +%s(%s,%d)", l.ref(r.Ref), r.Reason, r.Others)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// check asserts a phase's expectations against the graph.
func check(t *testing.T, g *identity.Graph, l labels, ex *expect, rep *identity.ErasureReport, store *identity.MemStore) {
	t.Helper()
	ctx := context.Background()
	if ex.Profiles != nil {
		var got []string
		for _, p := range g.Profiles() {
			var ms []string
			for _, m := range p.Members {
				ms = append(ms, l.member(m))
			}
			slices.Sort(ms)
			got = append(got, strings.Join(ms, ", "))
		}
		var want []string
		for _, p := range ex.Profiles {
			ms := slices.Clone(p)
			slices.Sort(ms)
			want = append(want, strings.Join(ms, ", "))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("profiles:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
	}
	for _, e := range ex.Explain {
		x, err := g.Explain(parseID(t, e.A), parseID(t, e.B))
		if err != nil {
			t.Errorf("explain %s ~ %s: %v", e.A, e.B, err)
			continue
		}
		if x.Linked != e.Linked {
			t.Errorf("explain %s ~ %s: linked = %v, want %v (%s)", e.A, e.B, x.Linked, e.Linked, l.explanation(x))
		}
		var path []string
		for _, st := range x.Path {
			path = append(path, st.EventID+" "+string(st.Rule))
		}
		if e.Linked && !slices.Equal(path, e.Path) {
			t.Errorf("explain %s ~ %s: path %q, want %q", e.A, e.B, path, e.Path)
		}
		if x.Linked && (x.ProfileA != x.ProfileB || len(x.Reasons) != 0) {
			t.Errorf("explain %s ~ %s: linked but %s != %s or reasons %v", e.A, e.B, x.ProfileA, x.ProfileB, x.Reasons)
		}
		if !e.Linked {
			var got []string
			for _, r := range x.Reasons {
				got = append(got, l.reason(r))
			}
			ok := len(got) == len(e.Reasons)
			used := make([]bool, len(got))
			for _, w := range e.Reasons {
				found := false
				for i, g := range got {
					if !used[i] && strings.HasPrefix(g, w) {
						used[i], found = true, true
						break
					}
				}
				ok = ok && found
			}
			if !ok {
				t.Errorf("explain %s ~ %s: reasons\n got  %q\n want %q", e.A, e.B, got, e.Reasons)
			}
		}
	}
	for _, r := range ex.Resolve {
		ids := make([]identity.Identifier, len(r.IDs))
		for i, s := range r.IDs {
			ids[i] = parseID(t, s)
		}
		res, err := g.Resolve(ctx, ids, parseTime(t, r.At))
		if err != nil {
			t.Errorf("resolve %v: %v", r.IDs, err)
			continue
		}
		want := ""
		if r.ProfileOf != "" {
			p, err := g.Profile(parseID(t, r.ProfileOf))
			if err != nil {
				t.Errorf("profile of %s: %v", r.ProfileOf, err)
				continue
			}
			want = p.ID
		}
		if !r.NoProfile && r.ProfileOf == "" {
			t.Fatalf("resolve %v: expectation needs profile_of or no_profile", r.IDs)
		}
		if res.ProfileID != want {
			t.Errorf("resolve %v at %s: profile %q, want %q (profile of %q)", r.IDs, r.At, res.ProfileID, want, r.ProfileOf)
		}
		var hh []string
		for _, h := range r.Households {
			hid, _, err := g.Household(parseID(t, h))
			if err != nil {
				t.Fatal(err)
			}
			hh = append(hh, hid)
		}
		slices.Sort(hh)
		if len(hh) != len(res.Households) || len(hh) > 0 && !slices.Equal(hh, res.Households) {
			t.Errorf("resolve %v: households %v, want %v", r.IDs, res.Households, hh)
		}
	}
	if ex.Quarantined != nil {
		for _, q := range ex.Quarantined {
			x, err := g.Explain(parseID(t, q), parseID(t, q))
			if err != nil || len(x.Reasons) != 1 || x.Reasons[0].Code != identity.ReasonQuarantined {
				t.Errorf("%s should be quarantined: %v %v", q, err, x)
			}
		}
		if got := g.Stats().Quarantined; got != len(ex.Quarantined) {
			t.Errorf("quarantined = %d, want %d", got, len(ex.Quarantined))
		}
	}
	for _, h := range ex.Households {
		_, members, err := g.Household(parseID(t, h.ID))
		if err != nil {
			t.Errorf("household %s: %v", h.ID, err)
			continue
		}
		var want []string
		for _, m := range h.Members {
			p, err := g.Profile(parseID(t, m))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, p.ID)
		}
		slices.Sort(want)
		if !slices.Equal(members, want) {
			t.Errorf("household %s: members %v, want profiles of %v", h.ID, members, h.Members)
		}
	}
	if ex.Erasure != nil {
		if rep == nil {
			t.Fatal("erasure expected, none ran")
		}
		var removed, retained []string
		for _, r := range rep.Removed {
			removed = append(removed, l.ref(r))
		}
		for _, r := range rep.Retained {
			retained = append(retained, l.ref(r.Ref)+" "+string(r.Reason))
		}
		slices.Sort(removed)
		slices.Sort(retained)
		w1, w2 := slices.Sorted(slices.Values(ex.Erasure.Removed)), slices.Sorted(slices.Values(ex.Erasure.Retained))
		if !slices.Equal(removed, w1) || !slices.Equal(retained, w2) || rep.FactsRemoved != ex.Erasure.FactsRemoved {
			t.Errorf("erasure report:\n removed  %q\n want     %q\n retained %q\n want     %q\n facts %d, want %d",
				removed, w1, retained, w2, rep.FactsRemoved, ex.Erasure.FactsRemoved)
		}
	}
	for _, a := range ex.Absent {
		id := parseID(t, a)
		ref, err := g.Key(id)
		if err != nil {
			t.Fatal(err)
		}
		x, err := g.Explain(id, id)
		if err != nil || len(x.Reasons) != 1 || x.Reasons[0].Code != identity.ReasonErased {
			t.Errorf("%s should be erased: %v %+v", a, err, x)
		}
		for _, p := range g.Profiles() {
			for _, m := range p.Members {
				if m.Key == ref.Key {
					t.Errorf("%s is still in profile %s", a, p.ID)
				}
			}
		}
		if store != nil {
			raw := store.Bytes()
			// only tombstones may hold the key: strip them and look again
			if n := bytes.Count(raw, ref.Key[:]); n > 1 {
				t.Errorf("%s: key appears %d times in the store (tombstone only expected)", a, n)
			}
			if bytes.Contains(raw, []byte(id.Value)) {
				t.Errorf("%s: plaintext value in the store", a)
			}
		}
	}
	for _, pair := range ex.GoogleEqual {
		k1, err1 := g.Normalizer().MatchKey(identity.DestinationGoogle, parseID(t, pair[0]))
		k2, err2 := g.Normalizer().MatchKey(identity.DestinationGoogle, parseID(t, pair[1]))
		if err1 != nil || err2 != nil || k1 != k2 {
			t.Errorf("google keys of %s and %s: %v %v %v %v", pair[0], pair[1], k1, k2, err1, err2)
		}
	}
	for _, pair := range ex.IdentityDiff {
		r1, _ := g.Key(parseID(t, pair[0]))
		r2, _ := g.Key(parseID(t, pair[1]))
		if r1 == r2 {
			t.Errorf("%s and %s have the same identity key", pair[0], pair[1])
		}
	}
}

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
