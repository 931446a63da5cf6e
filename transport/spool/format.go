package spool

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"time"
	"unsafe"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// On-disk format: segment headers and the ack file of version 2, record
// frames of version 3 (this package also reads version-1 files and
// version-1 and version-2 frames).
//
// A spool directory holds segment files, one acknowledgement file and a lock
// file:
//
//	00000000000000000001.seg   segments, named by a 20-digit sequence number
//	00000000000000000002.seg   (written in order; only the last is appended to)
//	ack                        the acknowledged position (absent: nothing acked)
//	ack.tmp                    transient, while ack is being replaced
//	lock                       flock'ed by the Spool that has the directory open
//
// Every record gets a record sequence number, one more than the record
// before it; gaps in these numbers are how recovery counts records it could
// not read, including those of a segment file that was deleted or emptied.
//
// A version-2 segment starts with a 28-byte header, then frames back to back:
//
//	header:  "TPSP" | version (1 byte, = 2) | flags (1 byte) | 2 zero bytes
//	         first record sequence number (uint64 BE): of the first frame
//	         end sequence number (uint64 BE): 0, or for a tombstone the
//	           number after the last record it stood for
//	         CRC-32C of the preceding 24 bytes (uint32 BE)
//	flags:   0, or tombstoneEvicted (1: records evicted by WithOverflow) or
//	         tombstoneLost (2: records lost, counted and reported). A
//	         tombstone holds no frames; it says the records numbered
//	         [first, end) are accounted for.
//	frame:   marker  4 bytes F5 54 50 F6, to find the next frame after a bad one
//	         length  uint32 BE: bytes after the checksum (version + body)
//	         crc     uint32 BE: CRC-32C of the length field, version and body
//	         version 1 byte: 3 for a record (2 in older spools), 0 for a
//	                 filler
//	         body    record: sequence number (uint64 BE), ID, Type (uvarint
//	                 length + bytes each), Time (int64 BE, Unix nanoseconds,
//	                 UTC), Category, PartitionKey, ProfileID, Payload (uvarint
//	                 length + bytes each), then (version 3) the payload's
//	                 marks: the offsets of its top-level originalTimestamp
//	                 and timestamp keys plus one (uvarint each; 0: none, or
//	                 not known), as connected.Record.Marks gives them, so
//	                 that a record read back frames without a scan
//	                 (Record.SetMarks)
//	                 filler: the sequence number expected after it (uint64
//	                 BE, 0 if unknown), then zero bytes. Recovery writes a
//	                 filler over a damaged region once its records have been
//	                 counted, so that they are not reported twice.
//
// A version-1 segment has an 8-byte header ("TPSP" | 1 | 3 zero bytes) and
// frames without marker or sequence number: length (uint32 BE) | CRC-32C of
// version and body (uint32 BE) | version (1) | the body above without the
// sequence number.
//
// Record.Event, UserID and AnonymousID are not stored: records replayed
// from a spool have none, which is all transports need (they send
// Payload).
//
// The ack file (version 2) is 36 bytes: "TPAK" | version (2) | 3 zero bytes |
// segment sequence (uint64 BE) | byte offset in that segment (uint64 BE) |
// record sequence number expected next (uint64 BE, 0 if unknown) | CRC-32C of
// the preceding 32 bytes. Version 1 is the same without the record sequence
// number (28 bytes). Every frame before that position has been delivered;
// segments wholly before it are deleted.
//
// Recovery (on Open): every segment after the acknowledged position is
// scanned frame by frame. A frame that fails its checksum is skipped: the
// scan resynchronises at the next marker whose frame checks, so one bad
// frame costs only itself. The records lost in a damaged region, in a
// missing or empty segment, are counted from the sequence numbers (an
// estimate, a lower bound, where the numbers do not tell), reported, and the
// damage is overwritten with a filler or tombstone so that a later Open does
// not report them again. A damaged tail of the last segment (a torn write)
// is truncated. Writing always resumes in a new segment.
//
// Versioning: every file and every frame carries a version byte. A reader
// of version N reads versions 1..N (decodeBody switches on the version);
// a writer writes only N. Adding a field means a new frame version, a new
// case in decodeBody, and a golden file for the old version in testdata so
// that old spools stay readable. A frame whose checksum holds but whose
// version is unknown was written by a newer release: Open refuses the
// directory (ErrVersion) rather than destroy it.
const (
	// FormatVersion is the version of the segment headers and ack files
	// this package writes. Record frames have their own version
	// (recordVersion, 3).
	FormatVersion = 2
	// MaxFrameBytes bounds one frame's length field (version and body).
	MaxFrameBytes = 16<<20 + 4096

	segMagic        = "TPSP"
	ackMagic        = "TPAK"
	headerSizeV1    = 8
	headerSize      = 28 // version 2
	frameOverheadV1 = 8  // length and crc
	frameOverhead   = 12 // marker, length and crc
	ackSizeV1       = 28
	ackSize         = 36

	tombstoneEvicted = 1
	tombstoneLost    = 2

	versionFiller = 0
	recordVersion = 3 // the version of the record frames this package writes
)

