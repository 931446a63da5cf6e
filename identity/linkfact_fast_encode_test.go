package identity

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestAppendLinkFact: EncodeLinkFact gives the record the map-based
// construction gives (payload byte for byte, event, error), for random
// facts, some outside the writer's domain (escapes, invalid UTF-8, blank
// or odd profile ids, times out of range, zone offsets); and the writer
// takes the plain ones. AppendLinkFact gives the same payload, id and
// error.
func TestAppendLinkFact(t *testing.T) {
	if linkFactTail() == nil {
		t.Fatal("the writer is disabled: its output differs from connected.AppendSegment's")
	}
	r := rand.New(rand.NewPCG(3, 4))
	odd := []string{"", " ", "  ", "\t", "a\"b", "a\\b", "é", "\xff", "\u2028", "<&>", "\x7f", "x y", "\u00a0"}
	zones := []*time.Location{time.UTC, time.FixedZone("x", -5*3600), time.FixedZone("y", 13*3600+1800)}
	fast := 0
	for i := range 20000 {
		lf := randomLinkFact(r)
		source := []string{"", "gw-1", "store-0042"}[i%3]
		secret := [][]byte{nil, []byte("pk")}[i%2]
		switch r.IntN(10) {
		case 0:
			lf.ProfileID = odd[r.IntN(len(odd))]
		case 1:
			source = odd[r.IntN(len(odd))]
		case 2:
			lf.EventID += odd[r.IntN(len(odd))]
		case 3:
			if len(lf.IDs) > 0 {
				lf.IDs[0].Type = Type(odd[r.IntN(len(odd))])
			}
		case 4:
			lf.Time = []time.Time{{}, time.Date(1999, 12, 31, 23, 59, 59, 999e6, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 23, 59, 59, 999999999, time.UTC)}[r.IntN(5)]
		case 5:
			lf.Time = lf.Time.Add(time.Duration(r.IntN(1e6))).In(zones[r.IntN(len(zones))])
		case 6:
			lf.IDs, lf.Blocked = nil, nil
		}
		want, wantErr := encodeLinkFactMaps(lf, source, keyWith(secret))
		got, err := EncodeLinkFact(lf, source, secret)
		if !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("%+v: error %v, want %v", lf, err, wantErr)
		}
		// AppendLinkFact: the same bytes, id and error, after what dst
		// held.
		prefix := []byte("held:")
		payload, gotID, err2 := AppendLinkFact(prefix[:len(prefix):len(prefix)], lf, source)
		if !reflect.DeepEqual(err2, wantErr) {
			t.Fatalf("%+v: AppendLinkFact error %v, want %v", lf, err2, wantErr)
		}
		if err != nil {
			if !bytes.Equal(payload, prefix) || gotID != "" {
				t.Fatalf("AppendLinkFact on error: %q, %q", payload, gotID)
			}
			continue
		}
		if !bytes.HasPrefix(payload, prefix) || !bytes.Equal(payload[len(prefix):], want.Payload) || gotID != want.ID {
			t.Fatalf("AppendLinkFact\n%s (%s)\nwant\n%s%s (%s)", payload, gotID, prefix, want.Payload, want.ID)
		}
		if !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("payload\n%s\nwant\n%s", got.Payload, want.Payload)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record\n%+v\nwant\n%+v\nevent\n%+v\nwant\n%+v", got, want, got.Event, want.Event)
		}
		anon, id := linkFactHead(&lf)
		if _, ok := appendLinkFact(nil, &lf, source, anon, &id); ok {
			fast++
		}
	}
	if fast < 10000 {
		t.Fatalf("the writer took %d facts of 20000", fast)
	}
}
