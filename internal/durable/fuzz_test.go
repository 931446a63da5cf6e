package durable_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// FuzzLog writes arbitrary bytes after a valid log header and opens the
// store. Properties: Open never fails on frame damage; the records it keeps
// are exactly the longest prefix of well-formed frames (checked by an
// independent decoder here); the kept size plus the reported cut is the
// file's size; appending after recovery and reopening keeps them and adds
// the new one.
func FuzzLog(f *testing.F) {
	tbl := crc32.MakeTable(crc32.Castagnoli)
	frame := func(p string) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(p)))
		b = binary.BigEndian.AppendUint32(b, crc32.Checksum([]byte(p), tbl))
		return append(b, p...)
	}
	f.Add([]byte{})
	f.Add(frame(`{"op":"grant","subject":"u-1"}`))
	f.Add(append(frame("one"), frame("two")...))
	f.Add(append(frame("one"), frame("two")[:5]...))
	f.Add(append(frame("one"), 0, 0, 0, 0, 0, 0, 0, 0))
	f.Add(append(frame("one"), 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4))
	bad := frame("checksum")
	bad[9] ^= 1
	f.Add(bad)
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		st := open(t, dir, testCfg)
		st.Close()
		path := logPath(t, dir)
		hdr := readFile(t, path)
		writeFile(t, path, append(hdr, body...))

		// the reference decoder
		var want [][]byte
		off := 0
		for len(body)-off >= 8 {
			n := int(binary.BigEndian.Uint32(body[off:]))
			if n == 0 || n > durable.MaxRecord || n > len(body)-off-8 {
				break
			}
			p := body[off+8 : off+8+n]
			if crc32.Checksum(p, tbl) != binary.BigEndian.Uint32(body[off+4:]) {
				break
			}
			want = append(want, p)
			off += 8 + n
		}

		st, err := durable.Open(dir, testCfg)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		_, got := all(t, st)
		if len(got) != len(want) {
			t.Fatalf("%d records, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("record %d differs", i)
			}
		}
		rc := st.Recovery()
		if int64(off)+rc.Bytes != int64(len(body)) || (rc.Bytes > 0) != (rc.Cause != nil) {
			t.Fatalf("kept %d, Recovery %+v, body %d", off, rc, len(body))
		}
		if rc.Cause != nil && !errors.Is(rc.Cause, durable.ErrCorrupt) {
			t.Fatalf("cause %v", rc.Cause)
		}
		if err := st.Append(context.Background(), []byte("after")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		st = open(t, dir, testCfg)
		defer st.Close()
		_, got = all(t, st)
		if len(got) != len(want)+1 || string(got[len(want)]) != "after" {
			t.Fatalf("after append: %d records", len(got))
		}
	})
}
