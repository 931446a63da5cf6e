package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// scanChunk is how much of a file a window reads at once.
const scanChunk = 1 << 20

// window reads a file through a buffer that it refills as the position
// moves. The slices it returns are valid until the next call.
type window struct {
	f    File
	size int64
	buf  []byte
	off  int64 // file offset of buf[0]
	n    int   // valid bytes in buf
}

// at returns the file's bytes [pos, pos+n), fewer at the end of the file.
func (w *window) at(pos int64, n int) ([]byte, error) {
	want := int(min(int64(n), w.size-pos))
	if want <= 0 {
		return nil, nil
	}
	if pos >= w.off && pos+int64(want) <= w.off+int64(w.n) {
		return w.buf[pos-w.off:][:want], nil
	}
	read := int(min(int64(max(want, scanChunk)), w.size-pos))
	if cap(w.buf) < read {
		w.buf = make([]byte, read)
	}
	w.buf = w.buf[:read]
	k, err := w.f.ReadAt(w.buf, pos)
	if err != nil && !errors.Is(err, io.EOF) {
		w.n = 0
		return nil, err
	}
	w.off, w.n = pos, k
	return w.buf[:min(k, want)], nil
}

// frame checks the frame at pos: its version+body bytes (valid until the
// next call) and length. v1 also accepts version-1 frames.
//
// It asks the window for the frame's header first and then for exactly the
// length the header declares, so a scan reads each chunk of the file once
// (asking for a whole chunk at every frame re-read a chunk per frame).
func (w *window) frame(pos int64, v1 bool) (body []byte, n int, err error) {
	b, err := w.at(pos, frameOverhead)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: read: %w", ErrTruncated, err)
	}
	if need := declaredLen(b, v1); need > len(b) && pos+int64(need) <= w.size {
		if b, err = w.at(pos, need); err != nil {
			return nil, 0, fmt.Errorf("%w: read: %w", ErrTruncated, err)
		}
	}
	return frameAt(b, v1)
}

// rest returns the bytes from pos to the end of the buffered chunk, or, when
// fewer than min are buffered there, a new chunk read at pos.
func (w *window) rest(pos int64, min int) ([]byte, error) {
	if pos >= w.off && pos+int64(min) <= w.off+int64(w.n) {
		return w.buf[pos-w.off : w.n], nil
	}
	return w.at(pos, scanChunk)
}

// declaredLen is the total length the frame at the start of b declares, 0
// if unknown.
func declaredLen(b []byte, v1 bool) int {
	if len(b) >= frameOverhead && [4]byte(b[:4]) == frameMarker {
		if l := binary.BigEndian.Uint32(b[4:]); l <= MaxFrameBytes {
			return frameOverhead + int(l)
		}
		return 0
	}
	if v1 && len(b) >= frameOverheadV1 {
		if l := binary.BigEndian.Uint32(b); l <= MaxFrameBytes {
			return frameOverheadV1 + int(l)
		}
	}
	return 0
}

// frameInfo is a frame that checks.
type frameInfo struct {
	n       int
	seq     uint64 // record sequence number; for a filler, the one expected after it
	filler  bool
	version byte // the frame's version byte
}

// check validates the frame at pos fully: checksum, known version, well-formed
// body. An error wrapping ErrVersion means a newer release wrote it.
func (w *window) check(pos int64, v1 bool, scratch *connected.Record) (frameInfo, error) {
	body, n, err := w.frame(pos, v1)
	if err != nil {
		return frameInfo{}, err
	}
	seq, err := decodeBody(body, scratch)
	*scratch = connected.Record{}
	if err != nil {
		return frameInfo{}, err
	}
	return frameInfo{n: n, seq: seq, filler: body[0] == versionFiller, version: body[0]}, nil
}

// resync finds the next frame that checks after the bad one at from, up to
// limit. It returns its position (limit if none) and how many frame markers
// it passed, the frame at from included: an estimate of the frames lost.
// With v1 every position is tried, as version-1 frames carry no marker.
func (w *window) resync(from, limit int64, v1 bool) (next int64, markers int, err error) {
	var scratch connected.Record
	try := func(p int64) (bool, error) {
		_, err := w.check(p, v1, &scratch)
		if errors.Is(err, ErrVersion) {
			return false, &FormatError{Offset: p, Err: err}
		}
		return err == nil, nil
	}
	if b, _ := w.at(from, 4); len(b) == 4 && [4]byte(b) == frameMarker {
		markers++
	}
	for p := from + 1; p < limit; {
		if v1 {
			ok, err := try(p)
			if err != nil || ok {
				return p, markers, err
			}
			if b, _ := w.at(p, 4); len(b) == 4 && [4]byte(b) == frameMarker {
				markers++
			}
			p++
			continue
		}
		b, err := w.rest(p, len(frameMarker))
		if err != nil {
			return limit, markers, fmt.Errorf("spool: read: %w", err)
		}
		b = b[:min(int64(len(b)), limit-p)]
		i := bytes.Index(b, frameMarker[:])
		if i < 0 {
			if p+int64(len(b)) >= limit {
				break
			}
			p += int64(max(len(b)-3, 1))
			continue
		}
		p += int64(i)
		ok, err := try(p)
		if err != nil || ok {
			return p, markers, err
		}
		markers++
		p++
	}
	return limit, markers, nil
}

// region is a damaged byte range of a segment.
type region struct {
	start, end int64
	estimate   int // records it held, as far as the markers tell (at least 1)
}

