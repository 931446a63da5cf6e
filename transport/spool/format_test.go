package spool_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
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
	ver[8] = 7
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
	binary.BigEndian.PutUint32(ver[4:], crc32.Checksum(ver[8:], crc32.MakeTable(crc32.Castagnoli)))
	if _, _, err := spool.DecodeFrame(ver); !errors.Is(err, spool.ErrVersion) {
		t.Errorf("unknown version: %v", err)
	}
}

// TestReadsVersion1Golden keeps old spools readable: testdata holds a
// version-1 segment file; every later release must still replay it.
func TestReadsVersion1Golden(t *testing.T) {
	path := filepath.Join("testdata", "segment_v1.golden")
	if *update {
		b := []byte{'T', 'P', 'S', 'P', 1, 0, 0, 0}
		for i := range 3 {
			b, _ = spool.AppendFrame(b, rec(i))
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	// The encoder still writes exactly these bytes.
	b := []byte{'T', 'P', 'S', 'P', 1, 0, 0, 0}
	for i := range 3 {
		b, _ = spool.AppendFrame(b, rec(i))
	}
	if !bytes.Equal(b, golden) {
		t.Fatal("version-1 encoding changed; add a new version instead")
	}
	// And a spool directory holding it replays all three records.
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
}
