package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newHoldRouter(t *testing.T, limits consent.HoldLimits, opts ...consent.Option) (*consent.Ledger, *consent.Router, *sink, *fakeClock) {
	t.Helper()
	l := newLedger(t)
	s := &sink{}
	clk := &fakeClock{t: at(0)}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{
		Name: "crm", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C, L},
		OnRefusal: consent.Hold, Hold: limits, Handler: s,
	}}, append([]consent.Option{consent.WithClock(clk.now)}, opts...)...)
	noErr(t, err)
	shutdown(t, rt)
	return l, rt, s, clk
}

func TestHoldReleasedInOrderWhenConsentArrives(t *testing.T) {
	l, rt, s, clk := newHoldRouter(t, consent.HoldLimits{})
	var held []*connected.Record
	for i := range 3 {
		r := record(t, "u", C, at(i))
		held = append(held, r)
		noErr(t, rt.Handle(context.Background(), r))
	}
	other := record(t, "v", C, at(1))
	noErr(t, rt.Handle(context.Background(), other))
	equal(t, 0, len(s.ids()))
	st := rt.Stats()[0]
	equal(t, uint64(4), st.Held)
	equal(t, 4, st.Holding)
	equal(t, uint64(4), st.Refusals[consent.ReasonNoConsent])

	// Consent arrives after the events: the ledger change releases them,
	// in order, and only u's.
	clk.t = at(10)
	grant(t, l, "u", consent.PurposeMarketing, at(10))
	equal(t, []string{held[0].ID, held[1].ID, held[2].ID}, s.ids())
	st = rt.Stats()[0]
	equal(t, uint64(3), st.Released)
	equal(t, uint64(3), st.Delivered)
	equal(t, 1, st.Holding)

	// A new event from u goes straight through.
	next := record(t, "u", C, at(11))
	noErr(t, rt.Handle(context.Background(), next))
	equal(t, 4, len(s.ids()))

	// v denies: its held record is dropped, not released.
	deny(t, l, "v", consent.PurposeMarketing, at(12))
	st = rt.Stats()[0]
	equal(t, 0, st.Holding)
	equal(t, uint64(1), st.Dropped[consent.ReasonDenied])
	equal(t, 4, len(s.ids()))

	var actions []string
	for _, e := range rt.Audit() {
		actions = append(actions, e.Action.String()+":"+e.Reason.String())
	}
	equal(t, []string{"hold:no_consent", "hold:no_consent", "hold:no_consent", "hold:no_consent", "drop:denied"}, actions)
}

func TestHoldOnlyForMissingConsent(t *testing.T) {
	l, rt, s, _ := newHoldRouter(t, consent.HoldLimits{})
	deny(t, l, "u", consent.PurposeMarketing, at(0))
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(1))))
	// A location event of a consented subject without location consent is
	// held for the location purpose.
	grant(t, l, "w", consent.PurposeMarketing, at(0))
	loc := record(t, "w", L, at(1))
	noErr(t, rt.Handle(context.Background(), loc))
	st := rt.Stats()[0]
	equal(t, uint64(1), st.Dropped[consent.ReasonDenied], "an explicit denial is not held")
	equal(t, 1, st.Holding)
	grant(t, l, "w", consent.PurposeLocation, at(5))
	equal(t, []string{loc.ID}, s.ids())
}

func TestHoldDeadline(t *testing.T) {
	l, rt, s, clk := newHoldRouter(t, consent.HoldLimits{MaxAge: 10 * time.Minute})
	a := record(t, "u", C, at(0))
	noErr(t, rt.Handle(context.Background(), a))
	clk.t = at(5)
	b := record(t, "u", C, at(5))
	noErr(t, rt.Handle(context.Background(), b))

	// Sweep at minute 12: a (deadline 10) expires, b (deadline 15) stays.
	noErr(t, rt.Sweep(context.Background(), at(12)))
	st := rt.Stats()[0]
	equal(t, uint64(1), st.Dropped[consent.ReasonHoldExpired])
	equal(t, 1, st.Holding)

	// The next record checks deadlines too, with the router's clock.
	clk.t = at(16)
	c := record(t, "v", C, at(16))
	noErr(t, rt.Handle(context.Background(), c))
	st = rt.Stats()[0]
	equal(t, uint64(2), st.Dropped[consent.ReasonHoldExpired])
	equal(t, 1, st.Holding) // c

	grant(t, l, "u", consent.PurposeMarketing, at(17))
	equal(t, 0, len(s.ids()), "expired records are not released")
	grant(t, l, "v", consent.PurposeMarketing, at(17))
	equal(t, []string{c.ID}, s.ids())
}