// scanResult is what scanning a segment found.
type scanResult struct {
	hdr     segHeader
	hdrOK   bool // the header was intact (or repaired by its checksum)
	records int  // record frames that check, from the scan start on
	// frameVersion is the highest version of those record frames (0: none)
	frameVersion byte
	validEnd     int64 // end of the last frame that checks (the header's end if none)
	regions      []region
	tail         *region // damage that runs to the end of the file
	maxSeq       uint64
	first        int64 // where the first frame that checks starts, -1 if none
	firstV1      bool  // and whether it is a version-1 frame
}

// scanSegment reads the header of segment name and every frame from
// max(from, header end) to the end of the file. Every frame that checks and
// every damaged region is passed to t, in order, for the loss count.
func scanSegment(f File, name string, size, from int64, t *tally) (scanResult, error) {
	w := &window{f: f, size: size}
	res := scanResult{first: -1}
	hb, err := w.at(0, headerSize)
	if err != nil {
		return res, fmt.Errorf("spool: read %s: %w", name, err)
	}
	h, ok := parseHeader(hb)
	res.hdr, res.hdrOK = h, ok || h.version != 0
	v1 := h.version == 1
	start := h.size
	if !res.hdrOK {
		// Unknown header: look for frames of either version after the
		// shortest header.
		v1, start = true, headerSizeV1
		if len(hb) >= 4 && string(hb[:4]) == segMagic && len(hb) > 4 && hb[4] > FormatVersion {
			// Perhaps a newer release's segment: refuse unless frames of a
			// known version are found below.
			res.hdr.version = hb[4]
		}
	}
	if res.hdrOK && h.flags != 0 {
		res.validEnd = start
		return res, nil // a tombstone: no frames
	}
	if res.hdrOK && h.firstSeq != 0 && from <= start {
		t.point(h.firstSeq)
	}
	pos := max(from, start)
	res.validEnd = min(pos, size)
	headGap := !res.hdrOK // bytes before the first frame may be the rest of a header
	var scratch connected.Record
	found := false
	for pos < size {
		fi, err := w.check(pos, v1, &scratch)
		if err == nil {
			if !found {
				b, _ := w.at(pos, 4)
				res.first, res.firstV1 = pos, len(b) < 4 || [4]byte(b) != frameMarker
			}
			found, headGap = true, false
			if fi.filler {
				t.forget()
				if fi.seq != 0 {
					t.point(fi.seq)
				}
			} else {
				res.records++
				res.frameVersion = max(res.frameVersion, fi.version)
				if fi.seq == 0 {
					t.unsequenced()
				} else {
					t.point(fi.seq)
					t.expect = fi.seq + 1
					res.maxSeq = max(res.maxSeq, fi.seq)
				}
			}
			pos += int64(fi.n)
			res.validEnd = pos
			continue
		}
		if errors.Is(err, ErrVersion) {
			return res, &FormatError{File: name, Offset: pos, Err: err}
		}
		next, markers, rerr := w.resync(pos, size, v1)
		if rerr != nil {
			var fe *FormatError
			if errors.As(rerr, &fe) {
				fe.File = name
			}
			return res, rerr
		}
		rg := region{start: pos, end: next, estimate: max(markers, 1)}
		if headGap && (next < size || size <= headerSize) {
			rg.estimate = markers // perhaps only the rest of a damaged header
		}
		headGap = false
		where := fmt.Sprintf("%s offset %d", name, pos)
		t.damage(where, rg.estimate)
		if next >= size {
			res.tail = &rg
			break
		}
		res.regions = append(res.regions, rg)
		pos = next
	}
	if !found && !res.hdrOK && res.hdr.version > FormatVersion {
		return res, &FormatError{File: name, Err: fmt.Errorf("%w: segment version %d", ErrVersion, res.hdr.version)}
	}
	return res, nil
}

// Loss describes records the spool could not recover: Records of them (at
// least that many when Estimated) at Where (a file and offset, or a missing
// segment).
type Loss struct {
	Where     string
	Records   int
	Estimated bool
}

// tally counts lost records from gaps in the record sequence numbers. expect
// is the number of the record expected next (0: unknown); damage seen since
// the last known number is kept as an estimate until the next number tells
// the exact count.
type tally struct {
	expect   uint64
	estimate int
	where    []string
	losses   []Loss
}

// point says that the next record is numbered seq.
func (t *tally) point(seq uint64) {
	switch {
	case t.expect != 0 && seq > t.expect:
		t.add(int(min(seq-t.expect, 1<<31)), false)
	case t.expect == 0 && t.estimate > 0:
		t.add(t.estimate, true)
	}
	t.estimate, t.where = 0, t.where[:0]
	t.expect = seq
}

// damage notes a damaged region or missing segment holding about n records.
func (t *tally) damage(where string, n int) {
	t.estimate += n
	t.where = append(t.where, where)
}

// unsequenced notes a record without a sequence number (version 1).
func (t *tally) unsequenced() {
	t.flush()
	t.expect = 0
}

// forget drops what is known: after a filler or tombstone, whose records
// were accounted for before.
func (t *tally) forget() {
	t.estimate, t.where = 0, t.where[:0]
	t.expect = 0
}

// flush turns the pending estimate into a loss.
func (t *tally) flush() {
	if t.estimate > 0 {
		t.add(t.estimate, true)
	}
	t.estimate, t.where = 0, t.where[:0]
}

func (t *tally) add(n int, estimated bool) {
	where := ""
	if len(t.where) > 0 {
		where = t.where[0]
		if len(t.where) > 1 {
			where = fmt.Sprintf("%s (and %d more places)", where, len(t.where)-1)
		}
	}
	t.losses = append(t.losses, Loss{Where: where, Records: n, Estimated: estimated})
}
