package identity

import (
	"strings"
	"time"
)

// ReasonCode names why two identifiers are not linked, or why an identifier
// was not used.
type ReasonCode string

// The reason codes.
const (
	// ReasonLimitConflict: linking would give a profile more values of a
	// type than its Limit (two user ids, a sixth email); the weaker
	// identifier lost.
	ReasonLimitConflict ReasonCode = "limit_conflict"
	// ReasonDeviceConflict: a personal device would have joined two people
	// who each hold an identifier of the same type.
	ReasonDeviceConflict ReasonCode = "device_conflict"
	// ReasonOwnershipEnded: the identifier moved to another owner (recycled
	// number, resold device).
	ReasonOwnershipEnded ReasonCode = "ownership_ended"
	// ReasonNoConsent: the identifiers were seen together without a linking
	// consent in force (never given, given later, or withdrawn).
	ReasonNoConsent ReasonCode = "no_consent"
	// ReasonBlockedValue: a placeholder value (test@test.com, undefined, 0).
	ReasonBlockedValue ReasonCode = "blocked_value"
	// ReasonQuarantined: a supernode seen with more people than its
	// MaxPeople; it links nothing.
	ReasonQuarantined ReasonCode = "quarantined_supernode"
	// ReasonHousehold: a household identifier (VIN) links people into a
	// household without merging them.
	ReasonHousehold ReasonCode = "household_scope"
	// ReasonSharedDevice: a declared shared device links nothing.
	ReasonSharedDevice ReasonCode = "shared_device_scope"
	// ReasonPlace: a place (beacon, gateway) is never an identifier of a
	// person.
	ReasonPlace ReasonCode = "place_scope"
	// ReasonErased: the identifier was erased.
	ReasonErased ReasonCode = "erased"
	// ReasonUnknown: the graph has never stored the identifier.
	ReasonUnknown ReasonCode = "unknown_identifier"
	// ReasonNoPath: the identifiers were never seen together, directly or
	// through others.
	ReasonNoPath ReasonCode = "no_path"
	// ReasonInvalid: the value does not normalize (Refusal only).
	ReasonInvalid ReasonCode = "invalid_value"
)

// LinkRule names the rule that made one step of a link path.
type LinkRule string

// The link rules.
const (
	RulePersonLink        LinkRule = "person_link"        // person identifiers seen together
	RuleDeviceAttach      LinkRule = "device_attach"      // a personal device joined its person
	RuleDeviceLink        LinkRule = "device_link"        // device identifiers seen together
	RuleOwnershipTransfer LinkRule = "ownership_transfer" // the identifier moved to a new owner here
)

// Explanation says whether two identifiers are in one profile, and why.
type Explanation struct {
	A, B     Ref    // the two identifiers asked about
	Linked   bool   // whether they are in one profile now
	ProfileA string // current profile of A ("" when A has none)
	ProfileB string // current profile of B ("" when B has none)
	// Path links A to B when Linked: each step is one event that joined
	// two identifiers, under a rule.
	Path []Step
	// Reasons say why not, when not Linked; sorted by code, then subject.
	Reasons []Reason
}

// Step is one link of a path.
type Step struct {
	From, To Ref       // the identifiers this step joins
	EventID  string    // the event that joined them
	Time     time.Time // when that event happened
	Rule     LinkRule  // the rule under which they joined
	// ConsentEventID is the consent record (Consent.EventID, given to
	// SetLinkConsent) whose grant allowed this link; empty when linking
	// needed no consent (opt-out mode, no record for these identifiers).
	ConsentEventID string
}

// Reason is one reason why two identifiers are not linked.
type Reason struct {
	// Code says what kind of reason it is.
	Code ReasonCode
	// Subject is the identifier the reason is about: the one refused, the
	// supernode, the household, the placeholder.
	Subject Ref
	// EventIDs are the events where it happened (at most 4, sorted).
	EventIDs []string
	// Detail adds specifics, e.g. "email limit 5" or "seen with 3 people,
	// max 1".
	Detail string
	// ConsentEventID, for no_consent, is the consent record
	// (Consent.EventID) that ended the link — the withdrawal in force — or
	// the grant that came after the event; empty when no identifier held a
	// linking consent (opt-in mode).
	ConsentEventID string
}

// String renders a reason as "code subject [events] detail".
func (r Reason) String() string {
	var b strings.Builder
	b.WriteString(string(r.Code))
	if r.Subject.Type != "" {
		b.WriteString(" " + r.Subject.String())
	}
	if len(r.EventIDs) > 0 {
		b.WriteString(" [" + strings.Join(r.EventIDs, " ") + "]")
	}
	if r.Detail != "" {
		b.WriteString(" (" + r.Detail + ")")
	}
	return b.String()
}

