package spool_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func equalRecords(a, b *connected.Record) bool {
	return a.ID == b.ID && a.Type == b.Type && a.Time.Equal(b.Time) && a.Category == b.Category &&
		a.PartitionKey == b.PartitionKey && a.ProfileID == b.ProfileID && bytes.Equal(a.Payload, b.Payload)
}

func TestFrameRoundTrip(t *testing.T) {
	for i, r := range []*connected.Record{rec(1), {ID: "x", Payload: []byte("{}")}, {ID: "big", Payload: bytes.Repeat([]byte("a"), 100000)}} {
		b, err := spool.AppendFrame([]byte("prefix"), r)
		if err != nil {
			t.Fatal(err)
		}
		if len(b)-6 != spool.FrameSize(r) {
			t.Fatalf("%d: FrameSize %d, encoded %d", i, spool.FrameSize(r), len(b)-6)
		}
		got, n, err := spool.DecodeFrame(b[6:])
		if err != nil || n != len(b)-6 || !equalRecords(got, r) {
			t.Fatalf("%d: decoded %+v, %d, %v", i, got, n, err)
		}
	}
}

// TestFrameSizeVarintBoundaries: FrameSize equals the encoded length for
// fields whose lengths sit on each side of every varint byte boundary
// (127/128, 16,383/16,384, ...), up to payloads of 2 MiB.
func TestFrameSizeVarintBoundaries(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 129, 16383, 16384, 16385, 1<<21 - 1} {
		payload := bytes.Repeat([]byte("a"), n)
		id := string(bytes.Repeat([]byte("i"), min(n, 200)))
		r := &connected.Record{ID: id, Type: connected.TypeTrack, Category: connected.Category("x"),
			PartitionKey: "0123456789abcdef0123456789abcdef", Payload: payload}
		b, err := spool.AppendFrame(nil, r)
		if errors.Is(err, spool.ErrTooLarge) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != spool.FrameSize(r) {
			t.Fatalf("payload %d bytes: FrameSize %d, encoded %d", n, spool.FrameSize(r), len(b))
		}
	}
}

func TestDecodeFrameErrors(t *testing.T) {
	good, _ := spool.AppendFrame(nil, rec(1))
	flip := bytes.Clone(good)
	flip[len(flip)-3] ^= 0x40
	ver := bytes.Clone(good)
	ver[12] = 7
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"empty":       {nil, spool.ErrTruncated},
		"header only": {good[:8], spool.ErrTruncated},
		"torn":        {good[:len(good)-1], spool.ErrTruncated},
		"bit flip":    {flip, spool.ErrCorrupt},
		"zero length": {make([]byte, 12), spool.ErrCorrupt},
		"huge length": {[]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, spool.ErrCorrupt},
		"marker, huge length": {append([]byte{0xF5, 'T', 'P', 0xF6, 0xff, 0xff, 0xff, 0xff}, make([]byte, 8)...),
			spool.ErrCorrupt},
	}
	for name, c := range cases {
		_, n, err := spool.DecodeFrame(c.in)
		var fe *spool.FormatError
		if !errors.Is(err, c.want) || !errors.As(err, &fe) || n != 0 {
			t.Errorf("%s: %v (n=%d), want %v", name, err, n, c.want)
		}
	}
	// A version byte this code does not know, under a valid checksum, is
	// ErrVersion.
	crc := crc32.Update(crc32.Checksum(ver[4:8], castagnoli), castagnoli, ver[12:])
	binary.BigEndian.PutUint32(ver[8:], crc)
	if _, _, err := spool.DecodeFrame(ver); !errors.Is(err, spool.ErrVersion) {
		t.Errorf("unknown version: %v", err)
	}
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// v1Frame encodes r as a version-1 frame, as releases before version 2
// wrote it (a test-only encoder: this package writes only version 2).
func v1Frame(r *connected.Record) []byte {
	body := []byte{1}
	str := func(s string) { body = binary.AppendUvarint(body, uint64(len(s))); body = append(body, s...) }
	str(r.ID)
	str(string(r.Type))
	body = binary.BigEndian.AppendUint64(body, uint64(r.Time.UnixNano()))
	str(string(r.Category))
	str(r.PartitionKey)
	str(r.ProfileID)
	str(string(r.Payload))
	out := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	out = binary.BigEndian.AppendUint32(out, crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

// TestReadsVersion1Golden keeps old spools readable: testdata holds a
// version-1 segment file (written by the version-1 encoder); every later
// release must still replay it.
func TestReadsVersion1Golden(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "segment_v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	// The golden file is what the version-1 encoder wrote.
	b := []byte{'T', 'P', 'S', 'P', 1, 0, 0, 0}
	for i := range 3 {
		b = append(b, v1Frame(rec(i))...)
	}
	if !bytes.Equal(b, golden) {
		t.Fatal("testdata/segment_v1.golden is not the version-1 encoding")
	}
	// DecodeFrame reads a version-1 frame.
	r, n, err := spool.DecodeFrame(golden[8:])
	if err != nil || n != len(v1Frame(rec(0))) || !equalRecords(r, rec(0)) {
		t.Fatalf("DecodeFrame(v1) = %+v, %d, %v", r, n, err)
	}
	// And a spool directory holding it replays all three records, after an
	// acknowledgement file of version 1 that acknowledges nothing.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000007.seg"), golden, 0o644); err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	sp := open(t, dir, s)
	waitFor(t, "replay", func() bool { return sp.Pending() == 0 })
	for i, r := range s.recs {
		if !equalRecords(r, rec(i)) {
			t.Fatalf("record %d = %+v", i, r)
		}
	}
	if len(s.recs) != 3 {
		t.Fatalf("replayed %d records", len(s.recs))
	}
	if st := sp.Stats(); st.DroppedTotal() != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestReadsVersion2Golden keeps spools of the previous release readable:
// testdata holds a segment of three records numbered 1 to 3 as version-2
// Send wrote it (record frames without marks); every later release must
// still decode and replay it.
func TestReadsVersion2Golden(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "segment_v2.golden"))
	if err != nil {
		t.Fatal(err)
	}
	checkGoldenFrames(t, golden, 2, []*connected.Record{rec(0), rec(1), rec(2)})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000001.seg"), golden, 0o644); err != nil {
		t.Fatal(err)
	}
	// Inspect tells an operator the frames' version (before a downgrade,
	// say: a release before version-3 frames refuses them).
	if in, err := spool.Inspect(dir); err != nil || len(in.Segments) != 1 || in.Segments[0].Version != 2 {
		t.Fatalf("Inspect of a version-2 segment: %+v, %v", in, err)
	}
	s := &sink{}
	sp := open(t, dir, s)
	waitFor(t, "replay", func() bool { return sp.Pending() == 0 })
	if got := s.ids(); !slices.Equal(got, wantIDs(0, 3)) {
		t.Fatalf("replayed %v", got)
	}
}

