package connected

// The Client's records and their bytes come from slabs: a slab of Records
// and a chunk of bytes are allocated once for many events and handed out
// piece by piece, so emitting an event allocates nothing in steady state
// (amortised, well under one allocation per event). A slab lives as long
// as any record carved from it is referenced, so a record kept for a long
// time keeps its neighbours' memory too: at most one slab and one chunk per
// kept record, bounded by the sizes below.
//
// Slabs are per goroutine at a time: the Client keeps them in a sync.Pool,
// takes one for an event and puts it back, so concurrent callers never
// share one and no lock is needed.

const (
	slabRecords = 128      // Records per slab
	chunkBytes  = 64 << 10 // bytes per chunk
	chunkMax    = 4 << 10  // larger payloads get an allocation of their own
)

type arena struct {
	recs []Record
	buf  []byte
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
