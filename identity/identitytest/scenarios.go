package identitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// ScenarioSecret is the graph secret the scenario suite uses.
var ScenarioSecret = []byte("scenario-secret-0123456789")

// RunStoreScenarios plays every scenario file in dir (identity's
// testdata/scenarios: events, consent changes and erasures — by identifier
// with Graph.Erase, by keys with Graph.EraseKeys — in phases) on a
// graph kept in the store that open returns, closing the graph and
// creating it again from a store open returns after every phase, and
// fails t if what the rebuilt graph says after a phase — profiles,
// explanations, resolutions, households, statistics, erasure reports —
// differs in any byte from what a graph without a store says. open is
// called with a subtest and the scenario's name; every call for one name
// must reach the same stored contents, and different names separate
// contents. It returns the number of scenarios played.
func RunStoreScenarios(t *testing.T, dir string, open func(t *testing.T, scenario string) identity.Store) int {
	t.Helper()
	scs := loadScenarios(t, dir)
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			g0, err := identity.New(ScenarioSecret, sc.options()...)
			if err != nil {
				t.Fatal(err)
			}
			l := sc.labels(t, g0)
			want := sc.run(t, g0, l, nil)
			g0.Shutdown(context.Background())

			reopen := func() *identity.Graph {
				g, err := identity.New(ScenarioSecret, sc.options(identity.WithStore(open(t, sc.name)))...)
				if err != nil {
					t.Fatalf("New from the store: %v", err)
				}
				return g
			}
			g := reopen()
			got := sc.run(t, g, l, func(old *identity.Graph) *identity.Graph {
				if err := old.Shutdown(context.Background()); err != nil {
					t.Fatal(err)
				}
				return reopen()
			})
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("phase %d after a restart from the store:\n got:\n%s\n want:\n%s", i, got[i], want[i])
				}
			}
		})
	}
	return len(scs)
}

type scenario struct {
	name   string
	Config struct {
		Consent string `json:"consent"`
		Region  string `json:"region"`
		Fanout  int    `json:"fanout"`
	} `json:"config"`
	Phases []phase `json:"phases"`
}

type phase struct {
	Events []struct {
		ID         string   `json:"id"`
		At         string   `json:"at"`
		IDs        []string `json:"ids"`
		Suppressed bool     `json:"suppressed"`
	} `json:"events"`
	Consent []struct {
		ID      string `json:"id"`
		At      string `json:"at"`
		Subject string `json:"subject"`
		Granted bool   `json:"granted"`
	} `json:"consent"`
	Erase *struct {
		Subject string   `json:"subject"`
		Keys    []string `json:"keys"` // EraseKeys with these identifiers' keys
		At      string   `json:"at"`
	} `json:"erase"`
	Expect struct {
		Explain []struct {
			A string `json:"a"`
			B string `json:"b"`
		} `json:"explain"`
		Resolve []struct {
			IDs []string `json:"ids"`
			At  string   `json:"at"`
		} `json:"resolve"`
		Households []struct {
			ID string `json:"id"`
		} `json:"households"`
	} `json:"expect"`
}

func loadScenarios(t *testing.T, dir string) []*scenario {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no scenario files in %s", dir)
	}
	var out []*scenario
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc scenario
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sc.name = strings.TrimSuffix(filepath.Base(f), ".json")
		out = append(out, &sc)
	}
	return out
}

func parseID(t *testing.T, s string) identity.Identifier {
	t.Helper()
	typ, v, ok := strings.Cut(s, ":")
	if !ok {
		t.Fatalf("identifier %q is not type:value", s)
	}
	return identity.Identifier{Type: identity.Type(typ), Value: v}
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return at
}

func (sc *scenario) options(extra ...identity.Option) []identity.Option {
	var opts []identity.Option
	if sc.Config.Region != "" {
		opts = append(opts, identity.WithDefaultRegion(sc.Config.Region))
	}
	if sc.Config.Consent == "opt-in" {
		opts = append(opts, identity.WithConsentMode(identity.ConsentOptIn))
	}
	if sc.Config.Fanout > 0 {
		opts = append(opts, identity.WithMaxFanout(sc.Config.Fanout))
	}
	return append(opts, extra...)
}

// labels maps keys back to the scenario's "type:value" spellings.
type labels map[identity.Key]string

