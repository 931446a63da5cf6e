package spool

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// segment is one segment file's bookkeeping. Guarded by Spool.mu.
type segment struct {
	seq      uint64
	size     int64 // bytes in the file, header included
	records  int   // record frames in it (after the acknowledged position)
	acked    int   // of those, acknowledged or counted lost
	ackOff   int64 // offset after the last acknowledged frame
	firstSeq uint64
	tomb     bool     // a tombstone: no frames
	v1       bool     // a version-1 segment (recovered from an old spool)
	frameVer byte     // the highest version of its record frames after ackOff (0: none)
	skips    []region // damage recovery counted already: the drain skips it
}

// maxSegSeq bounds segment sequence numbers: a file named beyond it is not
// ours, and the next number can never wrap.
const maxSegSeq = 1 << 62

func segName(seq uint64) string { return fmt.Sprintf("%020d.seg", seq) }

// parseSegName accepts exactly the names segName writes for numbers 1 to
// maxSegSeq.
func parseSegName(name string) (uint64, bool) {
	s, ok := strings.CutSuffix(name, ".seg")
	if !ok || len(s) != 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (maxSegSeq-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n >= 1
}

// isSegLike reports a name that looks meant as a segment.
func isSegLike(name string) bool { return strings.HasSuffix(name, ".seg") }

// batchRead is one read of the drain: records, or a damaged region skipped.
type batchRead struct {
	recs    []*connected.Record
	end     int64  // offset after what was read
	lastSeq uint64 // sequence number of the last record, 0 if none or unknown
	// A damaged region at the read position, skipped:
	damage   *FormatError
	counted  bool   // recovery counted it already
	estimate int    // records it held, as far as its markers tell
	nextSeq  uint64 // sequence number of the record after it, 0 if unknown
}

// readBuf is the memory a batch read from disk is decoded into: the bytes
// read and the records that alias them. The drain hands a readBuf back for
// a later read once its batch is acknowledged and no record of it can have
// been kept (the next Sender is a transport.Borrower and no record went to a
// callback); otherwise it is left to the garbage collector. Reusing it saves
// allocating, zeroing and page-faulting about a megabyte per batch.
type readBuf struct {
	b    []byte
	slab []connected.Record
	hot  *[]byte // cached frames the records alias instead of b, or nil (hot.go)
}

// bytes returns a buffer of n bytes, rb's own when it is large enough.
func (rb *readBuf) bytes(n int64) []byte {
	if rb == nil {
		return make([]byte, n)
	}
	if int64(cap(rb.b)) < n {
		rb.b = make([]byte, n)
	}
	return rb.b[:n]
}

// records returns an empty slab of capacity n, rb's own when large enough.
func (rb *readBuf) records(n int) []connected.Record {
	if rb == nil {
		return make([]connected.Record, 0, n)
	}
	if cap(rb.slab) < n {
		rb.slab = make([]connected.Record, 0, n)
	}
	return rb.slab[:0]
}

// readBatch reads up to maxEvents records holding at most maxBytes of
// payload (at least one record) from f, starting at off and not past limit,
// reading about hint bytes (0: enough for the largest batch the bounds
// allow; a batch that does not fit is cut short, the rest is read next).
// The records alias rb's memory (fresh memory when rb is nil). At damage it
// stops; a read that starts at damage skips it (to the next frame that
// checks) and reports it instead. Only an I/O error is returned as an error.
func readBatch(f File, sg *segment, off, limit int64, maxEvents, maxBytes int, hint int64, rb *readBuf) (batchRead, error) {
	name := segName(sg.seq)
	if off >= limit {
		return batchRead{end: off}, nil
	}
	for _, rg := range sg.skips {
		if off >= rg.start && off < rg.end {
			return batchRead{end: rg.end, counted: true}, nil
		}
	}
	stop := limit // the next known damage
	for _, rg := range sg.skips {
		if rg.start > off && rg.start < stop {
			stop = rg.start
		}
	}
	want := int64(maxBytes) + int64(maxEvents)*192 + 4096
	if hint > 0 {
		want = min(want, hint)
	}
	want = min(stop-off, want)
	for {
		buf := rb.bytes(want)
		k, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return batchRead{end: off}, fmt.Errorf("spool: read %s: %w", name, err)
		}
		clear(buf[k:]) // as fresh memory reads: a reused buffer holds older bytes there
		slab := rb.records(min(maxEvents, 64+len(buf)/128))
		var out batchRead
		used, payload := 0, 0
		for used < len(buf) && len(out.recs) < maxEvents {
			body, fl, err := frameAt(buf[used:], sg.v1)
			if errors.Is(err, ErrTruncated) && used > 0 {
				break
			}
			if errors.Is(err, ErrTruncated) {
				if need := int64(declaredLen(buf, sg.v1)); need > want && off+need <= stop {
					want = need
					break
				}
			}
			var seq uint64
			if err == nil {
				if len(slab) == cap(slab) {
					slab = make([]connected.Record, 0, cap(slab))
				}
				slab = slab[:len(slab)+1]
				slab[len(slab)-1] = connected.Record{} // a reused slab holds an older batch's
				seq, err = decodeBody(body, &slab[len(slab)-1])
				if err != nil {
					slab = slab[:len(slab)-1]
				}
			}
			if err != nil {
				if used > 0 {
					break // deliver what came before; the next read skips the damage
				}
				return skipDamage(f, sg, name, off, limit, err)
			}
			if body[0] == versionFiller {
				slab = slab[:len(slab)-1]
				used += fl
				continue
			}
			r := &slab[len(slab)-1]
			if len(out.recs) > 0 && payload+len(r.Payload) > maxBytes {
				break
			}
			payload += len(r.Payload)
			out.recs = append(out.recs, r)
			out.lastSeq = seq
			used += fl
		}
		if used == 0 && int64(len(buf)) < want {
			continue // grown for a large frame
		}
		out.end = off + int64(used)
		return out, nil
	}
}

// skipDamage finds the next frame that checks after the bad one at off.
func skipDamage(f File, sg *segment, name string, off, limit int64, cause error) (batchRead, error) {
	w := &window{f: f, size: limit}
	next, markers, err := w.resync(off, limit, sg.v1)
	var fe *FormatError
	if err != nil && !errors.As(err, &fe) {
		return batchRead{end: off}, err
	}
	out := batchRead{end: next, estimate: max(markers, 1),
		damage: &FormatError{File: name, Offset: off, Err: cause}}
	if next < limit {
		var scratch connected.Record
		if fi, err := w.check(next, sg.v1, &scratch); err == nil && !fi.filler {
			out.nextSeq = fi.seq
		}
	}
	return out, nil
}
