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

// TestOwnershipEndedRefusal: with MaxPeople raised so that a stale claim
// is not a supernode, the old owner's later claim is refused as
// ownership_ended and the number stays with the new owner.
func TestOwnershipEndedRefusal(t *testing.T) {
	g := newGraph(t, identity.WithRule(identity.TypeRule{Type: identity.TypePhone, Scope: identity.ScopePerson, Priority: 3, Limit: 3,
		MaxPeople: 2, OwnershipGap: 90 * 24 * time.Hour}))
	phone := identity.Identifier{Type: identity.TypePhone, Value: "+447911123456"}
	day := func(d int) time.Time { return benchT0.Add(time.Duration(d) * 24 * time.Hour) }
	mustLink(t, g, "alice-1", day(0), uid("alice"), phone)
	mustLink(t, g, "bob-1", day(200), uid("bob"), phone)
	mustLink(t, g, "alice-stale", day(220), uid("alice"), phone) // the same identifier set as alice-1
	ex, err := g.Explain(uid("alice"), phone)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range ex.Reasons {
		codes = append(codes, string(r.Code)+" "+strings.Join(r.EventIDs, ","))
	}
	if ex.Linked || !slices.Equal(codes, []string{"ownership_ended alice-stale", "ownership_ended bob-1"}) {
		t.Errorf("explain: linked=%v reasons %q", ex.Linked, codes)
	}
	res, _ := g.Resolve(context.Background(), []identity.Identifier{phone}, day(230))
	bob, _ := g.Profile(uid("bob"))
	if res.ProfileID != bob.ID {
		t.Error("the number left its new owner")
	}
	// after another gap, the old owner may take it back
	mustLink(t, g, "alice-back", day(400), uid("alice"), phone)
	res, _ = g.Resolve(context.Background(), []identity.Identifier{phone}, day(401))
	alice, _ := g.Profile(uid("alice"))
	if res.ProfileID != alice.ID || g.Stats().Epochs != 2 {
		t.Errorf("a third epoch was expected: %+v", g.Stats())
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

func TestEraseEdgeCases(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	// never seen: tombstoned, later events suppressed
	rep, err := g.Erase(ctx, email("ghost@mail.example"), benchT0)
	if err != nil || rep.ProfileID != "" || rep.Tombstones != 1 || len(rep.MatchKeys) != 2 {
		t.Fatalf("erase unknown: %+v %v", rep, err)
	}
	_, err = g.Link(ctx, identity.Observation{EventID: "late", Time: benchT0, IDs: []identity.Identifier{email("Ghost@Mail.example"), anon("a")}})
	var se *identity.SuppressedError
	if !errors.As(err, &se) || se.EventID != "late" {
		t.Errorf("late event of an erased person: %v", err)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: email("ghost@mail.example"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("consent of an erased person: %v", err)
	}
	if _, err := g.Resolve(ctx, []identity.Identifier{email("ghost@mail.example")}, benchT0); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("resolve of an erased person: %v", err)
	}
	if _, err := g.Profile(email("ghost@mail.example")); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("profile of an erased person: %v", err)
	}
	// placeholders and places identify nobody
	if _, err := g.Erase(ctx, uid("undefined"), benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase placeholder: %v", err)
	}
	if _, err := g.Erase(ctx, identity.Identifier{Type: identity.TypeBeaconID, Value: "b1"}, benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase place: %v", err)
	}
	if _, err := g.Erase(ctx, email("x"), benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase invalid: %v", err)
	}
	// erasing by a kiosk's id erases nobody: it is shared with strangers
	for i := range 3 {
		mustLink(t, g, fmt.Sprintf("k%d", i), benchT0.Add(time.Duration(i)*time.Minute), identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk"}, uid(fmt.Sprintf("shopper-%d", i)))
	}
	rep, err = g.Erase(ctx, identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk"}, benchT0)
	if err != nil || len(rep.Removed) != 0 || len(rep.Retained) != 1 || rep.Retained[0].Reason != identity.RetainShared || rep.Retained[0].Others != 3 || rep.FactsRemoved != 0 {
		t.Fatalf("erase kiosk: %+v %v", rep, err)
	}
	if _, err := g.Profile(uid("shopper-1")); err != nil || g.Stats().Quarantined != 1 {
		t.Errorf("a shopper went with the kiosk: %v %+v", err, g.Stats())
	}
}

// TestEraseUnquarantines: removing the observations that made a supernode
// lifts its quarantine, and what it links is derived again.
func TestEraseUnquarantines(t *testing.T) {
	g := newGraph(t)
	tablet := identity.Identifier{Type: identity.TypeDeviceID, Value: "tablet"}
	mustLink(t, g, "mom", benchT0, tablet, uid("mom"))
	mustLink(t, g, "dad", benchT0.Add(time.Hour), tablet, uid("dad"))
	mustLink(t, g, "kid", benchT0.Add(2*time.Hour), tablet, anon("kid-browser"))
	if g.Stats().Quarantined != 1 {
		t.Fatalf("stats %+v", g.Stats())
	}
	if _, err := g.Erase(context.Background(), uid("dad"), benchT0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ex, _ := g.Explain(tablet, uid("mom"))
	if g.Stats().Quarantined != 0 || !ex.Linked {
		t.Errorf("after erasing dad: %+v, %+v", g.Stats(), ex)
	}
	ex, _ = g.Explain(anon("kid-browser"), uid("mom"))
	if !ex.Linked || len(ex.Path) != 2 {
		t.Errorf("kid's browser: %+v", ex)
	}
}

func TestConsentValidation(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: uid("null"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("placeholder: %v", err)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: email("bad"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("invalid: %v", err)
	}
	st := identity.NewMemStore()
	g2 := newGraph(t, identity.WithStore(st))
	c := identity.Consent{ID: uid("u"), Granted: true, At: benchT0, EventID: "c"}
	g2.SetLinkConsent(ctx, c)
	g2.SetLinkConsent(ctx, c)
	if _, n := st.Len(); n != 2 { // header and one consent record
		t.Errorf("a repeated consent change was stored again: %d entries", n)
	}
}

// TestOptOutRevocation: in the default mode a withdrawal blocks links, and
// a later grant links only later observations.
func TestOptOutRevocation(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	mustLink(t, g, "e1", benchT0, anon("a"), uid("u"))
	linked := func() bool { ex, _ := g.Explain(anon("a"), uid("u")); return ex.Linked }
	if !linked() {
		t.Fatal("opt-out mode needs no consent")
	}
	g.SetLinkConsent(ctx, identity.Consent{ID: uid("u"), Granted: false, At: benchT0.Add(time.Hour), EventID: "c1"})
	if linked() {
		t.Fatal("still linked after withdrawal")
	}
	g.SetLinkConsent(ctx, identity.Consent{ID: uid("u"), Granted: true, At: benchT0.Add(2 * time.Hour), EventID: "c2"})
	if linked() {
		t.Fatal("a new grant relinked an observation made before it")
	}
	mustLink(t, g, "e2", benchT0.Add(3*time.Hour), anon("a"), uid("u"))
	if !linked() {
		t.Fatal("an observation after the new grant did not link")
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

// TestSegments: occurrences of one identifier set further apart than the
// smallest ownership gap of its types are separate facts; an occurrence in
// between merges them again, whatever the order.
func TestSegments(t *testing.T) {
	w := identity.Identifier{Type: identity.TypeWearableSerial, Value: "W1"} // 7-day gap
	day := func(d int) time.Time { return benchT0.Add(time.Duration(d) * 24 * time.Hour) }
	orders := [][]int{{0, 20, 10}, {10, 20, 0}, {20, 0, 10}}
	for _, order := range orders {
		g := newGraph(t)
		facts := []int{}
		for _, d := range order {
			mustLink(t, g, fmt.Sprintf("d%02d", d), day(d), w, uid("carol"))
			facts = append(facts, g.Stats().Facts)
		}
		if g.Stats().Facts != 3 {
			t.Errorf("order %v: %d facts, want 3 segments", order, g.Stats().Facts)
		}
		for _, d := range []int{4, 8, 16} { // bridge 0..10 and 10..20 within 7 days
			mustLink(t, g, fmt.Sprintf("b%02d", d), day(d), w, uid("carol"))
		}
		if g.Stats().Facts != 1 {
			t.Errorf("order %v: %d facts after bridging, want 1 (history %v)", order, g.Stats().Facts, facts)
		}
	}
	// identifier sets without ownership gaps are always one fact
	g := newGraph(t)
	mustLink(t, g, "x1", day(0), uid("u"), email("u@mail.example"))
	mustLink(t, g, "x2", day(300), uid("u"), email("u@mail.example"))
	if g.Stats().Facts != 1 {
		t.Errorf("%d facts, want 1", g.Stats().Facts)
	}
}
