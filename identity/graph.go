package identity

import (
	"context"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Graph links identifiers into profiles by declared rules (see the package
// documentation). It keeps facts — identifier sets seen together, with
// their first and last occurrence — and derives profiles from them
// deterministically, so the result does not depend on arrival order.
//
// A Graph is safe for concurrent use. It starts no goroutines. Call Close
// when done: it closes the store. After Close every method returns
// ErrClosed.
type Graph struct {
	mu        sync.RWMutex
	norm      *Normalizer
	secret    []byte
	keyers    sync.Pool // of *keyer
	st        *state
	d         *deriver
	store     Store
	plaintext bool
	closed    bool
	scratch   []valueUse
	seeds     []uint32
	nodeBuf   []uint32 // Link: node of each prepared identifier (none if new)
	idBuf     []uint32 // Link: sorted fact identifiers
	segBuf    []uint32 // Link: segments of an identifier set
}

// New returns a graph that keys identifiers with secret (HMAC-SHA256; at
// least 16 bytes; copied). Every gateway of a fleet that should share one
// graph must use the same secret, and a store written with one secret cannot
// be opened with another (ErrSecretMismatch). With WithStore, New loads the
// store before returning. It returns a *ConfigError for invalid options, or
// the store's error.
func New(secret []byte, opts ...Option) (*Graph, error) {
	if len(secret) < 16 {
		return nil, &ConfigError{Option: "New(secret)", Reason: "the secret must be at least 16 bytes"}
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	norm, err := cfg.normalizer()
	if err != nil {
		return nil, err
	}
	g := &Graph{
		norm:      norm,
		secret:    slices.Clone(secret),
		st:        newState(norm.rules, cfg.consent == ConsentOptIn, cfg.fanout),
		store:     cfg.store,
		plaintext: cfg.plaintext,
	}
	if cfg.plaintext {
		g.st.plain = make(map[uint32]string)
	}
	g.d = newDeriver(g.st)
	g.keyers.New = func() any { return newKeyer(g.secret) }
	if g.store != nil {
		if err := g.load(context.Background()); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Normalizer returns the graph's normalizer (rules, region, phone
// normalizer, blocked values), for deriving match keys on the way out.
func (g *Graph) Normalizer() *Normalizer { return g.norm }

// Observation is one event's identifiers, as given to Link.
type Observation struct {
	// EventID is the event's messageId: non-empty, valid UTF-8, at most 256
	// bytes. Observations with the same EventID and identifiers are one
	// occurrence: replays change nothing.
	EventID string
	// Time is when the event happened (its originalTimestamp), kept to the
	// millisecond; between 2000 and 2100.
	Time time.Time
	// IDs are the event's identifiers, raw: at most MaxObservationIDs.
	// Invalid and blocked ones are reported in Resolution.Refused and take
	// no part.
	IDs []Identifier
}

// Resolution is what Link and Resolve say about an event.
type Resolution struct {
	// ProfileID is the canonical profile of the event: the profile, at the
	// event's time, of its strongest identifier that can identify a person
	// ("p_" and 32 hex characters). A quarantined supernode or a shared
	// device identifies nobody: it is the event's profile (its own) only
	// when the event has no other such identifier. Empty when the event has
	// none (only places, households or refused identifiers).
	ProfileID string
	// Households lists the households ("h_" and 32 hex characters) of the
	// event's household-scope identifiers, sorted.
	Households []string
	// Refused lists identifiers that were invalid, of an unknown type or
	// blocked placeholders.
	Refused []Refusal
	// Fact is set by Link when the observation changed the graph (a new
	// identifier set, or an earlier first or later last occurrence of one):
	// what a fleet-wide graph needs to learn from this event. See
	// EncodeLinkFact.
	Fact *LinkFact
}

// Refusal says why one identifier of an observation was not used.
type Refusal struct {
	Index  int        // position in Observation.IDs
	Type   Type       // its type
	Reason ReasonCode // ReasonInvalid or ReasonBlockedValue
	Err    error      // for ReasonInvalid: an *IdentifierError
}

// LinkFact is one observation of identifiers together, as keys only: the
// unit a fleet-wide graph is built from (Graph.LinkKeys). It never holds a
// plaintext value unless the graph keeps plaintext (WithPlaintext).
type LinkFact struct {
	EventID   string    // the observed event
	Time      time.Time // millisecond precision
	IDs       []Ref     // identifiers that may link, sorted by type and key
	Blocked   []Ref     // placeholders seen in the event, kept for explanations
	ProfileID string    // the profile the emitting graph resolved the event to
}

// MaxObservationIDs is the most identifiers one observation may carry
// (Adobe accepts 20 per record; an event with more is a bug upstream).
const MaxObservationIDs = 64

type prepared struct {
	r       *rule
	key     Key
	value   string
	blocked bool
}

func checkIDs(n int) error {
	if n > MaxObservationIDs {
		return &ObservationError{Field: "IDs", Reason: "more than " + itoa(MaxObservationIDs) + " identifiers"}
	}
	return nil
}

func checkEvent(field, ev string, t time.Time) error {
	switch {
	case ev == "":
		return &ObservationError{Field: field, Reason: "is empty"}
	case len(ev) > 256:
		return &ObservationError{Field: field, Reason: "is longer than 256 bytes"}
	case !utf8.ValidString(ev):
		return &ObservationError{Field: field, Reason: "is not valid UTF-8"}
	case t.IsZero():
		return &ObservationError{Field: "Time", Reason: "is zero"}
	case t.Year() < 2000 || t.Year() >= 2100:
		return &ObservationError{Field: "Time", Reason: "is outside 2000..2100"}
	}
	return nil
}

// prepare normalizes and keys ids (outside the lock), drops duplicates, and
// sorts them by priority and key.
func (g *Graph) prepare(ids []Identifier, out []prepared) ([]prepared, []Refusal) {
	kr := g.keyers.Get().(*keyer)
	defer g.keyers.Put(kr)
	var refused []Refusal
	for i, id := range ids {
		r, v, blocked, err := g.norm.prepare(id)
		if err != nil {
			if ie, ok := err.(*IdentifierError); ok {
				c := *ie
				c.Index = i
				err = &c
			}
			refused = append(refused, Refusal{Index: i, Type: id.Type, Reason: ReasonInvalid, Err: err})
			continue
		}
		if blocked {
			refused = append(refused, Refusal{Index: i, Type: id.Type, Reason: ReasonBlockedValue})
		}
		p := prepared{r: r, key: kr.key(r.Type, v), blocked: blocked}
		if g.plaintext && !blocked {
			p.value = v
		}
		if !slices.ContainsFunc(out, func(q prepared) bool { return q.key == p.key }) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b prepared) int {
		if a.r.order != b.r.order {
			return a.r.order - b.r.order
		}
		return compareKeys(a.key, b.key)
	})
	return out, refused
}

// Close closes the graph and its store.
//
// Deprecated: use Shutdown, the lifecycle verb of every Touchpoint
// component. Close will be removed in the next release.
func (g *Graph) Close() error { return g.Shutdown(context.Background()) }

// Stats are counters of a graph's contents.
type Stats struct {
	Identifiers int // stored identifiers (erased ones excluded)
	Facts       int // stored identifier sets
	Quarantined int // quarantined supernodes
	Epochs      int // ownership epochs after the first
	Tombstones  int // erasure tombstones of all kinds
}

// Stats returns the graph's counters. It walks the identifiers: O(n).
func (g *Graph) Stats() Stats {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := g.st
	st := Stats{Facts: s.live, Tombstones: len(s.tombs.keys) + len(s.tombs.facts) + len(s.tombs.epochs)}
	for i := range s.nodes {
		nd := &s.nodes[i]
		if nd.flags&nfDeleted != 0 {
			continue
		}
		st.Identifiers++
		if nd.flags&nfQuarantined != 0 {
			st.Quarantined++
		}
	}
	for _, e := range s.epochs {
		st.Epochs += len(e)
	}
	return st
}

// Key returns the reference the graph stores for id: its type and key, to
// match explanations, erasure reports and link facts against identifiers
// you know. It returns an *IdentifierError for an invalid identifier.
func (g *Graph) Key(id Identifier) (Ref, error) {
	ps, refused := g.prepare([]Identifier{id}, nil)
	if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
		return Ref{}, refused[0].Err
	}
	return Ref{Type: ps[0].r.Type, Key: ps[0].key}, nil
}
