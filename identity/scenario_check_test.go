package identity_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

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
