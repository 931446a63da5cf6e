package identity_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func uid(v string) identity.Identifier {
	return identity.Identifier{Type: identity.TypeUserID, Value: v}
}
func anon(v string) identity.Identifier {
	return identity.Identifier{Type: identity.TypeAnonymousID, Value: v}
}
func email(v string) identity.Identifier {
	return identity.Identifier{Type: identity.TypeEmail, Value: v}
}

func newGraph(t *testing.T, opts ...identity.Option) *identity.Graph {
	t.Helper()
	g, err := identity.New(scenarioSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func mustLink(t *testing.T, g *identity.Graph, ev string, when time.Time, ids ...identity.Identifier) identity.Resolution {
	t.Helper()
	res, err := g.Link(context.Background(), identity.Observation{EventID: ev, Time: when, IDs: ids})
	if err != nil {
		t.Fatalf("link %s: %v", ev, err)
	}
	return res
}

func TestObservationErrors(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	cases := map[string]identity.Observation{
		"no event id":  {Time: benchT0, IDs: person(1)[:2]},
		"long id":      {EventID: strings.Repeat("x", 257), Time: benchT0},
		"not utf-8":    {EventID: "\xff", Time: benchT0},
		"zero time":    {EventID: "e"},
		"clock at 0":   {EventID: "e", Time: time.Unix(0, 0)},
		"year 2100":    {EventID: "e", Time: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)},
		"before 2000s": {EventID: "e", Time: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)},
		"too many ids": {EventID: "e", Time: benchT0, IDs: make([]identity.Identifier, identity.MaxObservationIDs+1)},
	}
	for name, o := range cases {
		_, err := g.Link(ctx, o)
		var oe *identity.ObservationError
		if !errors.As(err, &oe) || !errors.Is(err, identity.ErrInvalidObservation) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	err := g.SetLinkConsent(ctx, identity.Consent{ID: uid("u"), Granted: true, At: benchT0})
	if !errors.Is(err, identity.ErrInvalidObservation) {
		t.Errorf("consent without event id: %v", err)
	}
	if s := g.Stats(); s.Identifiers != 0 {
		t.Errorf("invalid observations stored something: %+v", s)
	}
}

func TestRefusals(t *testing.T) {
	g := newGraph(t, identity.WithDefaultRegion("US"))
	res := mustLink(t, g, "e1", benchT0, email("nope"), uid("undefined"), identity.Identifier{Type: "shoe_size", Value: "42"},
		uid("u-1"), identity.Identifier{Type: identity.TypePhone, Value: "555-1212"})
	var got []string
	for _, r := range res.Refused {
		got = append(got, fmt.Sprintf("%d %s %s", r.Index, r.Type, r.Reason))
		if r.Reason == identity.ReasonInvalid {
			var ie *identity.IdentifierError
			if !errors.As(r.Err, &ie) || ie.Index != r.Index {
				t.Errorf("refusal %d: err %v", r.Index, r.Err)
			}
		}
	}
	want := []string{"0 email invalid_value", "1 user_id blocked_value", "2 shoe_size invalid_value", "4 phone invalid_value"}
	if !slices.Equal(got, want) {
		t.Errorf("refused %q, want %q", got, want)
	}
	if !errors.Is(res.Refused[2].Err, identity.ErrUnknownType) {
		t.Errorf("unknown type: %v", res.Refused[2].Err)
	}
	if res.ProfileID == "" || res.Fact == nil || len(res.Fact.IDs) != 1 || len(res.Fact.Blocked) != 1 {
		t.Errorf("resolution %+v", res)
	}
	// errors never carry values
	for _, r := range res.Refused {
		if r.Err != nil && (strings.Contains(r.Err.Error(), "555-1212") || strings.Contains(r.Err.Error(), "nope")) {
			t.Errorf("error leaks a value: %v", r.Err)
		}
	}
}

func TestClosedGraph(t *testing.T) {
	g, _ := identity.New(scenarioSecret)
	g.Close()
	ctx := context.Background()
	errs := []error{}
	_, err := g.Link(ctx, identity.Observation{EventID: "e", Time: benchT0, IDs: person(1)})
	errs = append(errs, err)
	_, err = g.Resolve(ctx, person(1), benchT0)
	errs = append(errs, err)
	_, err = g.Explain(uid("a"), uid("b"))
	errs = append(errs, err)
	_, err = g.Erase(ctx, uid("a"), benchT0)
	errs = append(errs, err)
	_, err = g.Profile(uid("a"))
	errs = append(errs, err)
	_, _, err = g.Household(identity.Identifier{Type: identity.TypeVIN, Value: "1HGCM82633A004352"})
	errs = append(errs, err)
	errs = append(errs, g.SetLinkConsent(ctx, identity.Consent{ID: uid("a"), At: benchT0, EventID: "c"}))
	errs = append(errs, g.Compact(ctx))
	_, err = g.LinkKeys(ctx, identity.LinkFact{EventID: "e", Time: benchT0})
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, identity.ErrClosed) {
			t.Errorf("call %d after Close: %v", i, err)
		}
	}
}

