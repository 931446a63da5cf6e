package pos

import (
	"errors"
	"math"
	"math/bits"
	"time"
	"unsafe"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// maxPayload is the largest payload the decoders read: Square and Stripe
// events are a few kilobytes; anything past 1 MiB is refused unread.
const maxPayload = 1 << 20

// dec wraps a jsonscan.Scanner and turns its errors, and the decoders'
// own, into one *DecodeError with the field path.
//
// Strings it reads (str) alias the payload while decoding; a decoder hands
// every string of its result to own before returning it, which copies
// those that alias the payload into one allocation of the size they need.
type dec struct {
	s      jsonscan.Scanner
	src    []byte // the payload
	format string
	err    *DecodeError
}

func newDec(format string, b []byte) dec {
	d := dec{s: jsonscan.New(b)}
	d.start(format, b)
	return d
}

// reset makes d read b as newDec does, keeping its scanner's buffers for
// the next payload: a reused decoder's scanner builds the structural index
// (jsonscan's ResetIndexed) in a buffer it keeps.
func (d *dec) reset(format string, b []byte) {
	d.s.ResetIndexed(b)
	d.start(format, b)
}

// start sets what newDec and reset share: the payload, its format, no
// error but the size limit's.
func (d *dec) start(format string, b []byte) {
	d.src, d.format, d.err = b, format, nil
	if len(b) > maxPayload {
		d.fail("", 0, &detail{ErrInvalid, "payload larger than 1 MiB"})
	}
}

func (d *dec) ok() bool { return d.err == nil && !d.s.Failed() }

// fail keeps the first error.
func (d *dec) fail(field string, off int, err error) {
	if d.err == nil {
		d.err = &DecodeError{Format: d.format, Field: field, Offset: off, Err: err}
	}
}

// check turns a scanner error into a DecodeError on field.
func (d *dec) check(field string) bool {
	if d.err == nil && !d.s.Failed() {
		return true // inlined
	}
	return d.checkSlow(field)
}

func (d *dec) checkSlow(field string) bool {
	if d.err != nil {
		return false
	}
	err := d.s.Err()
	var se *jsonscan.SyntaxError
	if !errors.As(err, &se) {
		d.fail(field, d.s.Pos(), &detail{ErrSyntax, err.Error()})
		return false
	}
	cause, why := ErrSyntax, se.Err.Error()
	if errors.Is(err, jsonscan.ErrType) {
		cause, why = ErrType, "want "+se.Want
	} else if se.Want != "" {
		why += " (want " + se.Want + ")"
	}
	d.fail(field, se.Offset, &detail{cause, why})
	return false
}

// finish reports the document-level error, if any, after End.
func (d *dec) finish() error {
	d.s.End()
	d.check("")
	if d.err != nil {
		return d.err
	}
	return nil
}

// null consumes a null value and reports whether there was one.
func (d *dec) null() bool { return d.s.Null() }

// str reads a string (null is "") that must be valid UTF-8. The result
// aliases the payload (or, for a string with escapes, a fresh buffer): the
// decoder passes it to own before returning it.
func (d *dec) str(field string) string { return d.strOr(field, nil) }

// strOr is str; known, if set, returns a constant for a value it knows
// ("" for others), which then needs no UTF-8 check.
func (d *dec) strOr(field string, known func([]byte) string) string {
	off := d.s.Pos()
	b, null := d.s.StringOrNull()
	if null || !d.check(field) || len(b) == 0 {
		return ""
	}
	if known != nil {
		if w := known(b); w != "" {
			return w
		}
	}
	if !jsonscan.ValidUTF8(b) {
		d.fail(field, d.valueAt(off), &detail{ErrInvalid, "not valid UTF-8"})
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// valueAt returns the offset of the value after the white space at off.
func (d *dec) valueAt(off int) int {
	for off < len(d.src) && (d.src[off] == ' ' || d.src[off] == '\n' || d.src[off] == '\t' || d.src[off] == '\r') {
		off++
	}
	return off
}

// own makes the strings *ss independent of payload: those that alias it
// are copied into one new buffer of their total length (one allocation
// per decode); others (constants, unescaped strings in buffers of their
// own) are left as they are. One pass finds and measures the strings to
// copy (a bit each), the other copies only those.
func own(payload []byte, ss ...*string) {
	o := newOwner(payload)
	if len(ss) > 64 {
		for _, s := range ss {
			o.count(*s)
		}
		for _, s := range ss {
			o.take(s)
		}
		return
	}
	var copied uint64 // the strings that alias payload, by index (at most 64)
	for i, s := range ss {
		if o.aliases(*s) {
			o.n += len(*s)
			copied |= 1 << i
		}
	}
	if copied == 0 {
		return
	}
	buf := make([]byte, o.n)
	j := 0
	for ; copied != 0; copied &= copied - 1 {
		s := ss[bits.TrailingZeros64(copied)]
		n := copy(buf[j:], *s)
		*s = unsafe.String(&buf[j], n)
		j += n
	}
}

// owner copies the strings that alias a payload into one buffer: count
// each, then take each.
type owner struct {
	base uintptr
	len  uintptr
	n    int
	buf  []byte
}

func newOwner(payload []byte) owner {
	return owner{base: uintptr(unsafe.Pointer(unsafe.SliceData(payload))), len: uintptr(len(payload))}
}

func (o *owner) aliases(s string) bool {
	return len(s) > 0 && uintptr(unsafe.Pointer(unsafe.StringData(s)))-o.base < o.len
}

func (o *owner) count(s string) {
	if o.aliases(s) {
		o.n += len(s)
	}
}

func (o *owner) take(s *string) {
	if !o.aliases(*s) {
		return
	}
	if o.buf == nil {
		o.buf = make([]byte, 0, o.n)
	}
	n := len(o.buf)
	o.buf = append(o.buf, *s...)
	*s = unsafe.String(&o.buf[n], len(*s))
}

// bytes reads a string without copying it (null is nil).
func (d *dec) bytes(field string) []byte {
	if d.null() {
		return nil
	}
	b := d.s.String()
	if !d.check(field) {
		return nil
	}
	return b
}

// amount reads a non-negative whole number of minor units.
func (d *dec) amount(field string) (int64, bool) {
	if d.null() {
		return 0, false
	}
	off := d.s.Pos()
	f := d.s.Number()
	if !d.check(field) {
		return 0, false
	}
	if f < 0 || f != math.Trunc(f) || f > 1<<53 {
		d.fail(field, off, &detail{ErrInvalid, "an amount in minor units is a whole number from 0 to 2^53"})
		return 0, false
	}
	return int64(f), true
}

// boolean reads true or false (null is false).
func (d *dec) boolean(field string) bool {
	if d.null() {
		return false
	}
	v := d.s.Bool()
	d.check(field)
	return v
}

// rfc3339 reads an RFC 3339 time string.
func (d *dec) rfc3339(field string) time.Time {
	if d.null() {
		return time.Time{}
	}
	off := d.s.Pos()
	b := d.s.String()
	if !d.check(field) {
		return time.Time{}
	}
	t, ok := jsonscan.ParseTime(b)
	if !ok {
		d.fail(field, off, &detail{ErrInvalid, "not an RFC 3339 time"})
	}
	return t
}

// unix reads Unix seconds (Stripe's created).
func (d *dec) unix(field string) time.Time {
	off := d.s.Pos()
	n, ok := d.amount(field)
	if !ok {
		return time.Time{}
	}
	if n > 1<<40 {
		d.fail(field, off, &detail{ErrInvalid, "Unix seconds out of range"})
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// money reads a Square Money object {amount, currency}. The field names
// are passed whole so that no path is built unless there is an error.
func (d *dec) money(field, amountField, currencyField string) (Money, bool) {
	var m Money
	var hasAmount bool
	if d.null() {
		return m, false
	}
	it := d.s.Object()
	for k := it.NextKey(moneyKeys); k >= 0; k = it.NextKey(moneyKeys) {
		if k == 0 { // amount
			m.Amount, hasAmount = d.amount(amountField)
		} else { // currency
			m.Currency = d.currency(currencyField)
		}
	}
	if !d.check(field) {
		return Money{}, false
	}
	switch {
	case !hasAmount:
		d.fail(amountField, -1, ErrMissing)
	case m.Currency == "":
		d.fail(currencyField, -1, ErrMissing)
	}
	return m, d.err == nil
}

// currency reads an ISO 4217 code.
func (d *dec) currency(field string) string {
	if d.null() {
		return ""
	}
	off := d.s.Pos()
	b := d.s.String()
	if !d.check(field) {
		return ""
	}
	c, ok := currency(b)
	if !ok {
		d.fail(field, off, &detail{ErrInvalid, "a currency is three letters (ISO 4217)"})
	}
	return c
}