// TestVersion3Golden fixes the version-3 encoding: a segment of three
// records numbered 1 to 3, as Send writes it, the last with marks (as a
// Client's record has them), which the frame keeps and decoding restores.
func TestVersion3Golden(t *testing.T) {
	path := filepath.Join("testdata", "segment_v3.golden")
	dir := t.TempDir()
	hold := make(chan struct{})
	sp := open(t, dir, transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error {
		select {
		case <-hold:
		case <-ctx.Done():
		}
		return ctx.Err()
	}), spool.WithDrainOnShutdown(false))
	in := []*connected.Record{rec(0), rec(1), markedRec(2)}
	if err := sp.Send(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	close(hold)
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "00000000000000000001.seg"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, golden) {
		t.Fatal("version-3 encoding changed; add a new version instead")
	}
	frames := checkGoldenFrames(t, golden, 3, in)
	if _, _, ok := frames[1].Marks(); ok {
		t.Error("a record without marks came back with marks")
	}
	wo, wt, _ := in[2].Marks()
	if o, ts, ok := frames[2].Marks(); !ok || o != wo || ts != wt {
		t.Errorf("marks came back as %d %d %v, want %d %d", o, ts, ok, wo, wt)
	}
}

// checkGoldenFrames checks a segment file of one header (version 2, no
// flags, first record number 1) and frames of the given version, numbered
// from 1, holding want; it returns the decoded records.
func checkGoldenFrames(t *testing.T, golden []byte, version byte, want []*connected.Record) []*connected.Record {
	t.Helper()
	if string(golden[:4]) != "TPSP" || golden[4] != 2 || golden[5] != 0 || binary.BigEndian.Uint64(golden[8:]) != 1 {
		t.Fatalf("header % x", golden[:28])
	}
	off := 28
	var out []*connected.Record
	for i := range want {
		if !bytes.Equal(golden[off:off+4], []byte{0xF5, 'T', 'P', 0xF6}) {
			t.Fatalf("frame %d at %d: no marker", i, off)
		}
		if golden[off+12] != version {
			t.Fatalf("frame %d: version %d, want %d", i, golden[off+12], version)
		}
		if seq := binary.BigEndian.Uint64(golden[off+13:]); seq != uint64(i+1) {
			t.Fatalf("frame %d numbered %d", i, seq)
		}
		r, n, err := spool.DecodeFrame(golden[off:])
		if err != nil || !equalRecords(r, want[i]) {
			t.Fatalf("frame %d: %v", i, err)
		}
		out = append(out, r)
		off += n
	}
	if off != len(golden) {
		t.Fatalf("%d trailing bytes", len(golden)-off)
	}
	return out
}

// TestReplayRestoresMarks: records a Client marked come back from disk
// (another process, after a restart) with their marks, so framing them
// for Segment needs no scan and gives the same bytes; records without
// marks come back without.
func TestReplayRestoresMarks(t *testing.T) {
	dir := t.TempDir()
	down := transport.SenderFunc(func(context.Context, []*connected.Record) error { return errors.New("collector down") })
	sp := open(t, dir, down, spool.WithDrainOnShutdown(false))
	in := []*connected.Record{markedRec(0), rec(1), markedRec(2)}
	if err := sp.Send(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		o, ts int
		ok    bool
		msg   []byte // the record framed for Segment, while the spool's buffer holds it
	}
	var got []seen
	var mu sync.Mutex
	sp2 := open(t, dir, transport.SenderFunc(func(_ context.Context, recs []*connected.Record) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range recs {
			o, ts, ok := r.Marks()
			msg, err := connected.AppendSegmentBatch(nil, []*connected.Record{r}, t0)
			if err != nil {
				return err
			}
			got = append(got, seen{o, ts, ok, msg})
		}
		return nil
	}))
	waitFor(t, "replay", func() bool { return sp2.Pending() == 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(in) {
		t.Fatalf("replayed %d records", len(got))
	}
	for i, g := range got {
		wo, wt, wok := in[i].Marks()
		if g.o != wo || g.ts != wt || g.ok != wok {
			t.Errorf("record %d: marks %d %d %v, sent with %d %d %v", i, g.o, g.ts, g.ok, wo, wt, wok)
		}
		want, err := connected.AppendSegmentBatch(nil, in[i:i+1], t0)
		if err != nil || !bytes.Equal(g.msg, want) {
			t.Errorf("record %d frames differently after replay: %v\n%s\n%s", i, err, g.msg, want)
		}
	}
}
