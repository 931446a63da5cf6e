package identity

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
)

func fileHeader(magic string, gen uint64) [headerSize]byte {
	var h [headerSize]byte
	copy(h[:8], magic)
	binary.BigEndian.PutUint16(h[8:], fileVersion)
	binary.BigEndian.PutUint64(h[12:], gen)
	binary.BigEndian.PutUint32(h[20:], crc32.Checksum(h[:20], castagnoli()))
	return h
}

func readHeader(r io.Reader, magic string, source string) (uint64, error) {
	var h [headerSize]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		return 0, &FormatError{Source: source, Offset: int64(n), Err: ErrTruncated}
	}
	return parseHeader(h, magic, source)
}

func parseHeader(h [headerSize]byte, magic string, source string) (uint64, error) {
	switch {
	case string(h[:8]) != magic:
		return 0, &FormatError{Source: source, Offset: 0, Err: errors.New("bad magic")}
	case binary.BigEndian.Uint32(h[20:]) != crc32.Checksum(h[:20], castagnoli()):
		return 0, &FormatError{Source: source, Offset: 20, Err: ErrChecksum}
	case binary.BigEndian.Uint16(h[8:]) != fileVersion:
		return 0, &FormatError{Source: source, Offset: 8, Err: ErrUnsupportedVersion}
	}
	return binary.BigEndian.Uint64(h[12:]), nil
}

// readFrame reads one frame from r at offset off, with left bytes left in
// the file (a frame claiming more is torn: nothing is allocated for it). It
// returns io.EOF at a clean end, and a *FormatError for a torn or corrupt
// frame.
func readFrame(r *bufio.Reader, off, left int64, source string, buf []byte) ([]byte, error) {
	var fh [8]byte
	n, err := io.ReadFull(r, fh[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, &FormatError{Source: source, Offset: off + int64(n), Err: ErrTruncated}
	}
	size := binary.BigEndian.Uint32(fh[:4])
	if size == 0 || size > maxFrameSize {
		return nil, &FormatError{Source: source, Offset: off, Err: errors.New("frame length out of range")}
	}
	if int64(size) > left-8 {
		return nil, &FormatError{Source: source, Offset: off + 8, Err: ErrTruncated}
	}
	if cap(buf) < int(size) {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if n, err := io.ReadFull(r, buf); err != nil {
		return nil, &FormatError{Source: source, Offset: off + 8 + int64(n), Err: ErrTruncated}
	}
	if crc32.Checksum(buf, castagnoli()) != binary.BigEndian.Uint32(fh[4:]) {
		return nil, &FormatError{Source: source, Offset: off, Err: ErrChecksum}
	}
	return buf, nil
}

// scanLog returns the length of the valid prefix of a log file.
func scanLog(f *os.File, gen uint64) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReader(f)
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil // created, header never (fully) written: rewritten on open
	}
	got, err := parseHeader(h, logMagic, "log")
	if err != nil {
		return 0, err
	}
	if got != gen {
		return 0, &FormatError{Source: "log", Offset: 12, Err: errors.New("log generation does not match the snapshot")}
	}
	return scanFrames(r, headerSize, st.Size()), nil
}

// scanFrames reads frames from r, which is at offset off of a file of size
// bytes, and returns the offset where the valid frames end: at the end of
// the input, or at the first torn or corrupt frame.
func scanFrames(r *bufio.Reader, off, size int64) int64 {
	var buf []byte
	for {
		b, err := readFrame(r, off, size-off, "log", buf)
		if err != nil {
			return off // io.EOF, or a torn/corrupt tail: keep the prefix
		}
		buf = b
		off += 8 + int64(len(b))
	}
}

func appendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli()))
	return append(dst, payload...)
}
