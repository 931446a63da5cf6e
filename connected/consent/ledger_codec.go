package consent

import (
	"encoding/binary"
	"errors"
	"time"
)

// The ledger's store records (schema 1 of the store "TPCL"), one per frame:
//
//	op 1, key:   tombKey[32]                   the tombstone key; first record of every store
//	op 2, fact:  flags u8 (bit 0: granted) | effective i64 (Unix ns) | purpose str
//	             | subject str | source str | document str | jurisdiction str
//	op 3, erase: tomb[16] | at i64 (Unix ns)    a subject erased (only its keyed hash)
//
// str is a uvarint length and that many bytes. Integers are big-endian.
const (
	ledgerSchema = 1
	opKey        = 1
	opFact       = 2
	opErase      = 3
)

// ledgerEntry is one decoded store record.
type ledgerEntry struct {
	op   byte
	key  tombKey // opKey
	fact Fact    // opFact
	tomb tomb    // opErase
	at   int64   // opErase
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeKeyEntry(k *tombKey) []byte {
	return append([]byte{opKey}, k[:]...)
}

func encodeFactEntry(f *Fact) []byte {
	b := make([]byte, 0, 16+len(f.Purpose)+len(f.Subject)+len(f.Source)+len(f.Document)+len(f.Jurisdiction)+10)
	var flags byte
	if f.Granted {
		flags = 1
	}
	b = append(b, opFact, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(f.Effective.UnixNano()))
	b = appendStr(b, string(f.Purpose))
	b = appendStr(b, f.Subject)
	b = appendStr(b, string(f.Source))
	b = appendStr(b, f.Document)
	return appendStr(b, f.Jurisdiction)
}

func encodeEraseEntry(t tomb, at int64) []byte {
	b := append([]byte{opErase}, t[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(at))
}

// decoder reads one entry and remembers where it failed.
type decoder struct {
	b      []byte
	off    int
	err    error
	intern map[string]string // optional: strings already decoded, shared
}

func (d *decoder) fail(reason error) {
	if d.err == nil {
		d.err = &FormatError{Source: "entry", Offset: int64(d.off), Err: reason}
	}
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(errTruncatedEntry)
		return nil
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

func (d *decoder) u64() uint64 {
	if v := d.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) str(max int) string {
	if d.err != nil {
		return ""
	}
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 {
		d.fail(errTruncatedEntry)
		return ""
	}
	if k > 1 && d.b[d.off+k-1] == 0 {
		d.fail(errors.New("length not in its shortest form"))
		return ""
	}
	if n > uint64(max) {
		d.fail(errors.New("string longer than its field allows"))
		return ""
	}
	d.off += k
	b := d.bytes(int(n))
	if d.intern == nil || len(b) == 0 {
		return string(b)
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	d.intern[s] = s
	return s
}

var errTruncatedEntry = errors.New("entry ends inside a value")

// decodeLedgerEntry decodes one store record. Errors are *FormatError
// (ErrCorrupt); a decoded fact is valid (as Record checks it).
// intern, if not nil, shares the strings of successive entries (a replay
// sees the same subjects, sources and jurisdictions many times).
func decodeLedgerEntry(b []byte, intern map[string]string) (ledgerEntry, error) {
	d := decoder{b: b, intern: intern}
	var e ledgerEntry
	if op := d.bytes(1); op != nil {
		e.op = op[0]
	}
	switch e.op {
	case opKey:
		copy(e.key[:], d.bytes(len(e.key)))
	case opFact:
		var flags byte
		if f := d.bytes(1); f != nil {
			flags = f[0]
		}
		if flags > 1 {
			d.off--
			d.fail(errors.New("unknown fact flags"))
		}
		e.fact.Granted = flags == 1
		e.fact.Effective = time.Unix(0, int64(d.u64())).UTC()
		e.fact.Purpose = Purpose(d.str(64))
		e.fact.Subject = d.str(maxSubject)
		e.fact.Source = Source(d.str(64))
		e.fact.Document = d.str(256)
		e.fact.Jurisdiction = d.str(64)
		if d.err == nil {
			if err := e.fact.validate(); err != nil {
				d.fail(err)
			}
		}
	case opErase:
		copy(e.tomb[:], d.bytes(len(e.tomb)))
		e.at = int64(d.u64())
	default:
		if d.err == nil {
			d.off = 0
			d.fail(errors.New("unknown entry op"))
		}
	}
	if d.err == nil && d.off != len(b) {
		d.fail(errors.New("bytes after the entry"))
	}
	if d.err != nil {
		return ledgerEntry{}, d.err
	}
	return e, nil
}
