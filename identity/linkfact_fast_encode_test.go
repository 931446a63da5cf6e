package identity

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// oldEncodeLinkFact is EncodeLinkFact as it was before appendLinkFact:
// the reference TestAppendLinkFact compares with.
func oldEncodeLinkFact(lf LinkFact, source string, secret []byte) (*connected.Record, error) {
	fj := factJSON{EventID: lf.EventID, KeyVersion: 1, ProfileID: lf.ProfileID, Source: source, Time: lf.Time.UTC().Format(factTimeLayout)}
	for _, r := range lf.IDs {
		fj.Identifiers = append(fj.Identifiers, refJSON{Key: r.Key.String(), Type: string(r.Type)})
	}
	for _, r := range lf.Blocked {
		fj.Blocked = append(fj.Blocked, refJSON{Key: r.Key.String(), Type: string(r.Type)})
	}
	props := connected.Properties{"eventId": fj.EventID, "keyVersion": 1, "time": fj.Time}
	ids := make([]any, len(fj.Identifiers))
	for i, r := range fj.Identifiers {
		ids[i] = map[string]any{"key": r.Key, "type": r.Type}
	}
	props["identifiers"] = ids
	if len(fj.Blocked) > 0 {
		bl := make([]any, len(fj.Blocked))
		for i, r := range fj.Blocked {
			bl[i] = map[string]any{"key": r.Key, "type": r.Type}
		}
		props["blocked"] = bl
	}
	anon := lf.ProfileID
	if anon == "" {
		anon = "identity-graph"
	} else {
		props["profileId"] = lf.ProfileID
	}
	if source != "" {
		props["source"] = source
	}
	e := connected.Event{
		Type:              connected.TypeTrack,
		MessageID:         uuid.NewSHA1(linkFactNamespace(), []byte("identity-linked\x00"+lf.EventID)).String(),
		AnonymousID:       anon,
		Event:             EventIdentityLinked,
		Properties:        props,
		OriginalTimestamp: lf.Time.UTC(),
		Category:          connected.CategoryIdentity,
		Context:           connected.Context{Library: connected.Library{Name: connected.LibraryName, Version: connected.Version}},
	}
	payload, err := connected.AppendSegment(nil, &e)
	if err != nil {
		return nil, err
	}
	return &connected.Record{
		ID:           e.MessageID,
		Type:         e.Type,
		Time:         e.OriginalTimestamp,
		Category:     e.Category,
		PartitionKey: connected.PartitionKey(secret, anon),
		ProfileID:    lf.ProfileID,
		AnonymousID:  anon,
		Payload:      payload,
		Event:        &e,
	}, nil
}

// TestAppendLinkFact: EncodeLinkFact gives the record the map-based
// construction gives (payload byte for byte, event, error), for random
// facts, some outside the writer's domain (escapes, invalid UTF-8, blank
// or odd profile ids, times out of range, zone offsets); and the writer
// takes the plain ones.
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
		want, wantErr := oldEncodeLinkFact(lf, source, secret)
		got, err := EncodeLinkFact(lf, source, secret)
		if !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("%+v: error %v, want %v", lf, err, wantErr)
		}
		if err != nil {
			continue
		}
		if !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("payload\n%s\nwant\n%s", got.Payload, want.Payload)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record\n%+v\nwant\n%+v\nevent\n%+v\nwant\n%+v", got, want, got.Event, want.Event)
		}
		anon := lf.ProfileID
		if anon == "" {
			anon = "identity-graph"
		}
		var id [36]byte
		linkFactID(&id, lf.EventID)
		if _, ok := appendLinkFact(nil, &lf, source, anon, &id); ok {
			fast++
		}
	}
	if fast < 10000 {
		t.Fatalf("the writer took %d facts of 20000", fast)
	}
}
