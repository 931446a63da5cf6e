package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Export is everything the fleet holds about one person (a data subject
// access or portability request): identifiers as the graph keeps them
// (keys; values only where the graph keeps plaintext), how they were
// linked, consent history with receipts, traits, touchpoints, audience
// memberships and journey actions. JSON gives the machine-readable
// document, Summary the human-readable one.
type Export struct {
	Subject     string         `json:"subject"` // "type:key" of the identifier asked
	ProfileID   string         `json:"profileId"`
	GeneratedAt time.Time      `json:"generatedAt"`
	Identifiers []ExportID     `json:"identifiers"`
	Links       []LinkProof    `json:"links"`
	Explained   []Explained    `json:"explanations,omitempty"`
	Consents    []ConsentEntry `json:"consents"`
	Traits      []TraitEntry   `json:"traits"`
	Touchpoints []TouchEntry   `json:"touchpoints"`
	Memberships []MemberEntry  `json:"memberships"`
	Actions     []ActionEntry  `json:"actions"`
}

// ExportID is one identifier of the person.
type ExportID struct {
	Type  string    `json:"type"`
	Key   string    `json:"key"`
	Value string    `json:"value,omitempty"` // only when the graph keeps plaintext
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// LinkProof is one observation that linked identifiers: which event, when,
// at which gateway, with which identifiers.
type LinkProof struct {
	MessageID   string    `json:"messageId"`
	EventID     string    `json:"eventId"`
	Time        time.Time `json:"time"`
	Source      string    `json:"source,omitempty"`
	Identifiers []string  `json:"identifiers"`
}

// Explained is identity's explanation of why two identifiers are (or are
// not) one person.
type Explained struct {
	A       string        `json:"a"`
	B       string        `json:"b"`
	Linked  bool          `json:"linked"`
	Path    []ExplainStep `json:"path,omitempty"`
	Reasons []string      `json:"reasons,omitempty"`
}

// ExplainStep is one link of an explanation's path.
type ExplainStep struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	EventID string    `json:"eventId"`
	Time    time.Time `json:"time"`
	Rule    string    `json:"rule"`
}

// ConsentEntry is one consent record with its receipt.
type ConsentEntry struct {
	MessageID string            `json:"messageId"`
	Time      time.Time         `json:"time"`
	State     string            `json:"state"`
	Purposes  []consent.Purpose `json:"purposes"`
	Method    string            `json:"method"`
	Store     string            `json:"store,omitempty"`
	Source    string            `json:"source,omitempty"`
	Receipt   Receipt           `json:"receipt"`
}

// TraitEntry is a trait's latest value, with where it came from.
type TraitEntry struct {
	Key   string    `json:"key"`
	Value any       `json:"value"`
	Time  time.Time `json:"time"`
	Store string    `json:"store,omitempty"`
}

// TouchEntry is one touchpoint.
type TouchEntry struct {
	MessageID string            `json:"messageId"`
	Time      time.Time         `json:"time"`
	Type      string            `json:"type"`
	Event     string            `json:"event,omitempty"`
	Channel   string            `json:"channel,omitempty"`
	Store     string            `json:"store,omitempty"`
	Zone      string            `json:"zone,omitempty"`
	Source    string            `json:"source,omitempty"`
	Purposes  []consent.Purpose `json:"purposes,omitempty"`
}

// MemberEntry is one audience entry or exit.
type MemberEntry struct {
	Audience string    `json:"audience"`
	Entered  bool      `json:"entered"`
	Time     time.Time `json:"time"`
	Reason   string    `json:"reason,omitempty"`
	Source   string    `json:"source,omitempty"`
}

// ActionEntry is one journey action taken.
type ActionEntry struct {
	Journey     string          `json:"journey"`
	Destination string          `json:"destination,omitempty"`
	Purpose     consent.Purpose `json:"purpose,omitempty"`
	Time        time.Time       `json:"time"`
	Source      string          `json:"source,omitempty"`
}

// Export returns everything the fleet holds about the person identifier id
// belongs to now. also are other identifiers the person gave (an email
// besides the loyalty card): the export explains how each is linked to id
// (or why not). Cost: one graph lookup and one store read of the person's
// records, linear in what is held (see BenchmarkExport).
//
// Errors: ErrClosed, ErrNoGraph, an *ErasedError (ErrErased) for an
// erased person, ErrNotFound when nothing is held, the graph's
// *identity.IdentifierError, the store's error, or a *FormatError if a
// stored record does not decode.
func (h *Hub) Export(ctx context.Context, id identity.Identifier, also ...identity.Identifier) (*Export, error) {
	if h.closed.Load() {
		return nil, ErrClosed
	}
	if h.graph == nil {
		return nil, ErrNoGraph
	}
	prof, err := h.graph.Profile(id)
	if err != nil {
		if errors.Is(err, identity.ErrSuppressed) {
			return nil, &ErasedError{ID: "export", Kind: "export"}
		}
		return nil, err
	}
	ex := &Export{ProfileID: prof.ID, GeneratedAt: h.now().UTC()}
	var keys []identity.Key
	for _, m := range prof.Members {
		keys = append(keys, m.Key)
		ex.Identifiers = append(ex.Identifiers, ExportID{Type: string(m.Type), Key: m.Key.String(), Value: m.Value, Since: m.Since, Until: m.Until})
	}
	if len(prof.Members) > 0 {
		ex.Subject = string(prof.Members[0].Type) + ":" + prof.Members[0].Key.String()
	}
	for _, m := range prof.Members {
		if m.Type == id.Type {
			ex.Subject = string(m.Type) + ":" + m.Key.String()
			break
		}
	}
	if erased, err := h.store.Tombstoned(ctx, keys); err != nil {
		return nil, err
	} else if erased {
		return nil, &ErasedError{ID: "export", Kind: "export"}
	}
	traits := map[string]TraitEntry{}
	members := map[string]MemberEntry{}
	var memberOrder []string
	err = h.store.Read(ctx, keys, func(r Record) error {
		m, err := Decode(r.Body)
		if err != nil {
			return err
		}
		switch m.Kind {
		case KindLink:
			lp := LinkProof{MessageID: m.ID, EventID: m.Link.EventID, Time: m.Time, Source: m.Source}
			for _, x := range m.Link.IDs {
				lp.Identifiers = append(lp.Identifiers, string(x.Type)+":"+x.Key.String())
			}
			ex.Links = append(ex.Links, lp)
		case KindConsent:
			c := m.Consent
			st := StateWithdrawn
			if c.Granted {
				st = StateGiven
			}
			ex.Consents = append(ex.Consents, ConsentEntry{MessageID: m.ID, Time: m.Time, State: st, Purposes: c.Purposes,
				Method: string(c.Method), Store: c.Store, Source: m.Source, Receipt: NewReceipt(*c, h.ctrl)})
		case KindTouchpoint:
			t := m.Touchpoint
			ex.Touchpoints = append(ex.Touchpoints, TouchEntry{MessageID: m.ID, Time: m.Time, Type: t.Type, Event: t.Event,
				Channel: t.Channel, Store: t.Store, Zone: t.Zone, Source: m.Source, Purposes: t.Purposes})
			for k, v := range t.Traits {
				if old, ok := traits[k]; !ok || !m.Time.Before(old.Time) {
					traits[k] = TraitEntry{Key: k, Value: v, Time: m.Time, Store: t.Store}
				}
			}
		case KindMembership:
			ms := m.Membership
			if _, ok := members[ms.Audience]; !ok {
				memberOrder = append(memberOrder, ms.Audience)
			}
			members[ms.Audience] = MemberEntry{Audience: ms.Audience, Entered: ms.Entered, Time: m.Time, Reason: ms.Reason, Source: m.Source}
		case KindAction:
			a := m.Action
			ex.Actions = append(ex.Actions, ActionEntry{Journey: a.Journey, Destination: a.Destination, Purpose: a.Purpose, Time: m.Time, Source: m.Source})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range memberOrder {
		ex.Memberships = append(ex.Memberships, members[k])
	}
	for _, t := range traits {
		ex.Traits = append(ex.Traits, t)
	}
	slices.SortFunc(ex.Traits, func(a, b TraitEntry) int { return strings.Compare(a.Key, b.Key) })
	for _, other := range also {
		e, err := h.graph.Explain(id, other)
		if err != nil {
			return nil, err
		}
		ex.Explained = append(ex.Explained, explained(e))
	}
	if len(ex.Links)+len(ex.Consents)+len(ex.Touchpoints)+len(ex.Memberships)+len(ex.Actions) == 0 && len(prof.Members) <= 1 {
		return nil, ErrNotFound
	}
	h.exports.Add(1)
	return ex, nil
}

func explained(e *identity.Explanation) Explained {
	out := Explained{A: string(e.A.Type) + ":" + e.A.Key.String(), B: string(e.B.Type) + ":" + e.B.Key.String(), Linked: e.Linked}
	for _, s := range e.Path {
		out.Path = append(out.Path, ExplainStep{From: string(s.From.Type) + ":" + s.From.Key.String(), To: string(s.To.Type) + ":" + s.To.Key.String(),
			EventID: s.EventID, Time: s.Time, Rule: string(s.Rule)})
	}
	for _, r := range e.Reasons {
		out.Reasons = append(out.Reasons, r.String())
	}
	return out
}

// JSON returns the export as one JSON document (compact: json.Indent it
// for reading).
func (e *Export) JSON() ([]byte, error) { return json.Marshal(e) }

// Summary renders the export for a person to read.
func (e *Export) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "What we hold about you (profile %s), as of %s\n\n", e.ProfileID, e.GeneratedAt.Format("2 January 2006 15:04 MST"))
	fmt.Fprintf(&b, "Identifiers (%d), kept as keyed hashes:\n", len(e.Identifiers))
	for _, id := range e.Identifiers {
		v := id.Key
		if id.Value != "" {
			v = id.Value
		}
		fmt.Fprintf(&b, "  - %s %s\n", id.Type, v)
	}
	fmt.Fprintf(&b, "\nHow they were linked (%d observations):\n", len(e.Links))
	for _, l := range e.Links {
		fmt.Fprintf(&b, "  - %s at %s: %s seen together\n", l.Time.Format(time.DateTime), orDash(l.Source), strings.Join(l.Identifiers, ", "))
	}
	fmt.Fprintf(&b, "\nConsent history (%d):\n", len(e.Consents))
	for _, c := range e.Consents {
		ps := make([]string, len(c.Purposes))
		for i, p := range c.Purposes {
			ps[i] = string(p)
		}
		fmt.Fprintf(&b, "  - %s: %s %s via %s at %s (receipt %s)\n", c.Time.Format(time.DateTime), c.State, strings.Join(ps, ", "), c.Method, orDash(c.Store), c.Receipt.ReceiptID)
	}
	fmt.Fprintf(&b, "\nTraits (%d):\n", len(e.Traits))
	for _, t := range e.Traits {
		fmt.Fprintf(&b, "  - %s = %v (%s)\n", t.Key, t.Value, t.Time.Format(time.DateTime))
	}
	stores := map[string]int{}
	for _, t := range e.Touchpoints {
		stores[orDash(t.Store)]++
	}
	names := make([]string, 0, len(stores))
	for s := range stores {
		names = append(names, s)
	}
	slices.Sort(names)
	fmt.Fprintf(&b, "\nTouchpoints (%d):\n", len(e.Touchpoints))
	for _, s := range names {
		fmt.Fprintf(&b, "  - store %s: %d\n", s, stores[s])
	}
	fmt.Fprintf(&b, "\nAudiences (%d):\n", len(e.Memberships))
	for _, m := range e.Memberships {
		state := "left"
		if m.Entered {
			state = "in"
		}
		fmt.Fprintf(&b, "  - %s: %s since %s\n", m.Audience, state, m.Time.Format(time.DateTime))
	}
	fmt.Fprintf(&b, "\nActions taken (%d):\n", len(e.Actions))
	for _, a := range e.Actions {
		fmt.Fprintf(&b, "  - %s: journey %s via %s\n", a.Time.Format(time.DateTime), a.Journey, orDash(a.Destination))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
