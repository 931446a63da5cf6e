package consent

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// MaxDestinations is the most destinations one Router fans out to.
const MaxDestinations = 32

// Router is a connected.Handler that fans each record out to named
// destinations, each receiving it only if the subject's consent for the
// destination's purpose was in force at the event's time (and has not been
// revoked since) and the destination takes the record's data category.
// Health, biometric and presence-at-home data never reach a marketing or
// advertising destination, and biometric records older than the biometric
// retention are dropped (see WithBiometricRetention). A
// record a destination may not have is dropped, stripped or held, as the
// destination says; every refusal is counted per destination and reason
// and written to the audit trail, which holds no plaintext identifier.
//
// Consent is the person's, whatever identifier it was recorded under: the
// decision reads the facts of all the record's identifiers — its ProfileID
// (set by identity middleware), the event's userId and its anonymousId — as
// one history. The decision in force is the latest fact effective at the
// event's time under any of them (a denial wins a tie), so a grant given on
// the web under an anonymous id still holds after a login re-keys the
// profile, and a withdrawal in the app under the user id stops everything.
// A record is refused everywhere (ReasonErased) if any of these ids was
// erased. The record's primary subject (ProfileID, else userId, else
// anonymousId) is whom audit entries name and readers record facts for.
//
// A Router is safe for concurrent use and starts no goroutines. Deciding
// and delivering to consented destinations does not allocate. Handle
// passes each destination the same *Record (a stripped copy for Strip);
// it returns the destinations' errors joined, as *DeliveryError values,
// after offering the record to every destination. Refusals are not errors.
type Router struct {
	cfg    *config
	ledger *Ledger
	dests  []*dest
	audit  *auditLog
	tags   *tagger
	owns   bool // Flush and Shutdown reach the destinations' handlers
	cancel func()

	closed    atomic.Bool
	lastEvent atomic.Int64 // latest event time seen, Unix ns (WithEventTimeClock)
	holding   atomic.Int64 // records held, all destinations
	deadline  atomic.Int64 // earliest hold deadline, Unix ns

	// hmu guards the hold stores and heldBy, and is held while released
	// records are delivered, so that they go out in order.
	hmu    sync.Mutex
	heldBy map[string]int
}

var (
	_ connected.Handler    = (*Router)(nil)
	_ connected.Flusher    = (*Router)(nil)
	_ connected.Shutdowner = (*Router)(nil)
)

// NewRouter returns a Router over l for dests. auditKey is the secret key
// of the audit trail's subject hashes (HMAC-SHA256, see SubjectTag):
// required, at least 16 bytes, copied. Keep it stable to correlate entries
// across restarts, and secret: with the key, anyone can test whether a
// known id appears in the trail. It returns a *ConfigError
// (ErrConfig) for an invalid destination, duplicate names, more than
// MaxDestinations, an audit key shorter than 16 bytes or an invalid
// option; a destination of purpose marketing or advertising that
// lists health among its categories is rejected with an error that also
// matches ErrHealthToAdTech.
//
// Call Shutdown when done: it discards held records (reporting how many)
// and shuts down every destination handler that implements
// connected.Shutdowner.
func NewRouter(l *Ledger, auditKey []byte, dests []Destination, opts ...Option) (*Router, error) {
	if l == nil {
		return nil, &ConfigError{Field: "Ledger", Reason: "is nil"}
	}
	cfg, err := newConfig(auditKey, opts)
	if err != nil {
		return nil, err
	}
	if len(dests) == 0 || len(dests) > MaxDestinations {
		return nil, &ConfigError{Field: "Destinations", Reason: "must number 1 to 32"}
	}
	compiled := make([]*dest, len(dests))
	seen := make(map[string]bool, len(dests))
	for i, d := range dests {
		c, err := compile(d, true)
		if err != nil {
			return nil, err
		}
		if seen[d.Name] {
			return nil, &ConfigError{Destination: d.Name, Field: "Name", Reason: "is used twice"}
		}
		seen[d.Name] = true
		compiled[i] = c
	}
	return newRouter(l, cfg, compiled, newAuditLog(cfg.auditCap, cfg.auditSink), newTagger(cfg.auditKey), true), nil
}

func newRouter(l *Ledger, cfg *config, dests []*dest, audit *auditLog, tags *tagger, owns bool) *Router {
	rt := &Router{cfg: cfg, ledger: l, dests: dests, audit: audit, tags: tags, owns: owns, heldBy: map[string]int{}}
	rt.deadline.Store(math.MaxInt64)
	for _, d := range dests {
		if d.hold != nil {
			rt.cancel = l.OnChange(rt.onChange)
			break
		}
	}
	return rt
}

// subjectOf returns the record's primary subject: whom its consent is
// recorded for by the readers, and whom audit entries name.
func subjectOf(r *connected.Record) string {
	switch {
	case r.ProfileID != "":
		return r.ProfileID
	case r.UserID != "":
		return r.UserID
	}
	return r.AnonymousID
}

