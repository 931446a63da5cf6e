package identity

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// randomLinkFact returns a link fact with 0 to 5 identifiers and 0 to 2
// blocked ones (at least one in all), a profile id or none, and a time in
// 2000..2099 with milliseconds; now and then a custom type, an event id
// with non-ASCII or escaped characters.
func randomLinkFact(r *rand.Rand) LinkFact {
	types := []Type{TypeAnonymousID, TypeEmail, TypeUserID, TypeDeviceID, TypePhone, "custom.type_9", "x"}
	lf := LinkFact{
		EventID: fmt.Sprintf("%08x-%04x-7000-8000-%012x", r.Uint32(), r.Uint32N(1<<16), r.Uint64N(1<<48)),
		Time:    time.UnixMilli(946684800000 + r.Int64N(3155760000000)).UTC(),
	}
	switch r.IntN(8) {
	case 0:
		lf.EventID = "ev-ü-\"-<&>-\u2028-\t-" + lf.EventID[:8]
	case 1:
		lf.EventID = "e"
	}
	if r.IntN(3) > 0 {
		lf.ProfileID = fmt.Sprintf("p_%016x", r.Uint64())
	}
	ref := func() Ref {
		var k Key
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		return Ref{Type: types[r.IntN(len(types))], Key: k}
	}
	for range r.IntN(6) {
		lf.IDs = append(lf.IDs, ref())
	}
	for range r.IntN(3) {
		lf.Blocked = append(lf.Blocked, ref())
	}
	if len(lf.IDs)+len(lf.Blocked) == 0 {
		lf.IDs = append(lf.IDs, ref())
	}
	return lf
}

// TestScanLinkFactEncoded: the scanner reads every fact EncodeLinkFact
// writes, and gives what the encoding/json path gives.
func TestScanLinkFactEncoded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		lf := randomLinkFact(r)
		source := []string{"", "gw-1", "store-ü"}[i%3]
		rec, err := EncodeLinkFact(lf, source, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := scanLinkFact(rec.Payload)
		if !ok {
			t.Fatalf("scanner declines %s", rec.Payload)
		}
		want, err := decodeLinkFactJSON(rec.Payload)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("scanner: %+v\nencoding/json: %+v, %v", got, want, err)
		}
	}
}

// linkFactVariants are payloads the scanner must decline (encoding/json
// reads them otherwise than the scanner would, or refuses them), each as
// a replacement in an encoded fact.
var linkFactVariants = []struct{ old, new string }{
	{`"eventId"`, `"EventId"`},
	{`"eventId"`, `"eventıd"`}, // no simple fold to i: an unknown key, skipped
	{`"type":"track"`, `"Type":"track"`},
	{`"key"`, `"KEY"`},
	{`"keyVersion":1`, `"keyVersion":1,"keyVersion":1`},
	{`"keyVersion":1`, `"keyVersion":1.0`},
	{`"keyVersion":1`, `"keyVersion":2`},
	{`"keyVersion":1`, `"keyVersion":"1"`},
	{`"keyVersion":1`, `"keyVersion":null`},
	{`"profileId":"`, `"profileId":null,"x":"`},
	{`"source":"gw-1"`, `"source":1`},
	{`"source":"gw-1"`, `"source":null`},
	{`"source":"gw-1"`, `"source":"g\xffw"`},
	{`"event":"Identity Linked"`, `"event":"Identity Linked","event":"Identity Linked"`},
	{`"properties":{`, `"properties":null,"p":{`},
	{`"identifiers":[`, `"identifiers":null,"i":[`},
	{`"identifiers":[`, `"identifiers":[null,`},
	{`"identifiers":[`, `"identifiers":[{"key":"00112233445566778899aabbccddeeff","type":"email","type":"email"},`},
	{`"identifiers":[`, `"identifiers":[{"type":"email"},`},
	{`"identifiers":[`, `"identifiers":[{"key":"00112233445566778899AABBCCDDEEFF","type":"email"},`},
	{`"identifiers":[`, `"identifiers":[{"key":"00112233445566778899aabbccddeeff","type":"Email"},`},
	{`"time":"`, `"time":"2025-01-01T00:00:00Z","t":"`},
	{`"eventId":"`, `"eventId":"\xff`},
	{`"eventId":"`, `"eventId":"\ud800`},
	{`"type":"track"`, `"type":"tr\u0061ck"`},
	{`"context":{`, `"context":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],`},
	{`"context":{`, `"context":{"n":1e999,`},
	{`"context":{`, `"context":{"s":"\xff",`},
	{`"context":{`, `"CONTEXT":{`},
}

// TestScanLinkFactVariants: for each variant, DecodeLinkFact gives what
// the encoding/json path gives, and the scanner declines unless it gives
// the same fact.
func TestScanLinkFactVariants(t *testing.T) {
	k, _ := ParseKey("00112233445566778899aabbccddeeff")
	rec, err := EncodeLinkFact(LinkFact{EventID: "e-1", Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), IDs: []Ref{{Type: TypeEmail, Key: k}}, ProfileID: "p_1"}, "gw-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range linkFactVariants {
		b := bytes.Replace(rec.Payload, []byte(v.old), []byte(v.new), 1)
		if bytes.Equal(b, rec.Payload) {
			t.Fatalf("variant %q does not apply", v.new)
		}
		want, wantErr := decodeLinkFactJSON(b)
		if lf, ok := scanLinkFact(b); ok && (wantErr != nil || !reflect.DeepEqual(lf, want)) {
			t.Errorf("%s: scanner %+v; encoding/json %+v, %v", b, lf, want, wantErr)
		}
		got, err := DecodeLinkFact(b)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(err, wantErr) {
			t.Errorf("%s: DecodeLinkFact %+v, %v; encoding/json %+v, %v", b, got, err, want, wantErr)
		}
	}
}

// linkFactSeeds returns the seeds of the link-fact fuzz targets: encoded
// facts (blocked, profileId and source variants) and the variants above.
func linkFactSeeds(tb testing.TB) [][]byte {
	k, _ := ParseKey("00112233445566778899aabbccddeeff")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var out [][]byte
	for i, lf := range []LinkFact{
		{EventID: "e-1", Time: t0, IDs: []Ref{{Type: TypeEmail, Key: k}, {Type: TypeUserID, Key: k}}, ProfileID: "p_1"},
		{EventID: "0197a3c4-0000-7000-8000-000000000001", Time: time.Date(2030, 6, 1, 12, 0, 0, 5e6, time.UTC), Blocked: []Ref{{Type: TypeUserID, Key: k}}},
		{EventID: "e-2", Time: t0, IDs: []Ref{{Type: TypeEmail, Key: k}}, Blocked: []Ref{{Type: "custom.t", Key: k}}, ProfileID: "p_2"},
		{EventID: "e-\"3\"", Time: time.Date(2099, 12, 31, 23, 59, 59, 999e6, time.UTC), IDs: []Ref{{Type: TypeDeviceID, Key: k}}},
	} {
		rec, err := EncodeLinkFact(lf, []string{"gw-1", "", "gw-1", "store-ü"}[i], nil)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, rec.Payload)
		for _, v := range linkFactVariants {
			if b := bytes.Replace(rec.Payload, []byte(v.old), []byte(v.new), 1); !bytes.Equal(b, rec.Payload) {
				out = append(out, b)
			}
		}
	}
	return append(out, []byte(`{"type":"track","event":"Identity Linked","properties":{"keyVersion":1}}`), []byte(`{`), []byte(` {} `))
}
