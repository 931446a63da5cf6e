package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// segment is one segment file's bookkeeping. Guarded by Spool.mu.
type segment struct {
	seq     uint64
	size    int64 // bytes in the file, header included
	records int   // frames in it
	acked   int   // frames acknowledged (non-zero only for the head)
	ackOff  int64 // offset after the last acknowledged frame (head only)
}

func segName(seq uint64) string { return fmt.Sprintf("%020d.seg", seq) }

func parseSegName(name string) (uint64, bool) {
	s, ok := strings.CutSuffix(name, ".seg")
	if !ok || len(s) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// scanResult is what scanning a segment found.
type scanResult struct {
	records  int   // valid frames
	before   int   // valid frames ending at or before the ack offset
	validEnd int64 // end of the last valid frame
	err      error // why scanning stopped early (nil at a clean end)
}

// scanSegment validates every frame of f up to size.
func scanSegment(f File, name string, size, ackOff int64) scanResult {
	var res scanResult
	hdr := make([]byte, headerSize)
	if _, err := f.ReadAt(hdr, 0); err != nil || size < headerSize {
		res.err = &FormatError{File: name, Err: ErrTruncated}
		return res
	}
	if err := checkHeader(hdr); err != nil {
		res.err = &FormatError{File: name, Err: err}
		return res
	}
	res.validEnd = headerSize
	buf := make([]byte, 1<<20)
	pos := int64(headerSize)
	for pos < size {
		n := min(int64(len(buf)), size-pos)
		if _, err := f.ReadAt(buf[:n], pos); err != nil && !errors.Is(err, io.EOF) {
			res.err = &FormatError{File: name, Offset: pos, Err: fmt.Errorf("%w: read: %w", ErrTruncated, err)}
			return res
		}
		b := buf[:n]
		more := pos+n < size // the file continues past this chunk
		used := 0
		for used < len(b) {
			_, fl, err := frame(b[used:])
			if err == nil {
				used += fl
				res.records++
				if pos+int64(used) <= ackOff {
					res.before++
				}
				res.validEnd = pos + int64(used)
				continue
			}
			if errors.Is(err, ErrTruncated) && more {
				if used == 0 && len(b) >= frameOverhead {
					// One frame larger than the buffer: grow it.
					need := int64(frameOverhead) + int64(binary.BigEndian.Uint32(b))
					if need > int64(len(buf)) && pos+need <= size {
						buf = make([]byte, need)
						break
					}
				}
				if used > 0 {
					break // continue from this frame's start
				}
			}
			res.err = &FormatError{File: name, Offset: pos + int64(used), Err: err}
			return res
		}
		pos += int64(used)
	}
	return res
}

// readBatch reads up to maxEvents frames holding at most maxBytes of payload
// (at least one frame) from f, starting at off and not past limit. The
// records alias one freshly allocated buffer. It returns the records and the
// offset after the last one.
func readBatch(f File, name string, off, limit int64, maxEvents, maxBytes int) ([]*connected.Record, int64, error) {
	if off >= limit {
		return nil, off, nil
	}
	want := min(limit-off, int64(maxBytes)+int64(maxEvents)*192+4096)
	for {
		buf := make([]byte, want)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, off, fmt.Errorf("spool: read %s: %w", name, err)
		}
		slab := make([]connected.Record, 0, min(maxEvents, 64+len(buf)/128))
		var out []*connected.Record
		used, payload := 0, 0
		for used < len(buf) && len(out) < maxEvents {
			body, fl, err := frame(buf[used:])
			if errors.Is(err, ErrTruncated) && used > 0 {
				break
			}
			if errors.Is(err, ErrTruncated) && len(buf) >= frameOverhead {
				need := int64(frameOverhead) + int64(binary.BigEndian.Uint32(buf))
				if need > want && off+need <= limit {
					want = need
					break
				}
			}
			if err != nil {
				return out, off + int64(used), &FormatError{File: name, Offset: off + int64(used), Err: err}
			}
			if len(slab) == cap(slab) {
				slab = make([]connected.Record, 0, cap(slab))
			}
			slab = slab[:len(slab)+1]
			r := &slab[len(slab)-1]
			if err := decodeBody(body, r); err != nil {
				return out, off + int64(used), &FormatError{File: name, Offset: off + int64(used), Err: err}
			}
			if len(out) > 0 && payload+len(r.Payload) > maxBytes {
				break
			}
			payload += len(r.Payload)
			out = append(out, r)
			used += fl
		}
		if used == 0 && int64(len(buf)) < want {
			continue // grown for a large frame
		}
		return out, off + int64(used), nil
	}
}
