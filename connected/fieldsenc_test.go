package connected

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// keepAll is a PayloadOnly sink that keeps its records.
type keepAll struct{ recs []*Record }

func (k *keepAll) Handle(_ context.Context, r *Record) error { k.recs = append(k.recs, r); return nil }
func (*keepAll) PayloadOnly()                                {}

// TestFastFieldsMatchEventPath: on random fields, valid and not, the fast
// path (TrackFields into a PayloadOnly sink) and the Event path (into a
// sink that keeps the Event) give the same error, or the same payload and
// Record; and the fast path encodes every valid event itself rather than
// leaving it to the Event path.
func TestFastFieldsMatchEventPath(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 30, 0, 123_456_789, time.UTC)
	clock := WithClock(func() time.Time { return t0 })
	setups := map[string][]Option{
		"uuid":             {clock},
		"generated ids":    {clock},
		"default channel":  {clock, WithChannel(ChannelStore)},
		"registered":       {clock, WithChannels("service"), WithChannel("service")},
		"bad library":      {clock, WithLibrary("lib\xff", "1")},
		"no library":       {clock, WithLibrary("", "")},
		"small limit":      {clock, WithMaxEventBytes(256)},
		"keyed partitions": {clock, WithPartitionKeySecret([]byte("k"))},
		"empty ids":        {clock},
		"clock in 2100":    {WithClock(func() time.Time { return time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) })},
		"clock unset":      {WithClock(func() time.Time { return time.Time{} })},
	}
	r := rand.New(rand.NewPCG(11, 12))
	ctx := context.Background()
	valid := 0
	for name, opts := range setups {
		newID := func() []Option { return nil }
		switch name {
		case "uuid":
		case "empty ids":
			newID = func() []Option {
				n := 0
				return []Option{WithIDGenerator(func() string {
					if n++; n%5 == 0 {
						return ""
					}
					return "id-" + strconv.Itoa(n)
				})}
			}
		default:
			newID = func() []Option { return []Option{WithIDGenerator(testIDs())} }
		}
		fastSink, eventSink, probeSink := &keepAll{}, &keepAll{}, &keepAll{}
		fast, err1 := New(fastSink, append(newID(), opts...)...)
		event, err2 := New(HandlerFunc(eventSink.Handle), append(newID(), opts...)...)
		probe, err3 := New(probeSink, append(newID(), opts...)...)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		for i := range 3000 {
			evName, fields := randomTrack(r)
			errF := fast.TrackFields(ctx, evName, fields...)
			errE := event.TrackFields(ctx, evName, fields...)
			var s stamp // the probe's id generator runs when the others' do
			pr, done, errP := probe.trackFieldsFast(evName, fields, &s)
			if (errF == nil) != (errE == nil) || errF != nil && (errF.Error() != errE.Error() || reflect.TypeOf(errF) != reflect.TypeOf(errE)) {
				t.Fatalf("%s #%d %q %v:\nfast:  %v\nevent: %v", name, i, evName, fields, errF, errE)
			}
			if errF != nil {
				if done && (errP == nil || errP.Error() != errF.Error()) {
					t.Fatalf("%s #%d: the fast path itself returned %v, want %v", name, i, errP, errF)
				}
				continue
			}
			valid++
			f, e := fastSink.recs[len(fastSink.recs)-1], eventSink.recs[len(eventSink.recs)-1]
			fp, ep := f.Payload, e.Payload
			if name == "uuid" {
				fp = bytes.Replace(fp, []byte(f.ID), []byte("ID"), 1)
				ep = bytes.Replace(ep, []byte(e.ID), []byte("ID"), 1)
			} else if f.ID != e.ID {
				t.Fatalf("%s #%d: ids %q and %q", name, i, f.ID, e.ID)
			}
			if !bytes.Equal(fp, ep) {
				t.Fatalf("%s #%d: payloads differ\nfast:  %s\nevent: %s", name, i, fp, ep)
			}
			if f.Type != e.Type || !f.Time.Equal(e.Time) || f.Time.Location() != e.Time.Location() || f.Category != e.Category ||
				f.PartitionKey != e.PartitionKey || f.UserID != e.UserID || f.AnonymousID != e.AnonymousID || f.ProfileID != "" ||
				f.Event != nil || f.enc.ot != e.enc.ot || f.enc.ts != e.enc.ts {
				t.Fatalf("%s #%d: records differ:\n%+v\n%+v", name, i, *f, *e)
			}
			if !done || errP != nil || pr == nil {
				t.Fatalf("%s #%d: a valid event went to the Event path: %q %v (%v)", name, i, evName, fields, errP)
			}
		}
	}
	if valid < 6000 {
		t.Errorf("only %d valid events: the generator tests too little of the success path", valid)
	}
}

