package activation

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrCorrupt: a stored record cannot be decoded (see FormatError).
var ErrCorrupt = errors.New("activation: corrupt state record")

// FormatError says which stored record is bad and why; Kind is 0 for a
// state file (snapshot or log) whose header or frame is bad.
type FormatError struct {
	Kind   byte // record kind
	Reason string
}

func (e *FormatError) Error() string {
	if e.Kind == 0 {
		return "activation: state " + e.Reason
	}
	return fmt.Sprintf("activation: state record %q: %s", e.Kind, e.Reason)
}

// Is matches ErrCorrupt.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

type enc struct{ b []byte }

func (w *enc) u(v uint64)  { w.b = binary.AppendUvarint(w.b, v) }
func (w *enc) i(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *enc) s(v string)  { w.u(uint64(len(v))); w.b = append(w.b, v...) }
func (w *enc) byte(v byte) { w.b = append(w.b, v) }
func (w *enc) val(v Value) {
	w.byte(v.K)
	switch v.K {
	case kString:
		w.s(v.S)
	case kNumber, kBool:
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v.F))
	}
}

type dec struct {
	b    []byte
	bad  bool
	kind byte
}

func (r *dec) u() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *dec) i() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// n reads a count, bounded by what is left (each element takes a byte).
func (r *dec) n() int {
	v := r.u()
	if v > uint64(len(r.b)) {
		r.bad = true
		return 0
	}
	return int(v)
}

func (r *dec) s() string {
	n := r.n()
	if r.bad {
		return ""
	}
	v := string(r.b[:n])
	r.b = r.b[n:]
	return v
}

// sv is s without a copy: a view of the record, valid during the call
// only (for strings copied at once into an arena).
func (r *dec) sv() string {
	n := r.n()
	if r.bad {
		return ""
	}
	v := view(r.b[:n])
	r.b = r.b[n:]
	return v
}

func (r *dec) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *dec) val() Value {
	switch k := r.byte(); k {
	case kAbsent:
		return Value{}
	case kString:
		return Value{S: r.s(), K: kString}
	case kNumber, kBool:
		if len(r.b) < 8 {
			r.bad = true
			return Value{}
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
		r.b = r.b[8:]
		return Value{F: f, K: k}
	default:
		r.bad = true
		return Value{}
	}
}

func (r *dec) err(reason string) error {
	if r.bad {
		return &FormatError{Kind: r.kind, Reason: "truncated or malformed"}
	}
	if reason != "" {
		return &FormatError{Kind: r.kind, Reason: reason}
	}
	if len(r.b) != 0 {
		return &FormatError{Kind: r.kind, Reason: fmt.Sprintf("%d bytes after the record", len(r.b))}
	}
	return nil
}
