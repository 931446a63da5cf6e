package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	Fanout  int    `json:"fanout"` // WithMaxFanout; 0: the default
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

// serase is an erasure: Erase(subject), or EraseKeys with the keys of
// the identifiers keys lists (as a gateway applies a hub's tombstone).
type serase struct {
	Subject string   `json:"subject"`
	Keys    []string `json:"keys"`
	At      string   `json:"at"`
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
	if sc.Config.Fanout > 0 {
		opts = append(opts, identity.WithMaxFanout(sc.Config.Fanout))
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
	if len(e.Keys) > 0 {
		refs := make([]identity.Ref, len(e.Keys))
		for i, s := range e.Keys {
			r, err := g.Key(parseID(t, s))
			if err != nil {
				t.Fatalf("key of %s: %v", s, err)
			}
			refs[i] = r
		}
		reps, err := g.EraseKeys(context.Background(), refs, parseTime(t, e.At))
		if err != nil {
			t.Fatalf("erase keys %v: %v", e.Keys, err)
		}
		return mergeReports(reps)
	}
	rep, err := g.Erase(context.Background(), parseID(t, e.Subject), parseTime(t, e.At))
	if err != nil {
		t.Fatalf("erase %s: %v", e.Subject, err)
	}
	return rep
}

// mergeReports folds EraseKeys's reports into one, for the scenarios'
// expectations: the first report's subject and profile, everything
// removed and retained, the sums of facts and tombstones.
func mergeReports(reps []*identity.ErasureReport) *identity.ErasureReport {
	out := *reps[0]
	out.Removed = slices.Clone(out.Removed)
	out.Retained = slices.Clone(out.Retained)
	for _, r := range reps[1:] {
		out.Removed = append(out.Removed, r.Removed...)
		out.Retained = append(out.Retained, r.Retained...)
		out.FactsRemoved += r.FactsRemoved
		out.Tombstones += r.Tombstones
	}
	return &out
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