// explainNode checks one side: reasons that settle the question alone.
func (g *Graph) explainNode(p prepared, ex *Explanation) (uint32, bool) {
	s := g.st
	ref := Ref{Type: p.r.Type, Key: p.key, Value: p.value}
	add := func(code ReasonCode, detail string) {
		ex.Reasons = append(ex.Reasons, Reason{Code: code, Subject: ref, Detail: detail})
	}
	if p.blocked {
		add(ReasonBlockedValue, "")
		return none, false
	}
	if _, ok := s.tombs.keys[p.key]; ok {
		add(ReasonErased, "")
		return none, false
	}
	switch p.r.Scope {
	case ScopePlace:
		add(ReasonPlace, "")
		return none, false
	case ScopeHousehold:
		add(ReasonHousehold, "")
		return none, false
	case ScopeSharedDevice:
		add(ReasonSharedDevice, "")
		return none, false
	}
	n, ok := s.index[p.key]
	if !ok {
		add(ReasonUnknown, "")
		return none, false
	}
	if s.nodes[n].flags&nfQuarantined != 0 {
		add(ReasonQuarantined, g.peopleDetail(n))
		return n, false
	}
	return n, true
}

func (g *Graph) peopleDetail(n uint32) string {
	s := g.st
	if r := s.rule(n); r.MaxPeople > 0 {
		if p := s.people(n, &g.scratch); p > r.MaxPeople {
			return "seen with " + itoa(p) + " people, max " + itoa(r.MaxPeople)
		}
	}
	return "seen with " + itoa(s.fanoutOf(n)) + " identifiers, max " + itoa(s.fanout)
}

// Explain says whether a and b are in one profile now (their current
// ownership epochs), with the path of events and rules that links them, or
// the reasons why not: limit_conflict, device_conflict, ownership_ended,
// no_consent (with the refusing events and the consent record that
// withdrew consent or came too late), quarantined_supernode,
// household_scope, shared_device_scope, place_scope, blocked_value (for
// identifiers that each side was seen with), erased, unknown_identifier, or
// no_path. Each step of a path cites the consent record whose grant
// allowed it (Step.ConsentEventID), when linking needed one.
//
// It derives the components involved again with tracing, so it costs a few
// times a Link. It returns an *IdentifierError for an invalid identifier,
// or ErrClosed.
func (g *Graph) Explain(a, b Identifier) (*Explanation, error) {
	var buf [2]prepared
	ps := buf[:0]
	for i, id := range []Identifier{a, b} {
		one, refused := g.prepare([]Identifier{id}, nil)
		if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
			err := refused[0].Err
			if ie, ok := err.(*IdentifierError); ok {
				c := *ie
				c.Index = i
				err = &c
			}
			return nil, err
		}
		ps = append(ps, one[0])
	}
	g.mu.Lock() // explanations re-derive with the shared deriver
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	s := g.st
	ex := &Explanation{A: Ref{Type: ps[0].r.Type, Key: ps[0].key}, B: Ref{Type: ps[1].r.Type, Key: ps[1].key}}
	for i := range ps {
		if n, ok := s.index[ps[i].key]; ok && s.plain != nil {
			ps[i].value = s.plain[n]
		}
	}
	ex.A.Value, ex.B.Value = ps[0].value, ps[1].value
	na, okA := g.explainNode(ps[0], ex)
	nb, okB := g.explainNode(ps[1], ex)
	if na != none {
		ex.ProfileA = s.profileID(s.rootOf(s.latestSlot(na)))
	}
	if nb != none {
		ex.ProfileB = s.profileID(s.rootOf(s.latestSlot(nb)))
	}
	if ps[0].key == ps[1].key && okA {
		ex.Linked = true
		return ex, nil
	}
	if !okA || !okB {
		ex.Reasons = sortReasons(ex.Reasons)
		return ex, nil
	}
	d := g.d
	tr := &trace{}
	d.tr = tr
	d.collect(na)
	d.derive()
	d.tr = nil
	la, inA := d.loc[na]
	lb, inB := d.loc[nb]
	if !inA {
		return ex, nil // cannot happen: na is not a firewall
	}
	sa := d.cur[la]
	if inB && d.find(sa) == d.find(d.cur[lb]) {
		ex.Linked = true
		ex.Path = g.path(d, tr, sa, d.cur[lb])
		return ex, nil
	}
	if inB {
		g.componentReasons(d, tr, d.find(sa), d.find(d.cur[lb]), ex)
	}
	g.firewallReasons(na, nb, ex)
	if len(ex.Reasons) == 0 {
		ex.Reasons = append(ex.Reasons, Reason{Code: ReasonNoPath})
	}
	ex.Reasons = sortReasons(ex.Reasons)
	return ex, nil
}

// occurrence returns the event that made fact f link: its first
// occurrence, or its last when a consent grant came after the first.
func (g *Graph) occurrence(f uint32) (string, time.Time) {
	s := g.st
	ft := &s.facts[f]
	ev, t := ft.firstEv, ft.first
	for _, n := range s.factIDs(f) {
		if st, start, _ := s.consentView(n); st == consentGranted && start > ft.first {
			ev, t = ft.lastEv, ft.last
		}
	}
	return s.events.string(ev), time.UnixMilli(t).UTC()
}

func (g *Graph) slotRef(d *deriver, sl int32) Ref {
	return g.st.ref(d.nodes[d.sNode[sl]])
}
