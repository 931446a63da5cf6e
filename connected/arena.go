package connected

// The Client's records and their bytes come from slabs: a slab of Records
// and a chunk of bytes are allocated once for many events and handed out
// piece by piece, so emitting an event allocates nothing in steady state
// (amortised, well under one allocation per event). A slab lives as long
// as any record carved from it is referenced, so a record kept for a long
// time keeps its neighbours' memory too: at most one slab and one chunk per
// kept record, bounded by the sizes below.
//
// The encoder writes an event's JSON straight into the free part of the
// chunk (room), and the Client then takes those bytes (claim): no scratch
// buffer and no copy. An event too large for the room is encoded into a
// buffer of its own, which becomes its payload or is copied into a fresh
// chunk.
//
// Slabs are per goroutine at a time: the Client keeps them in a sync.Pool,
// takes one for an event and puts it back, so concurrent callers never
// share one and no lock is needed.

const (
	slabRecords = 136      // Records per slab: 136 of 200 bytes fill the allocator's 27,264-byte size class (128 left 6% of it unused)
	chunkBytes  = 64 << 10 // bytes per chunk
	chunkMax    = 4 << 10  // larger strings (bytes) get an allocation of their own
)

type arena struct {
	recs []Record
	buf  []byte // the chunk's free part
	last int    // bytes the last event took (payload and its tail), at most chunkBytes/2
}

// record returns a zeroed Record from the slab.
func (a *arena) record() *Record {
	if len(a.recs) == 0 {
		a.recs = make([]Record, slabRecords)
	}
	r := &a.recs[0]
	a.recs = a.recs[1:]
	return r
}

// bytes returns n bytes, with capacity n, from the chunk.
func (a *arena) bytes(n int) []byte {
	if n > chunkMax {
		return make([]byte, n)
	}
	if len(a.buf) < n {
		a.buf = make([]byte, chunkBytes)
	}
	b := a.buf[:n:n]
	a.buf = a.buf[n:]
	return b
}

// room returns the chunk's free part, empty, to encode an event into: at
// least a quarter more than the last event took (and 512 bytes), so that
// a run of events of about one size each fits, and little of a chunk is
// left unused. Nothing is taken until claim.
func (a *arena) room() []byte {
	if len(a.buf) < max(512, a.last+a.last/4) {
		a.buf = make([]byte, chunkBytes)
	}
	return a.buf[:0]
}

// claim takes out (an event encoded into room()[:0], n bytes) plus tail
// more bytes after it, and returns those n+tail bytes with capacity
// n+tail. When out outgrew the room (append moved it), out is copied into
// a fresh chunk, or kept as its own allocation when it is large.
func (a *arena) claim(out []byte, tail int) []byte {
	n := len(out)
	total := n + tail
	a.last = min(total, chunkBytes/2)
	if n > 0 && len(a.buf) >= total && &out[0] == &a.buf[:1][0] {
		b := a.buf[:total:total]
		a.buf = a.buf[total:]
		return b
	}
	if total > chunkBytes/2 {
		if cap(out) >= total {
			return out[:total:total]
		}
		b := make([]byte, total)
		copy(b, out)
		return b
	}
	a.buf = make([]byte, chunkBytes)
	b := a.buf[:total:total]
	a.buf = a.buf[total:]
	copy(b, out)
	return b
}
