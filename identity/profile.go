package identity

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Profile is one derived person (or device) profile.
type Profile struct {
	// ID is the canonical profile id: "p_" and 32 hex characters of a hash
	// of the profile's canonical identifier (person scope first, then rule
	// priority, then key), so it is byte-identical for any arrival order.
	ID string
	// Members are the profile's identifiers, sorted by priority and key.
	Members []Member
	// Households are the households ("h_...") the profile belongs to,
	// sorted.
	Households []string
}

// Member is one identifier of a profile, for the period the profile holds
// it.
type Member struct {
	Ref
	Since time.Time // start of this owner's period; zero: from its first use
	Until time.Time // when it moved to another owner; zero: still held
}

// Profile returns the current profile of id. An identifier that never
// linked (or a quarantined one, or a shared device) is a profile of its
// own. It returns an
// *IdentifierError for an invalid identifier, or for a placeholder, place
// or household identifier (which are nobody's profile), ErrSuppressed for
// an erased identifier, and ErrClosed.
func (g *Graph) Profile(id Identifier) (*Profile, error) {
	ps, refused := g.prepare([]Identifier{id}, nil)
	if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
		return nil, refused[0].Err
	}
	p := ps[0]
	if p.blocked || !p.r.profiled() {
		return nil, &IdentifierError{Type: id.Type, Index: -1, Reason: "placeholders, places and households belong to no profile"}
	}
	g.mu.Lock() // members are found through the shared deriver
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	s := g.st
	if _, ok := s.tombs.keys[p.key]; ok {
		return nil, &SuppressedError{Why: "erased identifier"}
	}
	n, ok := s.index[p.key]
	if !ok {
		return &Profile{ID: makeProfileID("p_", p.r.Type, p.key, minTime), Members: []Member{{Ref: Ref{Type: p.r.Type, Key: p.key}}}}, nil
	}
	root := s.rootOf(s.latestSlot(n))
	members := []uint32{n}
	if !s.firewall(n) {
		g.d.collect(n)
		members = g.d.nodes
	}
	pr := &Profile{ID: s.profileID(root)}
	for _, m := range members {
		pr.Members = append(pr.Members, g.membersOf(m, root)...)
	}
	g.finishProfile(pr)
	return pr, nil
}

// membersOf returns node m's ownership periods that belong to root.
func (g *Graph) membersOf(m, root uint32) []Member {
	s := g.st
	slots := append([]uint32{m}, s.epochs[m]...)
	var out []Member
	for i, x := range slots {
		if s.rootOf(x) != root {
			continue
		}
		mb := Member{Ref: s.ref(m)}
		if x&extraBit != 0 {
			mb.Since = time.UnixMilli(s.slotStart(x)).UTC()
		}
		if i+1 < len(slots) {
			mb.Until = time.UnixMilli(s.slotStart(slots[i+1])).UTC()
		}
		out = append(out, mb)
	}
	return out
}

func (g *Graph) finishProfile(pr *Profile) {
	s := g.st
	hh := make(map[string]bool)
	for _, mb := range pr.Members {
		n, ok := s.index[mb.Key]
		if !ok {
			continue
		}
		s.eachFact(n, func(f uint32) {
			for _, y := range s.factIDs(f) {
				if r := s.rule(y); r.Scope == ScopeHousehold && s.nodes[y].flags&nfDeleted == 0 {
					hh[makeProfileID("h_", r.Type, s.nodes[y].key, minTime)] = true
				}
			}
		})
	}
	for h := range hh {
		pr.Households = append(pr.Households, h)
	}
	slices.Sort(pr.Households)
	slices.SortFunc(pr.Members, func(a, b Member) int {
		ra, _ := s.rules.lookup(a.Type)
		rb, _ := s.rules.lookup(b.Type)
		return cmp.Or(ra.order-rb.order, compareKeys(a.Key, b.Key), a.Since.Compare(b.Since))
	})
}

// Profiles returns every profile, sorted by ID: each identifier that may
// identify a person (person and personal-device scopes; quarantined ones
// and declared shared devices as profiles of their own) in the profiles of
// its ownership periods. It copies the whole graph: O(n), for tests, audits and exports.
func (g *Graph) Profiles() []Profile {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := g.st
	byRoot := make(map[uint32]*Profile)
	for i := range s.nodes {
		n := uint32(i)
		nd := &s.nodes[n]
		if nd.flags&(nfDeleted|nfBlocked) != 0 || !s.rule(n).profiled() {
			continue
		}
		for _, x := range append([]uint32{n}, s.epochs[n]...) {
			root := s.rootOf(x)
			pr := byRoot[root]
			if pr == nil {
				pr = &Profile{ID: s.profileID(root)}
				byRoot[root] = pr
			}
			if !slices.ContainsFunc(pr.Members, func(m Member) bool { return m.Key == nd.key }) {
				pr.Members = append(pr.Members, g.membersOf(n, root)...)
			}
		}
	}
	out := make([]Profile, 0, len(byRoot))
	for _, pr := range byRoot {
		g.finishProfile(pr)
		out = append(out, *pr)
	}
	slices.SortFunc(out, func(a, b Profile) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Household returns the household id of a household-scope identifier (a
// VIN) and the profiles it links, sorted: each person seen with it, in the
// ownership period of the observation. It returns an *IdentifierError for
// an invalid or non-household identifier, ErrClosed.
func (g *Graph) Household(id Identifier) (string, []string, error) {
	ps, refused := g.prepare([]Identifier{id}, nil)
	if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
		return "", nil, refused[0].Err
	}
	p := ps[0]
	if p.r.Scope != ScopeHousehold {
		return "", nil, &IdentifierError{Type: id.Type, Index: -1, Reason: "not a household-scope type"}
	}
	hid := makeProfileID("h_", p.r.Type, p.key, minTime)
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return "", nil, ErrClosed
	}
	s := g.st
	n, ok := s.index[p.key]
	if !ok {
		return hid, nil, nil
	}
	seen := make(map[string]bool)
	s.eachFact(n, func(f uint32) {
		for _, y := range s.factIDs(f) {
			if y != n && !s.firewall(y) {
				seen[s.profileID(s.rootOf(s.slotAt(y, s.facts[f].first)))] = true
			}
		}
	})
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return hid, out, nil
}