// frameMarker starts every frame of version 2 or later. F5 and F6 never occur in UTF-8
// text, so JSON payloads do not imitate it.
var frameMarker = [4]byte{0xF5, 'T', 'P', 0xF6}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segHeader is a decoded segment header.
type segHeader struct {
	version  byte
	flags    byte
	firstSeq uint64 // 0: unknown (version 1, or a damaged header)
	endSeq   uint64
	size     int64 // where frames start
}

// appendHeader appends a version-2 segment header.
func appendHeader(dst []byte, flags byte, first, end uint64) []byte {
	start := len(dst)
	dst = append(dst, segMagic...)
	dst = append(dst, FormatVersion, flags, 0, 0)
	dst = binary.BigEndian.AppendUint64(dst, first)
	dst = binary.BigEndian.AppendUint64(dst, end)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// parseHeader decodes a segment header. ok is false when the header is
// damaged: then only h.version may be set, as a hint. A version-2 header
// whose magic or version byte alone is damaged is repaired by its checksum.
func parseHeader(b []byte) (h segHeader, ok bool) {
	if len(b) >= headerSizeV1 && string(b[:4]) == segMagic && b[4] == 1 {
		return segHeader{version: 1, size: headerSizeV1}, true
	}
	if len(b) < headerSize {
		return segHeader{}, false
	}
	var fixed [headerSize - 4]byte
	copy(fixed[:], b)
	copy(fixed[:], segMagic)
	fixed[4] = FormatVersion
	if crc32.Checksum(fixed[:], castagnoli) != binary.BigEndian.Uint32(b[headerSize-4:]) {
		return segHeader{}, false
	}
	h = segHeader{version: FormatVersion, flags: b[5], firstSeq: binary.BigEndian.Uint64(b[8:]),
		endSeq: binary.BigEndian.Uint64(b[16:]), size: headerSize}
	return h, string(b[:4]) == segMagic && b[4] == FormatVersion
}

// FrameSize returns the encoded size of r's frame.
func FrameSize(r *connected.Record) int {
	ot, ts := marks(r)
	return frameSize(r, ot, ts)
}

// frameSize is FrameSize with r's marks given.
func frameSize(r *connected.Record, ot, ts uint64) int {
	n := frameOverhead + 1 + 8 + 8
	for _, l := range [...]int{len(r.ID), len(r.Type), len(r.Category), len(r.PartitionKey), len(r.ProfileID), len(r.Payload)} {
		n += uvarintLen(uint64(l)) + l
	}
	return n + uvarintLen(ot) + uvarintLen(ts)
}

// marks returns r's marks as a frame stores them: each offset plus one, 0
// for none or not known.
func marks(r *connected.Record) (ot, ts uint64) {
	o, t, ok := r.Marks()
	if !ok {
		return 0, 0
	}
	return uint64(o + 1), uint64(t + 1)
}

// uvarintLen is the length of x as binary.AppendUvarint writes it: a
// byte per 7 bits, at least one.
func uvarintLen(x uint64) int {
	return (bits.Len64(x|1) + 6) / 7
}

// AppendFrame appends r's frame (version 3, sequence number 0) to dst. It
// fails with ErrTooLarge when the frame would exceed MaxFrameBytes.
func AppendFrame(dst []byte, r *connected.Record) ([]byte, error) {
	dst, err := appendFrame(dst, r)
	if err == nil {
		sealFrame(dst[len(dst)-FrameSize(r):], 0)
	}
	return dst, err
}

// appendFrame appends r's frame without its sequence number and checksum:
// sealFrame sets both once the number is known.
func appendFrame(dst []byte, r *connected.Record) ([]byte, error) {
	ot, ts := marks(r)
	size := frameSize(r, ot, ts)
	if size-frameOverhead > MaxFrameBytes {
		return dst, fmt.Errorf("%w: record %q frames to %d bytes", ErrTooLarge, r.ID, size)
	}
	dst = append(dst, frameMarker[:]...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(size-frameOverhead))
	dst = append(dst, 0, 0, 0, 0, recordVersion) // crc, version
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)    // sequence number
	dst = appendString(dst, r.ID)
	dst = appendString(dst, string(r.Type))
	var ns int64
	if !r.Time.IsZero() {
		ns = r.Time.UnixNano()
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(ns))
	dst = appendString(dst, string(r.Category))
	dst = appendString(dst, r.PartitionKey)
	dst = appendString(dst, r.ProfileID)
	dst = binary.AppendUvarint(dst, uint64(len(r.Payload)))
	dst = append(dst, r.Payload...)
	dst = binary.AppendUvarint(dst, ot)
	return binary.AppendUvarint(dst, ts), nil
}

