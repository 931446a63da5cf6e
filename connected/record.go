package connected

import (
	"time"
	"unsafe"
)

// Record is an event encoded once, at emit time: its Segment JSON Payload and
// the few fields transports need without decoding it. Everything downstream
// of the Client (middleware, batching, spooling, HTTP, Kafka) moves records
// and frames their bytes; nobody re-marshals.
//
// A Record is immutable once handed to a Handler, Payload included.
type Record struct {
	// ID is the event's messageId: the dedupe key everywhere (Segment,
	// CloudEvents id, JetStream Nats-Msg-Id, a Kafka header).
	ID string
	// Type is the Segment call type.
	Type Type
	// Time is the event's originalTimestamp: its instant, in time.Local
	// when the event's time was local, else in UTC (a Record keeps no
	// *time.Location of the caller's).
	Time time.Time
	// Category is the data category (never empty on records from a Client).
	Category Category
	// PartitionKey is a hex-encoded hash of the event's identity (userId, else
	// anonymousId), or of ProfileID once identity middleware has stitched it.
	// Events of one customer share it; it never holds a plaintext identifier.
	PartitionKey string
	// ProfileID is the canonical profile id set by identity middleware; empty
	// until then.
	ProfileID string
	// UserID and AnonymousID are the event's userId and anonymousId, for
	// routing and consent decisions that must not decode Payload.
	UserID, AnonymousID string
	// Payload is the Segment-spec JSON of the event (one message object).
	Payload []byte
	// Event is the validated event that Payload encodes, for middleware that
	// needs its other fields; it must not be modified. It is nil for records
	// rebuilt from bytes alone (a spool replay, say), and for records a Client
	// emits straight into a PayloadOnly sink (a transport.Batcher with no
	// middleware before it), so that a queued record does not keep the
	// event's maps alive: code that may see such records checks for nil.
	Event *Event

	// enc says where the encoder put Payload's top-level time keys, so that
	// batch framing need not scan the payload. It is trusted only while
	// Payload is still the slice the encoder wrote (same first byte and
	// length): a copy of the Record with another Payload is scanned.
	enc encMark
	// keys is the partition keyer of the Client that emitted the record
	// (nil for records built or decoded elsewhere): PartitionKeyFor.
	keys *keyer
}

// PartitionKeyFor returns the partition key of identity as the Client
// that emitted r computes its keys: keyed with that Client's
// WithPartitionKeySecret, which is thus configured once. Middleware that
// re-partitions a record (identity stitching keys it by the canonical
// profile id) uses it instead of being given the secret again. Copies of
// r answer the same. For a record no Client emitted (built by hand,
// rebuilt from bytes), it is PartitionKey(nil, identity): unkeyed.
func (r *Record) PartitionKeyFor(identity string) string {
	if r.keys == nil {
		return unkeyed().key(identity)
	}
	return r.keys.key(identity)
}

// encMark is what the Client's encoder knows about the payload it wrote.
type encMark struct {
	p  *byte // unsafe.SliceData(Payload) when marked; nil otherwise
	n  int32 // len(Payload) when marked
	ot int32 // offset of the "originalTimestamp" key's opening quote
	ts int32 // offset of the "timestamp" key's opening quote, or -1
}

// mark records the key offsets of the payload just encoded into r.Payload.
func (r *Record) mark(ot, ts int) {
	r.enc = encMark{p: unsafe.SliceData(r.Payload), n: int32(len(r.Payload)), ot: int32(ot), ts: int32(ts)}
}

// marked returns the payload's top-level keys as the encoder wrote them,
// when r.Payload is still the encoder's bytes.
func (r *Record) marked() (topKeys, bool) {
	m := &r.enc
	if m.p == nil || m.p != unsafe.SliceData(r.Payload) || int(m.n) != len(r.Payload) {
		return topKeys{}, false
	}
	return topKeys{originalTimestamp: int(m.ot), timestamp: int(m.ts), sentAt: -1, channel: -1}, true
}

// Marks returns where the payload's top-level "originalTimestamp" and
// "timestamp" keys start (the offset of the key's opening quote, -1 for a
// key the payload does not have), and ok true, while r.Payload is the
// bytes a Client's encoder wrote (ok false, -1 and -1, otherwise). The
// batch framers (AppendSegmentBatch, AppendRudderStackBatch) use them
// instead of scanning the payload. A transport that stores records and
// reads them back keeps the marks with the payload and restores them with
// SetMarks, as the spool does.
func (r *Record) Marks() (originalTimestamp, timestamp int, ok bool) {
	k, ok := r.marked()
	if !ok {
		return -1, -1, false
	}
	return k.originalTimestamp, k.timestamp, true
}

// SetMarks restores, on a record rebuilt from stored bytes, the marks that
// Marks returned for the same payload bytes. Marks say that the payload is
// as a Client encoded it (a JSON object without a top-level sentAt or
// channel of its own), which the framers then trust without a scan: only
// a transport that kept the payload intact restores them (the spool checks
// each frame's CRC). SetMarks checks that the payload is an object and
// that each offset holds its key, after a '{' or ',' and before a ':';
// when not, it marks nothing and returns false, and the framers scan the
// payload as they do for any record. It cannot tell a top-level key from
// a nested one without the scan it saves: give it only what Marks
// returned.
func (r *Record) SetMarks(originalTimestamp, timestamp int) bool {
	p := r.Payload
	if len(p) < 2 || len(p) > maxMarkedPayload || p[0] != '{' || p[len(p)-1] != '}' ||
		originalTimestamp >= 0 && originalTimestamp == timestamp ||
		!keyAt(p, originalTimestamp, `"originalTimestamp"`) || !keyAt(p, timestamp, `"timestamp"`) {
		return false
	}
	r.mark(originalTimestamp, timestamp)
	return true
}

// maxMarkedPayload is the largest payload marks can describe (offsets are
// int32).
const maxMarkedPayload = 1<<31 - 1

// keyAt reports whether the quoted key starts at off in the object p as a
// member's key (after '{' or ',', before ':'), or off is -1 (no such key).
func keyAt(p []byte, off int, quoted string) bool {
	if off == -1 {
		return true
	}
	end := off + len(quoted)
	return off >= 1 && end < len(p) && (p[off-1] == '{' || p[off-1] == ',') &&
		string(p[off:end]) == quoted && p[end] == ':'
}

// Size returns the encoded size of the record in bytes.
func (r *Record) Size() int { return len(r.Payload) }
