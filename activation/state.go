package activation

import (
	"slices"
	"strings"
)

// slotVal is one extracted value of a fact.
type slotVal struct {
	path uint16
	v    Value
}

// fact is one event of an identifier, reduced to what the definitions
// read: its time, id, name, the purposes in force when it was collected,
// and the values of the paths referenced.
type fact struct {
	t    int64 // event time, Unix ms
	id   string
	ev   uint16
	purp Purposes
	vals []slotVal
}

func (f *fact) get(path uint16) Value {
	for i := range f.vals {
		if f.vals[i].path == path {
			return f.vals[i].v
		}
	}
	return Value{}
}

func (f *fact) matches(ps []pred) bool {
	for i := range ps {
		p := &ps[i]
		if !compare(p.op, f.get(p.path), p.val, p.list) {
			return false
		}
	}
	return true
}

// traitFact is one identify trait of an identifier, with provenance.
type traitFact struct {
	key  string
	v    Value
	t    int64
	id   string
	purp Purposes
}

// ident is one identifier (by key, never its value) and the facts
// collected under it: the unit that moves between profiles when identity
// merges or splits them.
type ident struct {
	key    string
	prof   int32
	facts  []fact // sorted by (t, id)
	traits []traitFact
}

// insert adds f in order; false if a fact with its id and time is there.
func (d *ident) insert(f fact) bool {
	i, found := slices.BinarySearchFunc(d.facts, f, func(a, b fact) int {
		if a.t != b.t {
			if a.t < b.t {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	if found {
		return false
	}
	d.facts = slices.Insert(d.facts, i, f)
	return true
}

// setTrait keeps the newest value of each identify trait.
func (d *ident) setTrait(tf traitFact) {
	for i := range d.traits {
		if d.traits[i].key == tf.key {
			if tf.t > d.traits[i].t || tf.t == d.traits[i].t && tf.id >= d.traits[i].id {
				d.traits[i] = tf
			}
			return
		}
	}
	d.traits = append(d.traits, tf)
}

// jstate is a profile's history in one journey (by key, so it survives a
// reload): when it fired and which instances it entered.
type jstate struct {
	key     string
	fires   []int64
	entries []entry
}

type entry struct {
	key string
	t   int64
}

// profile is one canonical profile: its identifiers and announced state.
type profile struct {
	id     string
	self   int32 // the identifier "profile:<id>" for inputs without identities, -1: none yet
	idents []int32
	clock  int64    // latest event time seen (or watermark applied)
	member []string // audiences announced as entered, sorted keys
	due    int64    // next audience re-evaluation (a window expiry), 0: none
	js     []jstate
}

func (p *profile) isMember(key string) bool {
	_, ok := slices.BinarySearch(p.member, key)
	return ok
}

func (p *profile) setMember(key string, in bool) {
	i, ok := slices.BinarySearch(p.member, key)
	switch {
	case in && !ok:
		p.member = slices.Insert(p.member, i, key)
	case !in && ok:
		p.member = slices.Delete(p.member, i, i+1)
	}
}

func (p *profile) journey(key string) *jstate {
	for i := range p.js {
		if p.js[i].key == key {
			return &p.js[i]
		}
	}
	p.js = append(p.js, jstate{key: key})
	return &p.js[len(p.js)-1]
}

// pending is a journey action waiting for its time.
type pending struct {
	due      int64
	prof     int32
	journey  string
	actionID string
	trigT    int64
	trigID   string
	relID    string
	props    []propVal
	userID   string
	anonID   string
	reason   string
}

type propVal struct {
	key string
	v   Value
}

// timer is a profile's audience re-evaluation at due (lazy: stale entries
// are skipped by comparing with profile.due).
type timer struct {
	due  int64
	prof int32
}