// sealFrame sets the sequence number of the record frame f (version 2 or
// later, exactly one frame) and its checksum.
func sealFrame(f []byte, seq uint64) {
	binary.BigEndian.PutUint64(f[frameOverhead+1:], seq)
	binary.BigEndian.PutUint32(f[8:], frameCRC(f))
}

// frameCRC computes a version-2 frame's checksum: length field, version and
// body.
func frameCRC(f []byte) uint32 {
	return crc32.Update(crc32.Checksum(f[4:8], castagnoli), castagnoli, f[frameOverhead:])
}

// appendFiller appends a filler frame of exactly n bytes (n >= fillerMin)
// that says the record expected after it is next.
func appendFiller(dst []byte, n int, next uint64) []byte {
	start := len(dst)
	dst = append(dst, frameMarker[:]...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(n-frameOverhead))
	dst = append(dst, 0, 0, 0, 0, versionFiller)
	dst = binary.BigEndian.AppendUint64(dst, next)
	dst = append(dst, make([]byte, n-fillerMin)...)
	binary.BigEndian.PutUint32(dst[start+8:], frameCRC(dst[start:]))
	return dst
}

// fillerMin is the smallest filler frame.
const fillerMin = frameOverhead + 1 + 8

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// DecodeFrame decodes the frame at the start of b (version 3, or versions
// 1 and 2 for frames of old spools) into a Record with its own copies of
// the bytes, and returns the frame's length n. Errors are *FormatError
// values matching ErrTruncated (b ends inside the frame), ErrCorrupt or
// ErrVersion; on error n is 0.
func DecodeFrame(b []byte) (r *connected.Record, n int, err error) {
	body, n, err := frameAt(b, true)
	if err != nil {
		return nil, 0, &FormatError{Err: err}
	}
	own := append([]byte(nil), body...)
	r = new(connected.Record)
	if _, err := decodeBody(own, r); err != nil {
		return nil, 0, &FormatError{Err: err}
	}
	if own[0] == versionFiller {
		return nil, 0, &FormatError{Err: fmt.Errorf("%w: a filler frame holds no record", ErrCorrupt)}
	}
	return r, n, nil
}