// testIDs returns an id generator: id-1, id-2, ...
func testIDs() func() string {
	n := 0
	return func() string { n++; return "id-" + strconv.Itoa(n) }
}

// randomTrack returns an event name and fields, mostly valid; about one
// field in twenty is bad in one way or another.
func randomTrack(r *rand.Rand) (string, []Field) {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	bad := func() bool { return r.IntN(20) == 0 }
	str := func() string {
		if bad() {
			return pick("", " ", "\xff", "a\u2028b", "tab\there", "\u00a0")
		}
		return pick("boot-1207", "Trail boot", "é👟", `quote " and \ backslash`, "a somewhat longer string value, over eight bytes", "x")
	}
	name := pick("Order Completed", "Product Added to Wishlist", "Zone Entered")
	if bad() {
		name = pick("", " ", "\xff", "\u3000")
	}
	var fields []Field
	if r.IntN(10) != 0 {
		fields = append(fields, UserID(pick("user-8421", "u", "ü-ser")))
	}
	if r.IntN(3) == 0 {
		fields = append(fields, AnonymousID(pick("anon-1", "a")))
	}
	if bad() {
		fields = append(fields, UserID(str()))
	}
	if r.IntN(5) == 0 {
		id := pick("order-1", "0195d0a4-7a1f-7c3e-9b2a-5d1e2f3a4b5c")
		if bad() {
			id = pick("", " x", "a\x00", strings.Repeat("m", 101))
		}
		fields = append(fields, MessageID(id))
	}
	if r.IntN(4) == 0 {
		at := time.Date(2026, 11, 24, 9, 0, 0, 987_654_321, time.FixedZone("CET", 3600))
		if bad() {
			at = pick2(r, time.Time{}, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
		}
		fields = append(fields, OccurredAt(at))
	}
	if r.IntN(3) == 0 {
		ch := pick("web", "pos", "service")
		if bad() {
			ch = pick("", "bogus", "Web")
		}
		fields = append(fields, FromChannel(Channel(ch)))
	}
	if r.IntN(4) == 0 {
		cat := pick("location", "behavioral", "")
		if bad() {
			cat = pick("secret", "Location")
		}
		fields = append(fields, DataCategory(Category(cat)))
	}
	if r.IntN(4) == 0 {
		fields = append(fields, PlaceID(str()))
	}
	if r.IntN(4) == 0 {
		fields = append(fields, Zone(str()))
	}
	if r.IntN(4) == 0 {
		fields = append(fields, DeviceID(str()))
	}
	keys := []string{"product_id", "name", "price", "quantity", "in_stock", "p", "pr", "", "é", "a_long_property_key"}
	for range r.IntN(8) {
		k := keys[r.IntN(len(keys))]
		if bad() {
			k = pick("k\xff", "dup", "dup")
		}
		switch r.IntN(9) {
		case 0:
			fields = append(fields, String(k, str()))
		case 1:
			fields = append(fields, Int(k, r.IntN(2000)-1000))
		case 2:
			fields = append(fields, Uint64(k, r.Uint64()))
		case 3:
			x := math.Round(r.Float64()*1e6) / 100
			if bad() {
				x = pick2(r, math.NaN(), math.Inf(1), 1e-9, 1e22, 1.0/3)
			}
			fields = append(fields, Float(k, x))
		case 4:
			fields = append(fields, Float32(k, float32(r.Float64())))
		case 5:
			fields = append(fields, Bool(k, r.IntN(2) == 0))
		case 6:
			tm := time.Date(2026, 3, 1, 9, 15, 0, 456_000_000, time.UTC)
			if bad() {
				tm = time.Time{}
			}
			fields = append(fields, Time(k, tm))
		case 7:
			var v any = []string{"x", "y"}
			if bad() {
				v = pick2[any](r, math.NaN(), make(chan int), map[string]any{"\xff": 1})
			}
			fields = append(fields, Any(k, v))
		case 8:
			if bad() {
				fields = append(fields, Field{})
			} else {
				fields = append(fields, String(k, "v"))
			}
		}
	}
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return name, fields
}

func pick2[T any](r *rand.Rand, v ...T) T { return v[r.IntN(len(v))] }