func TestHoldEventTimeClock(t *testing.T) {
	_, rt, _, _ := newHoldRouter(t, consent.HoldLimits{MaxAge: time.Minute}, consent.WithEventTimeClock(true))
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(0))))
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(1)))) // deadline of the first: exactly now
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonHoldExpired])
	for _, e := range rt.Audit() {
		isTrue(t, !e.Time.After(at(1)), "event-time clock in the audit trail")
	}
}

func TestHoldFull(t *testing.T) {
	_, rt, _, _ := newHoldRouter(t, consent.HoldLimits{MaxRecords: 2})
	for i := range 3 {
		noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(i))))
	}
	st := rt.Stats()[0]
	equal(t, 2, st.Holding)
	equal(t, uint64(1), st.Dropped[consent.ReasonHoldFull])

	r := record(t, "u", C, at(9))
	_, rt2, _, _ := newHoldRouter(t, consent.HoldLimits{MaxBytes: r.Size() + 1})
	noErr(t, rt2.Handle(context.Background(), r))
	noErr(t, rt2.Handle(context.Background(), record(t, "u", C, at(10))))
	equal(t, uint64(1), rt2.Stats()[0].Dropped[consent.ReasonHoldFull])
}

func TestHoldErasedAndShutdown(t *testing.T) {
	l, rt, s, _ := newHoldRouter(t, consent.HoldLimits{})
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(0))))
	noErr(t, rt.Handle(context.Background(), record(t, "v", C, at(0))))
	noErr(t, rt.Handle(context.Background(), record(t, "v", C, at(1))))
	noErr(t, l.Erase(context.Background(), "u", at(2)))
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonErased])

	err := rt.Shutdown(context.Background())
	var de *consent.DiscardedError
	if !errors.As(err, &de) || de.Records != 2 {
		t.Fatalf("shutdown error %v", err)
	}
	equal(t, uint64(2), rt.Stats()[0].Dropped[consent.ReasonShutdown])
	noErr(t, rt.Shutdown(context.Background()), "second shutdown")
	isTrue(t, errors.Is(rt.Handle(context.Background(), record(t, "v", C, at(3))), consent.ErrClosed))
	grant(t, l, "v", consent.PurposeMarketing, at(4)) // the router no longer listens
	equal(t, 0, len(s.ids()))
}

// failingStore is a HoldStore that refuses everything with its own error.
type failingStore struct{ consent.MemoryHold }

func (f *failingStore) Push(consent.Held) error { return errors.New("disk full") }

func TestCustomHoldStore(t *testing.T) {
	l := newLedger(t)
	var reported []error
	store := &failingStore{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{
		Name: "crm", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C},
		OnRefusal: consent.Hold, HoldStore: store, Handler: &sink{},
	}}, consent.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	noErr(t, err)
	shutdown(t, rt)
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(0))))
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonHoldFull])
	equal(t, 1, len(reported))
}

func TestMemoryHold(t *testing.T) {
	m := consent.NewMemoryHold(consent.HoldLimits{MaxRecords: 3})
	var rs []*connected.Record
	for i := range 3 {
		r := record(t, "u", C, at(i))
		rs = append(rs, r)
		noErr(t, m.Push(consent.Held{Record: r, Subject: "u"}))
	}
	isTrue(t, errors.Is(m.Push(consent.Held{Record: rs[0]}), consent.ErrHoldFull))
	m.Filter(func(h *consent.Held) bool { return h.Record != rs[1] })
	equal(t, 2, m.Len())
	equal(t, rs[0].Size()+rs[2].Size(), m.Bytes())
	var order []string
	m.Filter(func(h *consent.Held) bool { order = append(order, h.Record.ID); return true })
	equal(t, []string{rs[0].ID, rs[2].ID}, order)
}
