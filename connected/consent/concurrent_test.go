package consent_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// TestRouterConcurrentSafe runs records, grants, revocations, erasures and
// sweeps concurrently, then checks that every record offered to every
// destination is accounted for exactly once.
func TestRouterConcurrentSafe(t *testing.T) {
	l := newLedger(t)
	var delivered atomic.Int64
	count := connected.HandlerFunc(func(context.Context, *connected.Record) error { delivered.Add(1); return nil })
	dests := []consent.Destination{
		{Name: "drop", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C, L}, Handler: count},
		{Name: "strip", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, OnRefusal: consent.Strip, Handler: count},
		{Name: "hold", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C, L}, OnRefusal: consent.Hold,
			Hold: consent.HoldLimits{MaxRecords: 50, MaxAge: 30 * time.Minute}, Handler: count},
	}
	var mu sync.Mutex
	now := at(0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rt, err := consent.NewRouter(l, auditKey, dests, consent.WithClock(clock), consent.WithAuditCapacity(64))
	noErr(t, err)
	shutdown(t, rt)

	const workers, perWorker = 4, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				user := fmt.Sprintf("u%d", (w*perWorker+i)%17)
				cat := C
				if i%5 == 0 {
					cat = L
				}
				if err := rt.Handle(context.Background(), record(t, user, cat, at(i%60))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	decide := func(user string, p consent.Purpose, granted bool, when time.Time) {
		_, err := l.Record(context.Background(), consent.Fact{Subject: user, Purpose: p, Granted: granted, Effective: when, Source: consent.SourceCMP})
		if err != nil && !errors.Is(err, consent.ErrErased) {
			t.Error(err)
		}
	}
	wg.Go(func() {
		for i := range 200 {
			user := fmt.Sprintf("u%d", i%17)
			switch i % 4 {
			case 0:
				decide(user, consent.PurposeMarketing, true, at(i%60))
			case 1:
				decide(user, consent.PurposeAnalytics, true, at(i%60))
			case 2:
				decide(user, consent.PurposeMarketing, false, at(i%60+1))
			case 3:
				if i%40 == 3 {
					if err := l.Erase(context.Background(), user, at(i)); err != nil {
						t.Error(err)
					}
				}
			}
		}
	})
	wg.Go(func() {
		for i := range 50 {
			mu.Lock()
			now = at(i)
			mu.Unlock()
			if err := rt.Sweep(context.Background(), at(i)); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()

	var total int64
	for _, s := range rt.Stats() {
		sum := s.Delivered + s.Stripped + s.Errors + uint64(s.Holding)
		for _, n := range s.Dropped {
			sum += n
		}
		equal(t, uint64(workers*perWorker), sum, s.Name, " accounts for every record: ", s)
		isTrue(t, s.Released <= s.Delivered && s.Holding <= 50, s)
		total += int64(s.Delivered + s.Stripped)
	}
	equal(t, total, delivered.Load(), "handler calls match the counters")
	isTrue(t, len(rt.Audit()) == 64, "the audit ring keeps its capacity")
}