// idsOf returns the record's distinct non-empty identifiers: its ProfileID,
// userId and anonymousId. Consent is a person's, whatever identifier it was
// recorded under: a grant recorded for the anonymous id on the web still
// holds after the login gives the record a new canonical profile id.
func idsOf(r *connected.Record) (ids [3]string, n int) {
	for _, id := range [3]string{r.ProfileID, r.UserID, r.AnonymousID} {
		if id != "" && (n == 0 || ids[0] != id) && (n < 2 || ids[1] != id) {
			ids[n] = id
			n++
		}
	}
	return ids, n
}

// states is the ledger state of each identifier of a record (nil entries
// for identifiers with none).
type states [3]*subjectState

// decision is the outcome for one destination: reason 0 means deliver.
type decision struct {
	reason  Reason
	missing Purpose // the purpose whose consent is missing, or the destination's
}

// Handle offers r to every destination. See Router.
func (rt *Router) Handle(ctx context.Context, r *connected.Record) error {
	if rt.closed.Load() {
		return ErrClosed
	}
	fact := isLinkFact(r)
	subject := subjectOf(r)
	clk := clock{rt: rt, event: r.Time}
	if rt.cfg.eventClock {
		rt.observe(r.Time)
	}
	var errs error
	if rt.holding.Load() > 0 {
		// Earlier held records of this subject go first, and expired ones out.
		errs = rt.release(ctx, subject, false, clk.now())
	}
	var buf [MaxDestinations]decision
	ds := buf[:len(rt.dests)]
	st := rt.decide(r, subject, false, ds)
	if r.Category == connected.CategoryBiometric && rt.expired(r, clk.now()) {
		for i, d := range rt.dests {
			ds[i] = decision{ReasonExpired, d.Purpose}
		}
	}
	for i, d := range rt.dests {
		if fact && !d.LinkFacts {
			d.c.linkFactsSkipped.Add(1) // not offered: the destination did not ask
			continue
		}
		if err := rt.act(ctx, d, r, subject, st, ds[i], &clk); err != nil {
			errs = join(errs, err)
		}
	}
	return errs
}

// isLinkFact reports whether r is an identity-link fact (see
// Destination.LinkFacts). A record without its Event is not.
func isLinkFact(r *connected.Record) bool {
	return r.Category == connected.CategoryIdentity && r.Event != nil &&
		r.Event.Type == connected.TypeTrack && r.Event.Event == connected.EventIdentityLinked
}

// decide fills out with every destination's decision for r, under one read
// lock of the ledger, and returns the primary subject's state (nil if
// none). The decision reads the facts of every identifier of the record as
// one history (see idsOf and verdictOf).
func (rt *Router) decide(r *connected.Record, subject string, release bool, out []decision) *subjectState {
	l := rt.ledger
	t := r.Time.UnixNano()
	ids, n := idsOf(r)
	l.mu.RLock()
	sts, erased := l.statesLocked(ids[:n]) // subject is one of ids
	var st *subjectState
	if subject != "" {
		st = l.subjects[subject]
	}
	for i, d := range rt.dests {
		switch {
		case erased:
			out[i] = decision{ReasonErased, d.Purpose}
		case n == 0:
			out[i] = decision{ReasonNoSubject, d.Purpose}
		default:
			out[i] = evaluate(&sts, d, r.Category, t, release)
		}
	}
	l.mu.RUnlock()
	return st
}

// statesLocked returns the ledger state of each of ids (at most 3, nil
// entries for ids without any) and whether any of them was erased; the
// ledger's read lock is held. With verdictOf it is the one consent
// decision of the package: the Router, Permits and ConsentModeFor all
// decide through it.
func (l *Ledger) statesLocked(ids []string) (sts states, erased bool) {
	for i, id := range ids[:min(len(ids), len(sts))] {
		erased = erased || l.isErased(id)
		sts[i] = l.subjects[id]
	}
	return sts, erased
}

// permitsLocked reports whether purpose p is permitted at t (Unix ns) for
// the identifiers whose states are sts, as the Router decides it for a
// destination of purpose p; the ledger's read lock is held.
func permitsLocked(sts *states, erased bool, p Purpose, t int64) bool {
	return !erased && verdictOf(sts, p, p.builtin(), t, false) == permitted
}

// evaluate decides one destination; the ledger's read lock is held.
func evaluate(st *states, d *dest, cat connected.Category, t int64, release bool) decision {
	if d.adtech && sensitive(cat) {
		if cat == connected.CategoryHealth {
			return decision{ReasonHealthToAdTech, d.Purpose}
		}
		return decision{ReasonSensitiveToAdTech, d.Purpose}
	}
	if catBit(cat)&d.cats == 0 {
		return decision{ReasonCategory, d.Purpose}
	}
	if v := verdictOf(st, d.Purpose, d.pidx, t, release); v != permitted {
		return decision{reasonOf(v), d.Purpose}
	}
	extra := requiredPurpose(cat)
	if extra == "" {
		return decision{}
	}
	if extra != d.Purpose {
		if v := verdictOf(st, extra, extra.builtin(), t, release); v != permitted {
			return decision{reasonOf(v), extra}
		}
	}
	return decision{}
}

