package identity

import (
	"crypto/sha256"
	"slices"
)

// span is a closed interval of unix milliseconds.
type span struct{ from, to int64 }

// tombstones remember what Erase removed, as keyed hashes only, so that late
// and replayed events cannot bring an erased person back:
//
//   - keys: identifiers that belonged only to the erased person; any event
//     carrying one is suppressed;
//   - facts: identifier sets (a hash over their keys) whose observations
//     were the erased person's, with the time span they covered; a replay of
//     such an event is suppressed, a new observation later is not;
//   - epochs: identifiers kept because they moved to another owner, with
//     the erased owner's ownership period; events carrying them in that
//     period are suppressed.
//
// kept is no tombstone and suppresses nothing: it remembers the keys an
// EraseKeys call was given but kept (shared with others, owned by another),
// with the erasure's time, so that the same erasure delivered again does
// not erase the person such a key belongs to now (span{at, at}).
type tombstones struct {
	keys   map[Key]int64
	facts  map[Key][]span
	epochs map[Key][]span
	kept   map[Key][]span
}

func newTombstones() tombstones {
	return tombstones{keys: make(map[Key]int64), facts: make(map[Key][]span), epochs: make(map[Key][]span), kept: make(map[Key][]span)}
}

func (t *tombstones) empty() bool {
	return len(t.keys) == 0 && len(t.facts) == 0 && len(t.epochs) == 0
}

// factHash hashes a set of keys (sorted here) into a fact tombstone key.
func factHash(keys []Key) Key {
	ks := slices.Clone(keys)
	slices.SortFunc(ks, compareKeys)
	h := sha256.New()
	h.Write([]byte("touchpoint/identity/fact/v1\x00"))
	for _, k := range ks {
		h.Write(k[:])
	}
	var out Key
	copy(out[:], h.Sum(nil))
	return out
}

// suppressed reports why an event with these keys at time t must be
// dropped, or "". keys[:ids] are its identifiers, the rest placeholders:
// a placeholder never suppresses an event by itself (it identifies
// nobody, even if a key tombstone names it: EraseKeys cannot tell a
// placeholder it never saw), but is part of the event's fact hash.
func (t *tombstones) suppressed(keys []Key, ids int, at int64) string {
	if t.empty() {
		return ""
	}
	for _, k := range keys[:ids] {
		if _, ok := t.keys[k]; ok {
			return "erased identifier"
		}
		for _, sp := range t.epochs[k] {
			if at >= sp.from && at <= sp.to {
				return "erased ownership period"
			}
		}
	}
	if len(t.facts) > 0 && len(keys) > 1 {
		for _, sp := range t.facts[factHash(keys)] {
			if at >= sp.from && at <= sp.to {
				return "replay of an erased event"
			}
		}
	}
	return ""
}

func addSpan(m map[Key][]span, k Key, sp span) {
	for _, have := range m[k] {
		if have == sp {
			return
		}
	}
	m[k] = append(m[k], sp)
}
