package activation

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// stateRecords returns real snapshot and log records of a small run.
func stateRecords(t testing.TB) (snap, log [][]byte) {
	set := mustSet(t, storeDefs)
	ms := NewMemStore()
	e, err := New(set, crm, WithStore(ms), WithCompactEvery(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := func(id string, at time.Duration, name string, props connected.Properties) Input {
		return Input{Profile: "p", Identities: []Identity{{Key: "user_id:k1", Profile: "p"}}, MessageID: id, Time: t0.Add(at), Purposes: 1<<2 | 1<<1 | 1<<8,
			Event: &connected.Event{Type: connected.TypeTrack, Event: name, Properties: props}}
	}
	e.Process(ctx, in("a", 0, "Product Added", nil), nil)
	e.Process(ctx, in("b", time.Minute, "Product Added to Wishlist", connected.Properties{"product_id": "x", "department": "shoes"}), nil)
	e.Process(ctx, Input{Profile: "p", MessageID: "c", Time: t0.Add(2 * time.Minute), Purposes: 4,
		Event: &connected.Event{Type: connected.TypeIdentify, Traits: connected.Traits{"tier": "gold", "age": 40}}}, nil)
	e.Compact(ctx)
	e.Process(ctx, in("d", 3*time.Minute, "Application Opened", nil), nil)
	e.Advance(ctx, t0.Add(3*time.Hour), nil)
	e.Revoke(ctx, "p", "marketing", t0.Add(4*time.Hour), nil)
	e.Relink(ctx, "user_id:k1", "q", nil)
	ms.Load(ctx, func(b []byte) error { snap = append(snap, b); return nil }, func(b []byte) error { log = append(log, b); return nil })
	return snap, log
}

// FuzzStateRecord: any bytes given as a snapshot or log record are applied
// or refused with an error matching ErrCorrupt; never a panic.
func FuzzStateRecord(f *testing.F) {
	snap, log := stateRecords(f)
	for _, r := range snap {
		f.Add(true, r)
	}
	for _, r := range log {
		f.Add(false, r)
	}
	set := mustSet(f, storeDefs)
	f.Fuzz(func(t *testing.T, isSnap bool, rec []byte) {
		e, err := New(set, crm)
		if err != nil {
			t.Fatal(err)
		}
		e.loading, e.replay = true, true
		if isSnap {
			l := &loader{e: e}
			for _, r := range snap[:1] { // the header first, as in a store
				if err := l.record(r); err != nil {
					t.Fatal(err)
				}
			}
			err = l.record(rec)
		} else {
			err = e.applyLog(rec)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not match ErrCorrupt", err)
		}
	})
}

func TestStateRecordsRoundTrip(t *testing.T) {
	snap, log := stateRecords(t)
	if len(snap) < 3 || len(log) < 4 {
		t.Fatalf("%d snapshot and %d log records", len(snap), len(log))
	}
	ms := NewMemStore()
	ms.Compact(context.Background(), func(emit func([]byte) error) error {
		for _, r := range snap {
			emit(r)
		}
		return nil
	})
	ms.Append(context.Background(), log...)
	e, err := New(mustSet(t, storeDefs), crm, WithStore(ms))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := e.Profile("q")
	if !ok || v.Identifiers != 1 || v.Facts != 2 {
		t.Fatalf("after reload, q = %+v", v)
	}
	for _, tv := range v.Traits {
		if tv.Key == "tier" {
			t.Errorf("the identify trait of another identifier moved to q: %+v", tv)
		}
	}
}
