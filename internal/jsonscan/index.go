package jsonscan

import "slices"

// The structural index: for documents of indexMin bytes or more read by a
// Scanner reset with ResetIndexed, on CPUs with AVX2, Skip and
// Iter.NextKey walk an index of the document's
// structural bytes instead of its bytes (walkIdx). The first stage
// (assembly, index_amd64.s) classifies 64 bytes at a time and writes the
// offsets of every operator outside a string ({ } [ ] : ,), every quote
// and the first byte of every scalar; the second stage checks the grammar
// over those offsets alone, and each scalar where it lies. White space and
// string contents are never visited one byte at a time: the 3.9 KB
// indented Stripe charge validates in a fraction of the scalar loop's time
// (BenchmarkSkip).
//
// The index is only an accelerator: it is built for documents without a
// backslash (so that every quote opens or closes a string) and without a
// control byte inside a string, and the second stage gives up at the first
// thing it does not accept. In each of those cases the scalar loop reads
// the same bytes from the same place, so errors (their offsets and what
// they say) are exactly the scalar loop's. FuzzWalkIndex checks that the
// two agree on every input.

// indexMin is the smallest document the index is built for: below it the
// first stage costs more than it saves. A variable for the tests.
var indexMin = 1024

// stage1 is the first stage's state between blocks. The assembly reads
// and writes its fields at these offsets: keep the order.
type stage1 struct {
	inStr uint64 // all ones when the last block ended inside a string
	//lint:ignore U1000 read and written by the assembly
	scalar uint64 // 1 when the last block ended inside a scalar
	bs     uint64 // nonzero once a backslash was seen
	ctrl   uint64 // nonzero once a control byte was seen inside a string
	//lint:ignore U1000 read and written by the assembly
	base uint64 // offset of the next block
}

// structIndex is a Scanner's index and where its last walk stopped in it.
type structIndex struct {
	state uint8 // ixUnknown, ixReady or ixNone
	ix    []uint32
	cur   int
	// at is the reader's position when a walk or a string read left it
	// in step with cur (ix[cur] the first entry after it, only white
	// space between), -1 when not known: the next walk from there starts
	// at cur without a look at the bytes.
	at int
}

// Index states of a Scanner.
const (
	ixUnknown = iota // not tried yet for this document
	ixReady          // ix holds the index
	ixNone           // no index: the scalar loop reads this document
)

// Indexed reports whether a Scanner reset with ResetIndexed would read a
// document of n bytes through the structural index (this CPU runs the
// first stage, and n is at least indexMin): a decoder that must set up
// something to use the index (pos borrows a pooled decoder) asks first.
func Indexed(n int) bool { return haveIndex && n >= indexMin && uint64(n) < 1<<31 }

// ready reports whether s has its document's index built.
func (s *Scanner) ready() bool { return s.x != nil && s.x.state == ixReady }

// buildIndex appends the structural offsets of b to ix[:0], then len(b)
// as a sentinel. It reports false (the index unusable) for a document
// with a backslash, with a control byte inside a string, or ending inside
// a string.
func buildIndex(b []byte, ix []uint32) ([]uint32, bool) {
	need := len(b) + 64 + 1 // at most one offset per byte, a tail block, the sentinel
	ix = slices.Grow(ix[:0], need)[:need]
	var st stage1
	n := 0
	full := len(b) / 64
	if full > 0 {
		n = firstStage(&b[0], full, &ix[0], &st)
	}
	if rest := b[full*64:]; len(rest) > 0 {
		var tail [64]byte
		copy(tail[:], rest)
		for i := len(rest); i < len(tail); i++ {
			tail[i] = ' '
		}
		n += firstStage(&tail[0], 1, &ix[n], &st)
	}
	if st.bs != 0 || st.ctrl != 0 || st.inStr != 0 {
		return ix[:0], false
	}
	ix[n] = uint32(len(b))
	return ix[:n+1], true
}

// index returns the document's structural index, building it on first
// use, or nil when the scalar loop is to read the document.
func (s *Scanner) index() []uint32 {
	x := s.x
	if x == nil {
		return nil
	}
	switch x.state {
	case ixReady:
		return x.ix
	case ixNone:
		return nil
	}
	x.state = ixNone
	if !Indexed(len(s.b)) {
		return nil
	}
	ix, ok := buildIndex(s.b, x.ix)
	x.ix = ix
	if !ok {
		return nil
	}
	x.state = ixReady
	return ix
}

// seek returns the index of the first structural offset at or after i
// (the sentinel when none), starting from where the last walk stopped.
func (s *Scanner) seek(i int) int {
	ix := s.x.ix
	k := s.x.cur
	if k >= len(ix) || k > 0 && int(ix[k-1]) >= i {
		k, _ = slices.BinarySearch(ix, uint32(i))
		return k
	}
	for int(ix[k]) < i {
		k++
	}
	return k
}
