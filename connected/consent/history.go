package consent

import "sort"

// history is the facts of one (subject, purpose), ordered by effective
// time. Among facts effective at the same instant grants come before
// denials, so that when two decisions tie, the denial is the one in force.
// at mirrors facts' Effective times as Unix nanoseconds for a search that
// neither allocates nor compares time.Time values.
type history struct {
	at    []int64
	facts []Fact
}

// find returns the index of the fact in force at t (the last one effective
// at or before t), or -1 if there is none.
func (h *history) find(t int64) int {
	// Binary search by hand: sort.Search's closure would cost a call per
	// step on the gate's hot path.
	lo, hi := 0, len(h.at)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h.at[m] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// latest returns the index of the latest fact, or -1.
func (h *history) latest() int { return len(h.facts) - 1 }

// has reports whether a fact identical to f is in h.
func (h *history) has(f *Fact) bool {
	t := f.Effective.UnixNano()
	i := h.find(t)
	for ; i >= 0 && h.at[i] == t; i-- {
		if sameFact(&h.facts[i], f) {
			return true
		}
	}
	return false
}

// insert adds f in order and reports whether it was new (an identical fact
// is not stored twice). When limit > 0 the oldest facts beyond it are
// dropped.
func (h *history) insert(f Fact, limit int) bool {
	t := f.Effective.UnixNano()
	i := sort.Search(len(h.at), func(i int) bool {
		if h.at[i] != t {
			return h.at[i] > t
		}
		// Same instant: grants first, then denials.
		return !h.facts[i].Granted && f.Granted
	})
	for j := i - 1; j >= 0 && h.at[j] == t; j-- {
		if sameFact(&h.facts[j], &f) {
			return false
		}
	}
	for j := i; j < len(h.at) && h.at[j] == t; j++ {
		if sameFact(&h.facts[j], &f) {
			return false
		}
	}
	h.at = append(h.at, 0)
	copy(h.at[i+1:], h.at[i:])
	h.at[i] = t
	h.facts = append(h.facts, Fact{})
	copy(h.facts[i+1:], h.facts[i:])
	h.facts[i] = f
	if limit > 0 && len(h.facts) > limit {
		n := len(h.facts) - limit
		h.at = append(h.at[:0], h.at[n:]...)
		copy(h.facts, h.facts[n:])
		clear(h.facts[limit:])
		h.facts = h.facts[:limit]
	}
	return true
}

func sameFact(a, b *Fact) bool {
	return a.Granted == b.Granted && a.Effective.Equal(b.Effective) && a.Source == b.Source &&
		a.Document == b.Document && a.Jurisdiction == b.Jurisdiction
}

// verdict is the outcome of checking one purpose.
type verdict uint8

const (
	permitted verdict = iota
	noConsent         // nothing in force at the event's time
	denied            // a denial in force at the event's time
	revoked           // granted at the event's time, withdrawn since
)

// pick keeps the latest of the facts offered to it; at the same instant a
// denial beats a grant.
type pick struct {
	ok      bool
	at      int64
	granted bool
}

func (p *pick) offer(at int64, granted bool) {
	if !p.ok || at > p.at || at == p.at && !granted {
		*p = pick{ok: true, at: at, granted: granted}
	}
}

// decideVerdict decides from the decision in force at the event's time (in)
// and the latest decision (last). Normally the decision in force must be a
// grant, and the latest decision too (a revocation stops even
// late-arriving older events: withdrawal takes effect for the very next
// event processed). For releasing held events (release = true) "nothing in
// force at the event's time" is acceptable once the latest decision is a
// grant: that is consent arriving after the event.
func decideVerdict(in, last pick, release bool) verdict {
	switch {
	case in.ok && !in.granted:
		return denied
	case !in.ok && !release:
		return noConsent
	}
	switch {
	case !last.ok:
		return noConsent
	case last.granted:
		return permitted
	case in.ok:
		return revoked
	}
	return denied
}
