package jsonscan

import (
	"bytes"
)

// Compat is a Scanner for a fast path that must read exactly what
// encoding/json reads (fleet.Decode, identity.DecodeLinkFact): OK says
// whether everything read so far is within that contract. A reader clears
// OK where encoding/json would read the input differently — a key that
// matches a field only case-insensitively, a field twice, a null or a
// value of another type where a field is read, a kept string that is not
// valid UTF-8 — and its caller then decodes with encoding/json, which
// gives the answer. Methods do nothing once OK is false.
type Compat struct {
	S  Scanner
	OK bool
}

// NewCompat returns a Compat over b.
func NewCompat(b []byte) Compat { return Compat{S: New(b), OK: true} }

// Object reads an object, calling member for each key with the scanner at
// its value; member must read or skip the value (or clear OK).
func (d *Compat) Object(member func(k []byte)) {
	if !d.OK || d.S.Peek() != '{' {
		d.OK = false
		return
	}
	d.S.Consume('{')
	for first := true; d.OK; first = false {
		k, more := d.S.Member(first)
		if !more {
			return
		}
		member(k)
	}
}

// Array reads an array, calling elem with the scanner at each element.
func (d *Compat) Array(elem func()) {
	if !d.OK || d.S.Peek() != '[' {
		d.OK = false
		return
	}
	d.S.Consume('[')
	for first := true; d.OK && d.S.Element(first); first = false {
		elem()
	}
}

// Unknown skips the value of a key no field names, unless the key names
// one of fields case-insensitively (encoding/json's rule: bytes.EqualFold),
// which clears OK.
func (d *Compat) Unknown(k []byte, fields []string) {
	for _, f := range fields {
		if bytes.EqualFold(k, []byte(f)) {
			d.OK = false
			return
		}
	}
	d.S.Skip()
}

// Text reads a string and returns its unescaped bytes (valid until the
// next Text), which must be valid UTF-8 (encoding/json would replace bad
// bytes with U+FFFD); otherwise it clears OK and returns nil.
func (d *Compat) Text() []byte {
	if !d.OK || d.S.Peek() != '"' {
		d.OK = false
		return nil
	}
	t := d.S.Text()
	if d.S.Failed() || !ValidUTF8(t) {
		d.OK = false
		return nil
	}
	return t
}