func TestSharedDeviceScope(t *testing.T) {
	g := newGraph(t, identity.WithRule(identity.TypeRule{Type: "pos_terminal", Scope: identity.ScopeSharedDevice, Priority: 40}))
	till := identity.Identifier{Type: "pos_terminal", Value: "till-3"}
	mustLink(t, g, "e1", benchT0, till, uid("a"))
	mustLink(t, g, "e2", benchT0, till, uid("b"))
	ex, _ := g.Explain(uid("a"), uid("b"))
	if ex.Linked || len(ex.Reasons) != 1 || ex.Reasons[0].Code != identity.ReasonSharedDevice {
		t.Errorf("explain %+v", ex)
	}
	// an event with only the till is the till's own profile, nobody else's
	res, _ := g.Resolve(context.Background(), []identity.Identifier{till}, benchT0)
	own, err := g.Profile(till)
	a, _ := g.Profile(uid("a"))
	if err != nil || res.ProfileID != own.ID || own.ID == a.ID || len(own.Members) != 1 || len(g.Profiles()) != 3 {
		t.Errorf("till resolves to %q, its profile %+v (%v), a's %q", res.ProfileID, own, err, a.ID)
	}
}

func TestCustomTypeAndPlaintext(t *testing.T) {
	g := newGraph(t, identity.WithPlaintext(), identity.WithRule(identity.TypeRule{Type: "crm_id", Scope: identity.ScopePerson, Priority: 5, Limit: 1, MaxPeople: 1,
		Normalize: func(s string) (string, error) {
			s = strings.ToUpper(strings.TrimSpace(s))
			if !strings.HasPrefix(s, "CRM-") {
				return "", errors.New("not a CRM id")
			}
			return s, nil
		}}))
	res := mustLink(t, g, "e1", benchT0, identity.Identifier{Type: "crm_id", Value: "crm-7"}, uid("u"), identity.Identifier{Type: "crm_id", Value: "x"})
	if len(res.Refused) != 1 || res.Refused[0].Index != 2 {
		t.Errorf("refused %+v", res.Refused)
	}
	long := mustLink(t, g, "e2", benchT0, identity.Identifier{Type: "crm_id", Value: "crm-" + strings.Repeat("9", 1100)}, uid("u"))
	if len(long.Refused) != 1 || long.Refused[0].Reason != identity.ReasonInvalid {
		t.Errorf("an over-long custom value was accepted: %+v", long.Refused)
	}
	p, err := g.Profile(uid("u"))
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, m := range p.Members {
		vals = append(vals, m.String())
	}
	if !slices.Equal(vals, []string{"user_id:u", "crm_id:CRM-7"}) {
		t.Errorf("members %q", vals)
	}
}