// verdictOf checks purpose p at t over the histories of every identifier
// of the record, as if they were one: the decision in force at t is the
// latest fact effective at or before t in any of them, the latest decision
// the latest fact of all, a denial winning a tie. See history.check for
// the rules applied to them.
func verdictOf(st *states, p Purpose, idx int, t int64, release bool) verdict {
	var in, last pick
	for _, s := range st {
		if s == nil {
			continue
		}
		h := s.history(p, idx)
		if h == nil {
			continue
		}
		if i := h.find(t); i >= 0 {
			in.offer(h.at[i], h.facts[i].Granted)
		}
		if i := h.latest(); i >= 0 {
			last.offer(h.at[i], h.facts[i].Granted)
		}
	}
	return decideVerdict(in, last, release)
}

// act carries out one destination's decision.
func (rt *Router) act(ctx context.Context, d *dest, r *connected.Record, subject string, st *subjectState, dc decision, clk *clock) error {
	if dc.reason == 0 {
		return rt.send(ctx, d, r, &d.c.delivered)
	}
	d.c.refusals[dc.reason].Add(1)
	action := d.OnRefusal
	switch {
	case !dc.reason.consent(),
		action == Strip && dc.missing != d.Purpose,
		action == Hold && dc.reason != ReasonNoConsent:
		action = Drop
	}
	switch action {
	case Strip:
		s, ok := strip(r)
		if !ok {
			rt.drop(d, r, subject, st, dc.missing, ReasonStripUnsupported, clk.now())
			return nil
		}
		rt.note(d, r, subject, st, dc.missing, dc.reason, Strip, clk.now())
		return rt.send(ctx, d, s, &d.c.stripped)
	case Hold:
		now := clk.now()
		if reason := rt.hold(d, r, subject, dc.missing, now); reason != 0 {
			rt.drop(d, r, subject, st, dc.missing, reason, now)
			return nil
		}
		rt.note(d, r, subject, st, dc.missing, dc.reason, Hold, now)
		return nil
	}
	rt.drop(d, r, subject, st, dc.missing, dc.reason, clk.now())
	return nil
}

// send hands r to the destination and counts the outcome.
func (rt *Router) send(ctx context.Context, d *dest, r *connected.Record, ok *atomic.Uint64) error {
	if err := d.Handler.Handle(ctx, r); err != nil {
		d.c.errors.Add(1)
		return &DeliveryError{Destination: d.Name, MessageID: r.ID, Err: err}
	}
	ok.Add(1)
	return nil
}

func (rt *Router) drop(d *dest, r *connected.Record, subject string, st *subjectState, p Purpose, reason Reason, now time.Time) {
	d.c.dropped[reason].Add(1)
	rt.note(d, r, subject, st, p, reason, Drop, now)
}

// note writes an audit entry.
func (rt *Router) note(d *dest, r *connected.Record, subject string, st *subjectState, p Purpose, reason Reason, a Action, now time.Time) {
	rt.audit.add(AuditEntry{
		Time: now, EventTime: r.Time, MessageID: r.ID, Destination: d.Name, Purpose: p,
		Category: r.Category, Reason: reason, Action: a, Subject: rt.tags.tag(subject, st),
	})
}

// expired reports whether r is a record older than the biometric
// retention at now. Only biometric records expire.
func (rt *Router) expired(r *connected.Record, now time.Time) bool {
	return r.Category == connected.CategoryBiometric && r.Time.Add(rt.cfg.bioTTL).Before(now)
}

// clock reads the router's notion of now at most once per record.
type clock struct {
	rt    *Router
	event time.Time
	t     time.Time
	set   bool
}

func (c *clock) now() time.Time {
	if !c.set {
		c.t, c.set = c.rt.nowAt(), true
	}
	return c.t
}

// nowAt is the router's now: the clock, or the latest event time seen.
func (rt *Router) nowAt() time.Time {
	if rt.cfg.eventClock {
		return time.Unix(0, rt.lastEvent.Load()).UTC()
	}
	return rt.cfg.clock()
}

// observe advances the event-time clock.
func (rt *Router) observe(t time.Time) {
	n := t.UnixNano()
	for {
		cur := rt.lastEvent.Load()
		if n <= cur || rt.lastEvent.CompareAndSwap(cur, n) {
			return
		}
	}
}

func join(errs, err error) error {
	if err == nil {
		return errs
	}
	if errs == nil {
		return err
	}
	return errors.Join(errs, err)
}

// Stats returns a snapshot of every destination's counters, in the order
// the destinations were given.
func (rt *Router) Stats() []DestinationStats {
	out := make([]DestinationStats, len(rt.dests))
	rt.hmu.Lock()
	defer rt.hmu.Unlock()
	for i, d := range rt.dests {
		out[i] = d.c.snapshot(d.Name, holdLen(d))
	}
	return out
}

func holdLen(d *dest) int {
	if d.hold == nil {
		return 0
	}
	return d.hold.Len()
}

// Audit returns the audit entries kept in memory, oldest first (see
// WithAuditCapacity).
func (rt *Router) Audit() []AuditEntry {
	e, _ := rt.audit.entries()
	return e
}
