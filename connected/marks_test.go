package connected_test

import (
	"bytes"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// TestMarksSurviveStorage: a record rebuilt from its stored bytes (a copy
// of the payload, as a spool reads it back) has no marks until SetMarks
// restores those Marks gave, and then frames byte for byte as the
// original; SetMarks refuses offsets that do not hold the keys.
func TestMarksSurviveStorage(t *testing.T) {
	fx := fixtures()
	for _, name := range []string{"track_zone_entered", "identify", "timestamp"} {
		orig := record(t, fx[name])
		ot, ts, ok := orig.Marks()
		if !ok || ot < 0 {
			t.Fatalf("%s: a Client's record has no marks: %d %d %v", name, ot, ts, ok)
		}
		back := *orig
		back.Payload = bytes.Clone(orig.Payload)
		if o, s, ok := back.Marks(); ok || o != -1 || s != -1 {
			t.Fatalf("%s: a copied payload kept the marks: %d %d", name, o, s)
		}
		if !back.SetMarks(ot, ts) {
			t.Fatalf("%s: SetMarks(%d, %d) refused the encoder's offsets", name, ot, ts)
		}
		if o, s, ok := back.Marks(); !ok || o != ot || s != ts {
			t.Fatalf("%s: after SetMarks: %d %d %v", name, o, s, ok)
		}
		want, err := connected.AppendSegmentBatch(nil, []*connected.Record{orig}, t0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := connected.AppendSegmentBatch(nil, []*connected.Record{&back}, t0)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: restored marks frame differently: %v\n%s\n%s", name, err, got, want)
		}

		bad := *orig
		bad.Payload = bytes.Clone(orig.Payload)
		for _, c := range []struct {
			why    string
			ot, ts int
		}{
			{"one byte early", ot - 1, ts},
			{"one byte late", ot + 1, ts},
			{"both at one offset", ot, ot},
			{"past the end", len(bad.Payload), -1},
			{"timestamp at the originalTimestamp key", -1, ot},
			{"at the opening brace", 0, -1},
		} {
			if bad.SetMarks(c.ot, c.ts) {
				t.Errorf("%s: SetMarks accepted %s (%d, %d)", name, c.why, c.ot, c.ts)
			}
			if _, _, ok := bad.Marks(); ok {
				t.Fatalf("%s: a refused SetMarks marked the record", name)
			}
		}
	}
	for _, p := range []string{``, `{`, `[]`, `{"originalTimestamp":1`, `"x"`} {
		r := &connected.Record{Payload: []byte(p)}
		if r.SetMarks(-1, -1) {
			t.Errorf("SetMarks accepted a payload that is not an object: %q", p)
		}
	}
}
