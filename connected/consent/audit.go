package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// SubjectTag is a keyed hash of a subject id: the first 16 bytes of
// HMAC-SHA256(audit key, id). It lets an auditor find every refusal for one
// subject (by computing the tag with the same key) without the trail ever
// holding the id. The zero SubjectTag stands for "no subject".
type SubjectTag [16]byte

// String returns the tag as 32 hex characters.
func (t SubjectTag) String() string { return hex.EncodeToString(t[:]) }

// AuditEntry records one refusal at one destination. It holds no plaintext
// identifier: the subject appears only as a keyed hash.
type AuditEntry struct {
	// Time is when the router decided, by its clock.
	Time time.Time
	// EventTime is the record's event time.
	EventTime time.Time
	// MessageID is the record's messageId.
	MessageID   string
	Destination string
	// Purpose is the purpose whose consent was missing (the destination's
	// or the one the data category needs), or the destination's purpose for
	// the other reasons.
	Purpose  Purpose
	Category connected.Category
	// Reason is why the record was not passed on unchanged at this step:
	// the consent reason for Strip and Hold, the drop reason for Drop.
	Reason Reason
	// Action is what happened to the record.
	Action Action
	// Subject is the keyed hash of the subject id.
	Subject SubjectTag
}

// auditLog is a fixed-size ring of entries plus an optional sink.
type auditLog struct {
	mu    sync.Mutex
	ring  []AuditEntry
	next  int
	total uint64
	sink  func(AuditEntry)
}

func newAuditLog(capacity int, sink func(AuditEntry)) *auditLog {
	return &auditLog{ring: make([]AuditEntry, 0, capacity), sink: sink}
}

func (a *auditLog) add(e AuditEntry) {
	a.mu.Lock()
	if len(a.ring) < cap(a.ring) {
		a.ring = append(a.ring, e)
	} else if cap(a.ring) > 0 {
		a.ring[a.next] = e
		a.next = (a.next + 1) % cap(a.ring)
	}
	a.total++
	a.mu.Unlock()
	if a.sink != nil {
		a.sink(e)
	}
}

// entries returns the kept entries, oldest first, and the number ever added.
func (a *auditLog) entries() ([]AuditEntry, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]AuditEntry, 0, len(a.ring))
	out = append(out, a.ring[a.next:]...)
	out = append(out, a.ring[:a.next]...)
	return out, a.total
}

// tagger computes subject tags with the audit key, caching each subject's
// tag in its ledger state so that a refusal costs no hashing in steady state.
type tagger struct {
	macs sync.Pool // of *macBuf
}

type macBuf struct {
	h   hash.Hash
	in  []byte // the subject, copied: converting it would allocate
	sum [sha256.Size]byte
}

// subjectTag is a tag cached in a subjectState, with the tagger that made it.
type subjectTag struct {
	by  *tagger
	tag SubjectTag
}

func newTagger(key []byte) *tagger {
	k := append([]byte(nil), key...)
	t := &tagger{}
	t.macs.New = func() any { return &macBuf{h: hmac.New(sha256.New, k)} }
	return t
}

// tag returns the subject's tag, using and filling st's cache when st is
// not nil.
func (t *tagger) tag(subject string, st *subjectState) SubjectTag {
	if subject == "" {
		return SubjectTag{}
	}
	if st != nil {
		if c := st.tag.Load(); c != nil && c.by == t {
			return c.tag
		}
	}
	m := t.macs.Get().(*macBuf)
	m.h.Reset()
	m.in = append(m.in[:0], subject...)
	m.h.Write(m.in)
	var out SubjectTag
	copy(out[:], m.h.Sum(m.sum[:0]))
	t.macs.Put(m)
	if st != nil {
		st.tag.Store(&subjectTag{by: t, tag: out})
	}
	return out
}

// Tag returns the audit tag for subject under key, as AuditEntry.Subject
// holds it: auditors use it to find a subject's entries.
func Tag(key []byte, subject string) SubjectTag {
	if subject == "" {
		return SubjectTag{}
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(subject))
	var out SubjectTag
	copy(out[:], m.Sum(nil))
	return out
}
