package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"unicode/utf8"
)

// Store entries: the graph's changes, encoded once and persisted opaquely by
// a Store. Every entry starts with the format version (1) and an op byte;
// integers are varints (times are zig-zag unix milliseconds), strings and
// values are a uvarint length then bytes, keys are 16 raw bytes:
//
//	header   1 1 | fingerprint[16] | flags(u8: 1 = plaintext)
//	observe  1 2 | time | event id | count | count × identifier
//	consent  1 3 | time | event id | granted(u8) | identifier
//	erase    1 4 | time | type | key[16]
//	tombkey  1 5 | key[16] | time
//	tombfact 1 6 | key[16] | from | to
//	tombepoc 1 7 | key[16] | from | to
//	span     1 8 | first | event id | last | event id | count | count × identifier
//	erasekeys 1 9 | time | count | count × (type | key[16])
//	tombkept 1 10 | key[16] | from | to
//
//	identifier = type(u8 length, bytes) | key[16] | flags(u8: 1 = blocked,
//	             2 = value follows) | [value]
//
// The fingerprint is HMAC-SHA256(secret, "touchpoint/identity/fingerprint")
// truncated to 16 bytes: a store written with another secret is refused.
// Values are present only when the graph keeps plaintext.

const entryVersion = 1

const (
	opHeader    = 1
	opObserve   = 2
	opConsent   = 3
	opErase     = 4
	opTombKey   = 5
	opTombFact  = 6
	opTombEpoc  = 7
	opSpan      = 8
	opEraseKeys = 9
	opTombKept  = 10
)

// maxEntryIDs bounds the identifiers of one stored observation.
const maxEntryIDs = 1024

type entryID struct {
	typ     Type
	key     Key
	blocked bool
	value   string
}

type entry struct {
	op        byte
	t         int64
	ev        string
	ids       []entryID
	granted   bool
	key       Key
	from, to  int64 // tombstone spans; to is also a span's last time
	ev2       string
	plaintext bool
}

func fingerprint(secret []byte) Key {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("touchpoint/identity/fingerprint"))
	var k Key
	copy(k[:], m.Sum(nil))
	return k
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendID(b []byte, id entryID) []byte {
	b = append(b, byte(len(id.typ)))
	b = append(b, id.typ...)
	b = append(b, id.key[:]...)
	flags := byte(0)
	if id.blocked {
		flags |= 1
	}
	if id.value != "" {
		flags |= 2
	}
	b = append(b, flags)
	if id.value != "" {
		b = appendString(b, id.value)
	}
	return b
}

func encodeHeader(secret []byte, plaintext bool) []byte {
	fp := fingerprint(secret)
	b := append([]byte{entryVersion, opHeader}, fp[:]...)
	if plaintext {
		return append(b, 1)
	}
	return append(b, 0)
}

func encodeObserve(b []byte, t int64, ev string, ps []prepared) []byte {
	b = append(b, entryVersion, opObserve)
	b = binary.AppendVarint(b, t)
	b = appendString(b, ev)
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for _, p := range ps {
		b = appendID(b, entryID{typ: p.r.Type, key: p.key, blocked: p.blocked, value: p.value})
	}
	return b
}

func encodeConsent(t int64, ev string, granted bool, id entryID) []byte {
	b := []byte{entryVersion, opConsent}
	b = binary.AppendVarint(b, t)
	b = appendString(b, ev)
	if granted {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return appendID(b, id)
}

func encodeErase(t int64, typ Type, k Key) []byte {
	b := []byte{entryVersion, opErase}
	b = binary.AppendVarint(b, t)
	b = append(b, byte(len(typ)))
	b = append(b, typ...)
	return append(b, k[:]...)
}

func encodeEraseKeys(t int64, ids []entryID) []byte {
	b := []byte{entryVersion, opEraseKeys}
	b = binary.AppendVarint(b, t)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = append(b, byte(len(id.typ)))
		b = append(b, id.typ...)
		b = append(b, id.key[:]...)
	}
	return b
}

func encodeTomb(op byte, k Key, from, to int64) []byte {
	b := append([]byte{entryVersion, op}, k[:]...)
	b = binary.AppendVarint(b, from)
	if op != opTombKey {
		b = binary.AppendVarint(b, to)
	}
	return b
}

// decoder reads an entry, remembering where it failed.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = &FormatError{Source: "entry", Offset: int64(d.off), Err: err}
	}
}

func (d *decoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail(ErrTruncated)
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		if n == 0 {
			d.fail(ErrTruncated)
		} else {
			d.fail(errors.New("varint overflows 64 bits"))
		}
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) uvarint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		if n == 0 {
			d.fail(ErrTruncated)
		} else {
			d.fail(errors.New("uvarint overflows 64 bits"))
		}
		return 0
	}
	if v > max {
		d.fail(errors.New("length out of range"))
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(ErrTruncated)
		return nil
	}
	out := d.b[d.off : d.off+n]
	d.off += n
	return out
}

