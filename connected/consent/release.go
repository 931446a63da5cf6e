package consent

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// hold puts r on d's hold. It returns 0, or the reason it could not:
// ReasonHoldFull, or ReasonShutdown after Shutdown.
func (rt *Router) hold(d *dest, r *connected.Record, subject string, p Purpose, now time.Time) Reason {
	rt.hmu.Lock()
	defer rt.hmu.Unlock()
	if rt.closed.Load() {
		return ReasonShutdown
	}
	deadline := now.Add(d.Hold.MaxAge)
	if err := d.hold.Push(Held{Record: r, Subject: subject, Purpose: p, HeldAt: now, Deadline: deadline}); err != nil {
		if !errors.Is(err, ErrHoldFull) && rt.cfg.onError != nil {
			rt.cfg.onError(err)
		}
		return ReasonHoldFull
	}
	d.c.held.Add(1)
	ids, n := idsOf(r)
	for _, id := range ids[:n] {
		rt.heldBy[id]++
	}
	rt.holding.Add(1)
	if dl := deadline.UnixNano(); dl < rt.deadline.Load() {
		rt.deadline.Store(dl)
	}
	return 0
}

// onChange releases a subject's held records when its consent changes.
func (rt *Router) onChange(ctx context.Context, c Change) {
	if rt.holding.Load() == 0 || rt.closed.Load() {
		return
	}
	if err := rt.release(ctx, c.Subject, false, rt.nowAt()); err != nil && rt.cfg.onError != nil {
		rt.cfg.onError(err)
	}
}

// outcome is what release decided for one held record.
type outcome struct {
	d  *dest
	h  Held
	dc decision
}

// release re-decides the held records of subject (of everyone when all is
// set), passing on those whose consent arrived, dropping those refused for
// good, and dropping every record past its deadline. Records go out in the
// order they were held, under hmu.
func (rt *Router) release(ctx context.Context, subject string, all bool, now time.Time) error {
	rt.hmu.Lock()
	defer rt.hmu.Unlock()
	nowNs := now.UnixNano()
	if !all && nowNs < rt.deadline.Load() && rt.heldBy[subject] == 0 {
		return nil
	}
	var out []outcome
	next := int64(math.MaxInt64)
	var one [1]decision
	for _, d := range rt.dests {
		if d.hold == nil {
			continue
		}
		single := rt.only(d)
		d.hold.Filter(func(h *Held) bool {
			if h.Deadline.UnixNano() <= nowNs {
				out = append(out, outcome{d, *h, decision{ReasonHoldExpired, h.Purpose}})
				return false
			}
			if rt.expired(h.Record, now) {
				out = append(out, outcome{d, *h, decision{ReasonExpired, h.Purpose}})
				return false
			}
			if all || holds(h.Record, subject) {
				single.decide(h.Record, h.Subject, true, one[:])
				if one[0].reason != ReasonNoConsent {
					out = append(out, outcome{d, *h, one[0]})
					return false
				}
			}
			next = min(next, h.Deadline.UnixNano())
			return true
		})
	}
	rt.deadline.Store(next)
	for _, o := range out {
		ids, n := idsOf(o.h.Record)
		for _, id := range ids[:n] {
			if rt.heldBy[id]--; rt.heldBy[id] <= 0 {
				delete(rt.heldBy, id)
			}
		}
		rt.holding.Add(-1)
	}
	var errs error
	for _, o := range out {
		if o.dc.reason == 0 {
			if err := rt.send(ctx, o.d, o.h.Record, &o.d.c.delivered); err != nil {
				errs = join(errs, err)
				continue
			}
			o.d.c.released.Add(1)
			continue
		}
		rt.drop(o.d, o.h.Record, o.h.Subject, nil, o.dc.missing, o.dc.reason, now)
	}
	return errs
}

// holds reports whether id is one of the record's identifiers: a consent
// change for any of them may release it.
func holds(r *connected.Record, id string) bool {
	return id == r.ProfileID || id == r.UserID || id == r.AnonymousID
}

// only returns a view of rt deciding for d alone.
func (rt *Router) only(d *dest) *Router {
	return &Router{ledger: rt.ledger, dests: []*dest{d}}
}

// Sweep re-decides every held record at time now: records whose consent
// has arrived are passed on, records refused for good or past their
// deadline are dropped. Handle and ledger changes do this for the subjects
// they touch; call Sweep periodically (from a goroutine you own) if
// deadlines must be enforced while no records arrive. It returns the
// destinations' errors joined.
func (rt *Router) Sweep(ctx context.Context, now time.Time) error {
	if rt.holding.Load() == 0 {
		return nil
	}
	return rt.release(ctx, "", true, now)
}

// Flush flushes every destination handler that implements
// connected.Flusher (a Router made by a Gate's middleware does not own its
// handler and flushes nothing). Held records stay held.
func (rt *Router) Flush(ctx context.Context) error {
	if !rt.owns {
		return nil
	}
	var errs error
	for _, d := range rt.dests {
		if f, ok := d.Handler.(connected.Flusher); ok {
			if err := f.Flush(ctx); err != nil {
				errs = join(errs, &DeliveryError{Destination: d.Name, Err: err})
			}
		}
	}
	return errs
}

// Shutdown stops the Router: later Handle calls return ErrClosed, it stops
// listening to the ledger, drops every held record (ReasonShutdown,
// counted and audited) and, when the Router owns its destinations (made by
// NewRouter), shuts down each handler that implements connected.Shutdowner,
// bounded by ctx. It returns a *DiscardedError if held records were
// dropped, joined with the handlers' errors. It is idempotent.
func (rt *Router) Shutdown(ctx context.Context) error {
	var errs error
	if !rt.closed.Swap(true) {
		if rt.cancel != nil {
			rt.cancel()
		}
		if n := rt.discard(); n > 0 {
			errs = &DiscardedError{Records: n}
		}
	}
	if rt.owns {
		for _, d := range rt.dests {
			if s, ok := d.Handler.(connected.Shutdowner); ok {
				if err := s.Shutdown(ctx); err != nil {
					errs = join(errs, &DeliveryError{Destination: d.Name, Err: err})
				}
			}
		}
	}
	return errs
}

// discard drops every held record.
func (rt *Router) discard() int {
	rt.hmu.Lock()
	defer rt.hmu.Unlock()
	now := rt.nowAt()
	n := 0
	for _, d := range rt.dests {
		if d.hold == nil {
			continue
		}
		d.hold.Filter(func(h *Held) bool {
			rt.drop(d, h.Record, h.Subject, nil, h.Purpose, ReasonShutdown, now)
			n++
			return false
		})
	}
	clear(rt.heldBy)
	rt.holding.Store(0)
	rt.deadline.Store(math.MaxInt64)
	return n
}
