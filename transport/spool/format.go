package spool

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
	"unsafe"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// On-disk format, version 1.
//
// A spool directory holds segment files and one acknowledgement file:
//
//	00000000000000000001.seg   segments, named by a 20-digit sequence number
//	00000000000000000002.seg   (written in order; only the last is appended to)
//	ack                        the acknowledged position (absent: nothing acked)
//	ack.tmp                    transient, while ack is being replaced
//
// A segment starts with an 8-byte header, then frames back to back:
//
//	header:  "TPSP" | version (1 byte, = 1) | 3 zero bytes
//	frame:   length  uint32 big-endian: bytes after the checksum (version + body)
//	         crc     uint32 big-endian: CRC-32C (Castagnoli) of those bytes
//	         version 1 byte (= 1)
//	         body    ID, Type (uvarint length + bytes each)
//	                 Time (int64 big-endian, Unix nanoseconds, UTC)
//	                 Category, PartitionKey, ProfileID, Payload (uvarint length + bytes each)
//
// Record.Event is not stored: records replayed from a spool have a zero
// Event, which is all transports need (they send Payload).
//
// The ack file is 28 bytes: "TPAK" | version (1) | 3 zero bytes | segment
// sequence (uint64 BE) | byte offset in that segment (uint64 BE) | CRC-32C of
// the preceding 24 bytes. Every frame before that position has been
// delivered; segments wholly before it are deleted.
//
// Recovery: on Open every segment is scanned; the first frame that is
// truncated or fails its checksum ends the segment, and the file is
// truncated there (a torn tail from a crash mid-write). Writing always
// resumes in a new segment.
//
// Versioning: every file and every frame carries a version byte. A reader
// of version N reads versions 1..N (decodeBody switches on the version);
// a writer writes only N. Adding a field means a new frame version, a new
// case in decodeBody, and a golden file for the old version in testdata so
// that old spools stay readable.
const (
	// FormatVersion is the version this package writes.
	FormatVersion = 1
	// MaxFrameBytes bounds one frame's length field (version and body).
	MaxFrameBytes = 16<<20 + 4096

	segMagic      = "TPSP"
	ackMagic      = "TPAK"
	headerSize    = 8
	frameOverhead = 8 // length and crc
	ackSize       = 28
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentHeader returns the 8-byte header of a segment file.
func segmentHeader() []byte {
	return []byte{'T', 'P', 'S', 'P', FormatVersion, 0, 0, 0}
}

// checkHeader validates a segment header.
func checkHeader(b []byte) error {
	if len(b) < headerSize {
		return ErrTruncated
	}
	if string(b[:4]) != segMagic {
		return fmt.Errorf("%w: bad segment magic %q", ErrCorrupt, b[:4])
	}
	if b[4] == 0 || b[4] > FormatVersion {
		return fmt.Errorf("%w: segment version %d", ErrVersion, b[4])
	}
	return nil
}

// FrameSize returns the encoded size of r's frame.
func FrameSize(r *connected.Record) int {
	n := frameOverhead + 1 + 8
	for _, l := range [...]int{len(r.ID), len(r.Type), len(r.Category), len(r.PartitionKey), len(r.ProfileID), len(r.Payload)} {
		n += uvarintLen(uint64(l)) + l
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// AppendFrame appends r's version-1 frame to dst. It fails with ErrTooLarge
// when the frame would exceed MaxFrameBytes.
func AppendFrame(dst []byte, r *connected.Record) ([]byte, error) {
	size := FrameSize(r)
	if size-frameOverhead > MaxFrameBytes {
		return dst, fmt.Errorf("%w: record %q frames to %d bytes", ErrTooLarge, r.ID, size)
	}
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(size-frameOverhead))
	dst = append(dst, 0, 0, 0, 0) // crc, filled below
	dst = append(dst, FormatVersion)
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
	binary.BigEndian.PutUint32(dst[start+4:], crc32.Checksum(dst[start+frameOverhead:], castagnoli))
	return dst, nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// DecodeFrame decodes the frame at the start of b into a Record with its own
// copies of the bytes, and returns the frame's length n. Errors are
// *FormatError values matching ErrTruncated (b ends inside the frame),
// ErrCorrupt or ErrVersion; on error n is 0.
func DecodeFrame(b []byte) (r *connected.Record, n int, err error) {
	body, n, err := frame(b)
	if err != nil {
		return nil, 0, &FormatError{Err: err}
	}
	own := append([]byte(nil), body...)
	r = new(connected.Record)
	if err := decodeBody(own, r); err != nil {
		return nil, 0, &FormatError{Err: err}
	}
	return r, n, nil
}

// frame checks the frame at the start of b and returns its version+body
// bytes (aliasing b) and total length.
func frame(b []byte) (body []byte, n int, err error) {
	if len(b) < frameOverhead {
		return nil, 0, ErrTruncated
	}
	l := binary.BigEndian.Uint32(b)
	if l == 0 || l > MaxFrameBytes {
		return nil, 0, fmt.Errorf("%w: frame length %d", ErrCorrupt, l)
	}
	n = frameOverhead + int(l)
	if len(b) < n {
		return nil, 0, ErrTruncated
	}
	body = b[frameOverhead:n]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[4:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return body, n, nil
}

// decodeBody fills r from a frame's version+body bytes. The record's strings
// and Payload alias b, which must never be modified afterwards.
func decodeBody(b []byte, r *connected.Record) error {
	switch b[0] {
	case 1:
		return decodeV1(b[1:], r)
	}
	return fmt.Errorf("%w: frame version %d", ErrVersion, b[0])
}

func decodeV1(b []byte, r *connected.Record) error {
	d := decoder{b: b}
	r.ID = d.str()
	r.Type = connected.Type(d.str())
	ns := d.u64()
	r.Category = connected.Category(d.str())
	r.PartitionKey = d.str()
	r.ProfileID = d.str()
	r.Payload = d.bytes()
	if d.bad || len(d.b) != 0 {
		return fmt.Errorf("%w: malformed version-1 body", ErrCorrupt)
	}
	if ns != 0 {
		r.Time = time.Unix(0, int64(ns)).UTC()
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

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.bad, d.b = true, nil
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// ackRecord encodes the acknowledged position.
func ackRecord(seq uint64, off int64) []byte {
	b := make([]byte, 0, ackSize)
	b = append(b, ackMagic...)
	b = append(b, FormatVersion, 0, 0, 0)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint64(b, uint64(off))
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// parseAck decodes an ack file.
func parseAck(b []byte) (seq uint64, off int64, err error) {
	switch {
	case len(b) != ackSize:
		return 0, 0, fmt.Errorf("%w: ack file is %d bytes, want %d", ErrCorrupt, len(b), ackSize)
	case string(b[:4]) != ackMagic:
		return 0, 0, fmt.Errorf("%w: bad ack magic", ErrCorrupt)
	case b[4] == 0 || b[4] > FormatVersion:
		return 0, 0, fmt.Errorf("%w: ack version %d", ErrVersion, b[4])
	case crc32.Checksum(b[:24], castagnoli) != binary.BigEndian.Uint32(b[24:]):
		return 0, 0, fmt.Errorf("%w: ack checksum mismatch", ErrCorrupt)
	}
	return binary.BigEndian.Uint64(b[8:]), int64(binary.BigEndian.Uint64(b[16:])), nil
}
