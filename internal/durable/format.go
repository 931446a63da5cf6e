package durable

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"
)

const (
	// FormatVersion is the version of the framing this package writes and
	// reads (the header's u16 at offset 8).
	FormatVersion = 1
	// HeaderSize is the size of a file header in bytes.
	HeaderSize = 24
	// FrameOverhead is the bytes a frame adds to its record.
	FrameOverhead = 8
	// MaxRecord is the largest record in bytes.
	MaxRecord = 16 << 20
	// readBuffer is the read buffer of scans and replays; frames that fit
	// are handed out of it without a copy.
	readBuffer = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// header is a parsed file header.
type header struct {
	version uint16
	schema  uint16
	gen     uint64
}

func encodeHeader(magic string, schema uint16, gen uint64) [HeaderSize]byte {
	var h [HeaderSize]byte
	copy(h[:8], magic)
	binary.BigEndian.PutUint16(h[8:], FormatVersion)
	binary.BigEndian.PutUint16(h[10:], schema)
	binary.BigEndian.PutUint64(h[12:], gen)
	binary.BigEndian.PutUint32(h[20:], crc32.Checksum(h[:20], castagnoli))
	return h
}

// parseHeader checks magic, checksum, format version and schema (at most
// maxSchema).
func parseHeader(h []byte, magic string, kind FileKind, maxSchema uint16) (header, error) {
	if len(h) < HeaderSize {
		return header{}, &FormatError{File: kind, Offset: int64(len(h)), Err: ErrTruncated}
	}
	switch {
	case string(h[:8]) != magic:
		return header{}, &FormatError{File: kind, Offset: 0, Err: ErrBadMagic}
	case binary.BigEndian.Uint32(h[20:]) != crc32.Checksum(h[:20], castagnoli):
		return header{}, &FormatError{File: kind, Offset: 20, Err: ErrChecksum}
	case binary.BigEndian.Uint16(h[8:]) != FormatVersion:
		return header{}, &FormatError{File: kind, Offset: 8, Err: ErrUnsupportedVersion}
	case binary.BigEndian.Uint16(h[10:]) > maxSchema:
		return header{}, &FormatError{File: kind, Offset: 10, Err: ErrUnsupportedVersion}
	}
	return header{version: FormatVersion, schema: binary.BigEndian.Uint16(h[10:]), gen: binary.BigEndian.Uint64(h[12:])}, nil
}

func readHeader(r io.Reader, magic string, kind FileKind, maxSchema uint16) (header, error) {
	var h [HeaderSize]byte
	n, err := io.ReadFull(r, h[:])
	if err != nil {
		return header{}, &FormatError{File: kind, Offset: int64(n), Err: ErrTruncated}
	}
	return parseHeader(h[:], magic, kind, maxSchema)
}

// appendFrame appends rec as one frame to dst.
func appendFrame(dst, rec []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(rec)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(rec, castagnoli))
	return append(dst, rec...)
}

// frameReader reads frames from a file positioned after its header.
type frameReader struct {
	r    *bufio.Reader
	kind FileKind
	off  int64 // offset of the next frame
	end  int64 // size of the file (or the part to read)
	buf  []byte
}

func newFrameReader(r io.Reader, kind FileKind, off, end int64) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, readBuffer), kind: kind, off: off, end: end}
}

// next returns the next record, valid until the following call. It returns
// io.EOF at the end, and a *FormatError for a torn or corrupt frame (a frame
// claiming more bytes than are left is torn: nothing is allocated for it).
func (fr *frameReader) next() ([]byte, error) {
	left := fr.end - fr.off
	if left <= 0 {
		return nil, io.EOF
	}
	if left < FrameOverhead {
		return nil, &FormatError{File: fr.kind, Offset: fr.off + left, Err: ErrTruncated}
	}
	fh, err := fr.r.Peek(FrameOverhead)
	if err != nil {
		return nil, &FormatError{File: fr.kind, Offset: fr.off + int64(len(fh)), Err: ErrTruncated}
	}
	size := int64(binary.BigEndian.Uint32(fh))
	sum := binary.BigEndian.Uint32(fh[4:])
	if size == 0 || size > MaxRecord {
		return nil, &FormatError{File: fr.kind, Offset: fr.off, Err: ErrFrameSize}
	}
	if size > left-FrameOverhead {
		return nil, &FormatError{File: fr.kind, Offset: fr.off + FrameOverhead, Err: ErrTruncated}
	}
	var rec []byte
	if total := int(FrameOverhead + size); total <= fr.r.Size() {
		b, err := fr.r.Peek(total)
		if err != nil {
			return nil, &FormatError{File: fr.kind, Offset: fr.off + int64(len(b)), Err: ErrTruncated}
		}
		rec = b[FrameOverhead:]
		if crc32.Checksum(rec, castagnoli) != sum {
			return nil, &FormatError{File: fr.kind, Offset: fr.off, Err: ErrChecksum}
		}
		fr.r.Discard(total)
	} else {
		fr.r.Discard(FrameOverhead)
		if int64(cap(fr.buf)) < size {
			fr.buf = make([]byte, size)
		}
		rec = fr.buf[:size]
		if n, err := io.ReadFull(fr.r, rec); err != nil {
			return nil, &FormatError{File: fr.kind, Offset: fr.off + FrameOverhead + int64(n), Err: ErrTruncated}
		}
		if crc32.Checksum(rec, castagnoli) != sum {
			return nil, &FormatError{File: fr.kind, Offset: fr.off, Err: ErrChecksum}
		}
	}
	fr.off += FrameOverhead + size
	return rec, nil
}