func (sc *scenario) labels(t *testing.T, g *identity.Graph) labels {
	l := make(labels)
	add := func(s string) {
		if ref, err := g.Key(parseID(t, s)); err == nil {
			if _, ok := l[ref.Key]; !ok {
				l[ref.Key] = s
			}
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
		if ph.Erase != nil {
			for _, k := range ph.Erase.Keys {
				add(k)
			}
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

// run plays the phases; restart, if not nil, replaces the graph after each.
func (sc *scenario) run(t *testing.T, g *identity.Graph, l labels, restart func(*identity.Graph) *identity.Graph) []string {
	t.Helper()
	ctx := context.Background()
	var states []string
	for _, ph := range sc.Phases {
		for _, e := range ph.Events {
			ids := make([]identity.Identifier, len(e.IDs))
			for i, s := range e.IDs {
				ids[i] = parseID(t, s)
			}
			_, err := g.Link(ctx, identity.Observation{EventID: e.ID, Time: parseTime(t, e.At), IDs: ids})
			if (err != nil) != e.Suppressed || (err != nil && !errors.Is(err, identity.ErrSuppressed)) {
				t.Fatalf("event %s: err = %v (suppressed expected: %v)", e.ID, err, e.Suppressed)
			}
		}
		for _, c := range ph.Consent {
			if err := g.SetLinkConsent(ctx, identity.Consent{ID: parseID(t, c.Subject), Granted: c.Granted, At: parseTime(t, c.At), EventID: c.ID}); err != nil {
				t.Fatalf("consent %s: %v", c.ID, err)
			}
		}
		var reps []*identity.ErasureReport
		switch {
		case ph.Erase != nil && len(ph.Erase.Keys) > 0:
			refs := make([]identity.Ref, len(ph.Erase.Keys))
			for i, s := range ph.Erase.Keys {
				r, err := g.Key(parseID(t, s))
				if err != nil {
					t.Fatalf("key of %s: %v", s, err)
				}
				refs[i] = r
			}
			var err error
			if reps, err = g.EraseKeys(ctx, refs, parseTime(t, ph.Erase.At)); err != nil {
				t.Fatalf("erase keys %v: %v", ph.Erase.Keys, err)
			}
		case ph.Erase != nil:
			rep, err := g.Erase(ctx, parseID(t, ph.Erase.Subject), parseTime(t, ph.Erase.At))
			if err != nil {
				t.Fatalf("erase %s: %v", ph.Erase.Subject, err)
			}
			reps = append(reps, rep)
		}
		if restart != nil {
			g = restart(g)
		}
		states = append(states, render(t, g, l, &ph, reps))
	}
	if restart != nil {
		g.Shutdown(context.Background())
	}
	return states
}

// render writes everything a phase's expectations look at.
func render(t *testing.T, g *identity.Graph, l labels, ph *phase, reps []*identity.ErasureReport) string {
	t.Helper()
	var b strings.Builder
	for _, p := range g.Profiles() {
		var ms []string
		for _, m := range p.Members {
			s := l.ref(m.Ref)
			if !m.Since.IsZero() {
				s += " since " + m.Since.Format(time.RFC3339)
			}
			if !m.Until.IsZero() {
				s += " until " + m.Until.Format(time.RFC3339)
			}
			ms = append(ms, s)
		}
		fmt.Fprintf(&b, "profile %s: %s households=%v\n", p.ID, strings.Join(ms, ", "), p.Households)
	}
	for _, e := range ph.Expect.Explain {
		x, err := g.Explain(parseID(t, e.A), parseID(t, e.B))
		if err != nil {
			t.Fatalf("explain %s ~ %s: %v", e.A, e.B, err)
		}
		fmt.Fprintf(&b, "explain %s ~ %s linked=%v %s %s", l.ref(x.A), l.ref(x.B), x.Linked, x.ProfileA, x.ProfileB)
		for _, st := range x.Path {
			fmt.Fprintf(&b, " | %s>%s %s %s %s", l.ref(st.From), l.ref(st.To), st.EventID, st.Time.Format(time.RFC3339), st.Rule)
		}
		for _, r := range x.Reasons {
			fmt.Fprintf(&b, " | %s %s %v %s", r.Code, l.ref(r.Subject), r.EventIDs, r.Detail)
		}
		b.WriteString("\n")
	}
	for _, r := range ph.Expect.Resolve {
		ids := make([]identity.Identifier, len(r.IDs))
		for i, s := range r.IDs {
			ids[i] = parseID(t, s)
		}
		res, err := g.Resolve(context.Background(), ids, parseTime(t, r.At))
		fmt.Fprintf(&b, "resolve %v@%s: %s %v %v\n", r.IDs, r.At, res.ProfileID, res.Households, err)
	}
	for _, h := range ph.Expect.Households {
		hid, members, err := g.Household(parseID(t, h.ID))
		fmt.Fprintf(&b, "household %s %s: %v %v\n", h.ID, hid, members, err)
	}
	fmt.Fprintf(&b, "stats %+v\n", g.Stats())
	for _, rep := range reps {
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