// frameAt checks the frame at the start of b and returns its version+body
// bytes (aliasing b) and total length. A version-2 frame starts with the
// marker; without one, the bytes are read as a version-1 frame if v1 is set.
func frameAt(b []byte, v1 bool) (body []byte, n int, err error) {
	if len(b) >= 4 && [4]byte(b[:4]) == frameMarker {
		if len(b) < frameOverhead {
			return nil, 0, ErrTruncated
		}
		l := binary.BigEndian.Uint32(b[4:])
		if l == 0 || l > MaxFrameBytes {
			return nil, 0, fmt.Errorf("%w: frame length %d", ErrCorrupt, l)
		}
		n = frameOverhead + int(l)
		if len(b) < n {
			return nil, 0, ErrTruncated
		}
		if frameCRC(b[:n]) != binary.BigEndian.Uint32(b[8:]) {
			return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
		}
		return b[frameOverhead:n], n, nil
	}
	if !v1 {
		if len(b) < 4 {
			return nil, 0, ErrTruncated
		}
		return nil, 0, fmt.Errorf("%w: no frame marker", ErrCorrupt)
	}
	if len(b) < frameOverheadV1 {
		return nil, 0, ErrTruncated
	}
	l := binary.BigEndian.Uint32(b)
	if l == 0 || l > MaxFrameBytes {
		return nil, 0, fmt.Errorf("%w: frame length %d", ErrCorrupt, l)
	}
	n = frameOverheadV1 + int(l)
	if len(b) < n {
		return nil, 0, ErrTruncated
	}
	body = b[frameOverheadV1:n]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[4:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	if body[0] != 1 {
		// Version-1 framing carries only version-1 bodies.
		return nil, 0, fmt.Errorf("%w: version-1 frame of version %d", ErrVersion, body[0])
	}
	return body, n, nil
}

// decodeBody fills r from a frame's version+body bytes and returns the
// record's sequence number (0 for version 1). For a filler it fills nothing
// and returns the sequence number expected after it. The record's strings
// and Payload alias b, which must never be modified afterwards.
func decodeBody(b []byte, r *connected.Record) (seq uint64, err error) {
	switch b[0] {
	case versionFiller:
		if len(b) < 9 {
			return 0, fmt.Errorf("%w: short filler", ErrCorrupt)
		}
		return binary.BigEndian.Uint64(b[1:]), nil
	case 1:
		return 0, decodeV1(b[1:], r, false)
	case 2, 3:
		if len(b) < 9 {
			return 0, fmt.Errorf("%w: malformed version-%d body", ErrCorrupt, b[0])
		}
		return binary.BigEndian.Uint64(b[1:]), decodeV1(b[9:], r, b[0] == 3)
	}
	return 0, fmt.Errorf("%w: frame version %d", ErrVersion, b[0])
}

// decodeV1 decodes a record body of version 1 (version 2 after its
// sequence number), and with marks its version-3 tail: the payload's marks,
// restored when the payload still has the keys there (Record.SetMarks; a
// frame whose checksum holds was written from a record with those marks).
func decodeV1(b []byte, r *connected.Record, marks bool) error {
	d := decoder{b: b}
	r.ID = d.str()
	r.Type = connected.Type(d.str())
	ns := d.u64()
	r.Category = connected.Category(d.str())
	r.PartitionKey = d.str()
	r.ProfileID = d.str()
	r.Payload = d.bytes()
	var ot, ts uint64
	if marks {
		ot, ts = d.uvarint(), d.uvarint()
	}
	if d.bad || len(d.b) != 0 || ot > uint64(len(r.Payload)) || ts > uint64(len(r.Payload)) {
		return fmt.Errorf("%w: malformed record body", ErrCorrupt)
	}
	r.Time = time.Time{}
	if ns != 0 {
		r.Time = time.Unix(0, int64(ns)).UTC()
	}
	if ot != 0 || ts != 0 {
		r.SetMarks(int(ot)-1, int(ts)-1)
	}
	return nil
}

type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) bytes() []byte {
	l, k := binary.Uvarint(d.b)
	if k <= 0 || l > uint64(len(d.b)-k) {
		d.bad, d.b = true, nil
		return nil
	}
	out := d.b[k : k+int(l) : k+int(l)]
	d.b = d.b[k+int(l):]
	return out
}

func (d *decoder) str() string {
	b := d.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (d *decoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.bad, d.b = true, nil
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// ackPos is the acknowledged position.
type ackPos struct {
	seq  uint64 // segment
	off  int64  // byte offset in it
	next uint64 // record sequence number expected next; 0 if unknown
}

// ackRecord encodes the acknowledged position (version 2).
func ackRecord(a ackPos) []byte {
	b := make([]byte, 0, ackSize)
	b = append(b, ackMagic...)
	b = append(b, FormatVersion, 0, 0, 0)
	b = binary.BigEndian.AppendUint64(b, a.seq)
	b = binary.BigEndian.AppendUint64(b, uint64(a.off))
	b = binary.BigEndian.AppendUint64(b, a.next)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// parseAck decodes an ack file of version 1 or 2.
func parseAck(b []byte) (ackPos, error) {
	if len(b) < 8 || string(b[:4]) != ackMagic {
		return ackPos{}, fmt.Errorf("%w: bad ack file", ErrCorrupt)
	}
	want := 0
	switch b[4] {
	case 1:
		want = ackSizeV1
	case 2:
		want = ackSize
	default:
		return ackPos{}, fmt.Errorf("%w: ack version %d", ErrVersion, b[4])
	}
	if len(b) != want {
		return ackPos{}, fmt.Errorf("%w: ack file is %d bytes, want %d", ErrCorrupt, len(b), want)
	}
	if crc32.Checksum(b[:want-4], castagnoli) != binary.BigEndian.Uint32(b[want-4:]) {
		return ackPos{}, fmt.Errorf("%w: ack checksum mismatch", ErrCorrupt)
	}
	a := ackPos{seq: binary.BigEndian.Uint64(b[8:]), off: int64(binary.BigEndian.Uint64(b[16:]))}
	if b[4] == 2 {
		a.next = binary.BigEndian.Uint64(b[24:])
	}
	return a, nil
}