// TestFleet: two gateways see half of the events each; a central graph fed
// their link facts, in any order, derives exactly the profiles one graph
// with all events derives.
func TestFleet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 40 {
		sc := randomScenario(rng, 20)
		sc.Config.Consent = "" // consent is recorded per gateway; the fleet test covers links
		single := newGraph(t)
		gws := []*identity.Graph{newGraph(t), newGraph(t)}
		var facts []identity.LinkFact
		for _, ph := range sc.Phases {
			for i, e := range ph.Events {
				ids := make([]identity.Identifier, len(e.IDs))
				for j, s := range e.IDs {
					ids[j] = parseID(t, s)
				}
				o := identity.Observation{EventID: e.ID, Time: parseTime(t, e.At), IDs: ids}
				if _, err := single.Link(context.Background(), o); err != nil {
					t.Fatal(err)
				}
				res, err := gws[i%2].Link(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				if res.Fact != nil {
					rec, err := identity.EncodeLinkFact(*res.Fact, "gw", nil)
					if err != nil {
						t.Fatal(err)
					}
					lf, err := identity.DecodeLinkFact(rec.Payload)
					if err != nil {
						t.Fatal(err)
					}
					facts = append(facts, lf)
				}
			}
		}
		central := newGraph(t)
		rng.Shuffle(len(facts), func(i, j int) { facts[i], facts[j] = facts[j], facts[i] })
		for _, f := range facts {
			if _, err := central.LinkKeys(context.Background(), f); err != nil {
				t.Fatal(err)
			}
		}
		if a, b := render(single.Profiles()), render(central.Profiles()); a != b {
			t.Fatalf("central graph differs:\n single:\n%s\n central:\n%s", a, b)
		}
	}
	if _, err := newGraph(t).LinkKeys(context.Background(), identity.LinkFact{EventID: "e", Time: benchT0, IDs: []identity.Ref{{Type: "unknown_t"}}}); !errors.Is(err, identity.ErrUnknownType) {
		t.Errorf("unknown type: %v", err)
	}
}

func render(ps []identity.Profile) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s:", p.ID)
		for _, m := range p.Members {
			fmt.Fprintf(&b, " %s", m.Ref.String())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestConcurrentGraph exercises every method from many goroutines (run
// with -race).
func TestConcurrentGraph(t *testing.T) {
	g := newGraph(t, identity.WithStore(identity.NewMemStore()))
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 60 {
				p := person((w*7 + i) % 30)
				g.Link(ctx, identity.Observation{EventID: fmt.Sprintf("w%d-%d", w, i), Time: benchT0.Add(time.Duration(i) * time.Minute), IDs: p[i%2 : i%2+2]})
				g.Resolve(ctx, p[:1], benchT0)
				g.Explain(p[0], p[2])
				g.Profile(p[1])
				if i%20 == 0 {
					g.Profiles()
					g.Stats()
					g.Compact(ctx)
				}
				if i == 30 && w == 0 {
					g.Erase(ctx, p[1], benchT0.Add(time.Hour))
				}
			}
		})
	}
	wg.Wait()
	if g.Stats().Identifiers == 0 {
		t.Error("nothing stored")
	}
}

// TestFanout: a kiosk browser that only ever sees anonymous session ids is
// quarantined by the fan-out limit, and its sessions split again.
func TestFanout(t *testing.T) {
	g := newGraph(t, identity.WithMaxFanout(10))
	kiosk := identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk-browser"}
	for i := range 10 {
		mustLink(t, g, fmt.Sprintf("s%d", i), benchT0.Add(time.Duration(i)*time.Minute), kiosk, anon(fmt.Sprintf("session-%d", i)))
	}
	if g.Stats().Quarantined != 0 || len(g.Profiles()) != 1 {
		t.Fatalf("before the limit: %+v, %d profiles", g.Stats(), len(g.Profiles()))
	}
	mustLink(t, g, "s10", benchT0.Add(time.Hour), kiosk, anon("session-10"))
	ex, _ := g.Explain(anon("session-1"), anon("session-2"))
	if g.Stats().Quarantined != 1 || len(g.Profiles()) != 12 || ex.Linked || len(ex.Reasons) != 1 ||
		ex.Reasons[0].Code != identity.ReasonQuarantined || ex.Reasons[0].Detail != "seen with 11 identifiers, max 10" {
		t.Fatalf("after the limit: %+v, %d profiles, %+v", g.Stats(), len(g.Profiles()), ex)
	}
	if _, err := identity.New(scenarioSecret, identity.WithMaxFanout(-1)); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("negative fan-out: %v", err)
	}
}
