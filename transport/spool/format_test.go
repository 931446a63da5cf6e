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

// TestVersion2Golden fixes the version-2 encoding: a segment of three
// records numbered 1 to 3, as Send writes it.
func TestVersion2Golden(t *testing.T) {
	path := filepath.Join("testdata", "segment_v2.golden")
	dir := t.TempDir()
	hold := make(chan struct{})
	sp := open(t, dir, transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error {
		select {
		case <-hold:
		case <-ctx.Done():
		}
		return ctx.Err()
	}), spool.WithDrainOnShutdown(false))
	if err := sp.Send(t.Context(), recs(0, 3)); err != nil {
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
		t.Fatal("version-2 encoding changed; add a new version instead")
	}
	// Header: magic, version 2, no flags, first record number 1.
	if string(golden[:4]) != "TPSP" || golden[4] != 2 || golden[5] != 0 || binary.BigEndian.Uint64(golden[8:]) != 1 {
		t.Fatalf("header % x", golden[:28])
	}
	// Three frames, each starting with the marker, numbered 1, 2, 3.
	off := 28
	for i := range 3 {
		if !bytes.Equal(golden[off:off+4], []byte{0xF5, 'T', 'P', 0xF6}) {
			t.Fatalf("frame %d at %d: no marker", i, off)
		}
		if seq := binary.BigEndian.Uint64(golden[off+13:]); seq != uint64(i+1) {
			t.Fatalf("frame %d numbered %d", i, seq)
		}
		r, n, err := spool.DecodeFrame(golden[off:])
		if err != nil || !equalRecords(r, rec(i)) {
			t.Fatalf("frame %d: %v", i, err)
		}
		off += n
	}
	if off != len(golden) {
		t.Fatalf("%d trailing bytes", len(golden)-off)
	}
}