func (d *decoder) str(max uint64) string {
	n := d.uvarint(max)
	start := d.off
	s := d.bytes(int(n))
	if d.err == nil && !utf8.Valid(s) {
		d.off = start
		d.fail(errors.New("string is not valid UTF-8"))
	}
	return string(s)
}

func (d *decoder) key() Key {
	var k Key
	copy(k[:], d.bytes(len(k)))
	return k
}

func (d *decoder) typ() Type {
	n := d.byte1()
	start := d.off
	t := Type(d.bytes(int(n)))
	if d.err == nil && !validTypeName(string(t)) {
		d.off = start
		d.fail(errors.New("invalid identifier type name"))
	}
	return t
}

func (d *decoder) id() entryID {
	id := entryID{typ: d.typ(), key: d.key()}
	flags := d.byte1()
	if flags&^3 != 0 {
		d.off--
		d.fail(errors.New("unknown identifier flags"))
	}
	id.blocked = flags&1 != 0
	if flags&2 != 0 {
		id.value = d.str(4096)
		if d.err == nil && id.value == "" {
			d.fail(errors.New("empty value"))
		}
	}
	return id
}

func (d *decoder) event() string {
	start := d.off
	ev := d.str(256)
	if d.err == nil && ev == "" {
		d.off = start
		d.fail(errors.New("empty event id"))
	}
	return ev
}

// decodeEntry parses one entry. Errors are *FormatError (ErrCorrupt),
// wrapping ErrTruncated or ErrUnsupportedVersion where they apply.
func decodeEntry(b []byte) (entry, error) {
	d := decoder{b: b}
	var e entry
	if v := d.byte1(); d.err == nil && v != entryVersion {
		d.off = 0
		d.fail(ErrUnsupportedVersion)
	}
	e.op = d.byte1()
	switch e.op {
	case opHeader:
		e.key = d.key()
		flags := d.byte1()
		if d.err == nil && flags > 1 {
			d.off--
			d.fail(errors.New("unknown header flags"))
		}
		e.plaintext = flags == 1
	case opObserve, opSpan:
		e.t = d.varint()
		e.ev = d.event()
		if e.op == opSpan {
			e.to = d.varint()
			e.ev2 = d.event()
			if d.err == nil && (e.to < e.t || e.to == e.t && e.ev2 <= e.ev) {
				d.fail(errors.New("span ends before it starts"))
			}
		}
		n := d.uvarint(maxEntryIDs)
		if d.err == nil && n == 0 {
			d.fail(errors.New("observation without identifiers"))
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			e.ids = append(e.ids, d.id())
		}
	case opConsent:
		e.t = d.varint()
		e.ev = d.event()
		g := d.byte1()
		if d.err == nil && g > 1 {
			d.off--
			d.fail(errors.New("consent flag is not 0 or 1"))
		}
		e.granted = g == 1
		e.ids = []entryID{d.id()}
	case opErase:
		e.t = d.varint()
		e.ids = []entryID{{typ: d.typ(), key: d.key()}}
	case opEraseKeys:
		e.t = d.varint()
		n := d.uvarint(maxEntryIDs)
		if d.err == nil && n == 0 {
			d.fail(errors.New("erasure without keys"))
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			e.ids = append(e.ids, entryID{typ: d.typ(), key: d.key()})
		}
	case opTombKey:
		e.key = d.key()
		e.from = d.varint()
	case opTombFact, opTombEpoc, opTombKept:
		e.key = d.key()
		e.from = d.varint()
		e.to = d.varint()
		if d.err == nil && e.to < e.from {
			d.fail(errors.New("tombstone span ends before it starts"))
		}
	default:
		if d.err == nil {
			d.off = 1
			d.fail(errors.New("unknown op"))
		}
	}
	if d.err == nil && d.off != len(b) {
		d.fail(errors.New("trailing bytes"))
	}
	if d.err != nil {
		return entry{}, d.err
	}
	return e, nil
}

// encodeEntry is the inverse of decodeEntry (used by tests and snapshots).
func encodeEntry(e entry) []byte {
	switch e.op {
	case opHeader:
		b := append([]byte{entryVersion, opHeader}, e.key[:]...)
		if e.plaintext {
			return append(b, 1)
		}
		return append(b, 0)
	case opObserve, opSpan:
		b := []byte{entryVersion, e.op}
		b = binary.AppendVarint(b, e.t)
		b = appendString(b, e.ev)
		if e.op == opSpan {
			b = binary.AppendVarint(b, e.to)
			b = appendString(b, e.ev2)
		}
		b = binary.AppendUvarint(b, uint64(len(e.ids)))
		for _, id := range e.ids {
			b = appendID(b, id)
		}
		return b
	case opConsent:
		return encodeConsent(e.t, e.ev, e.granted, e.ids[0])
	case opErase:
		return encodeErase(e.t, e.ids[0].typ, e.ids[0].key)
	case opEraseKeys:
		return encodeEraseKeys(e.t, e.ids)
	default:
		return encodeTomb(e.op, e.key, e.from, e.to)
	}
}
