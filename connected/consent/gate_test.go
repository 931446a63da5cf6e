package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

func TestGateInClientPipeline(t *testing.T) {
	l := newLedger(t)
	gate, err := consent.NewGate(l, auditKey, consent.Destination{
		Name: "segment", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C, L},
		OnRefusal: consent.Hold, Hold: consent.HoldLimits{MaxAge: time.Hour},
	}, consent.WithClock(func() time.Time { return at(30) }))
	noErr(t, err)
	shutdown(t, gate)
	s := &sink{}
	client, err := connected.New(s, connected.WithMiddleware(gate.Middleware()), connected.WithClock(func() time.Time { return at(30) }))
	noErr(t, err)
	shutdown(t, client)
	ctx := context.Background()

	track := func(user string, cat connected.Category, min int) {
		t.Helper()
		noErr(t, client.Track(ctx, connected.Event{UserID: user, Event: "Product Viewed", Category: cat, OriginalTimestamp: at(min)}))
	}
	grant(t, l, "ann", consent.PurposeAnalytics, at(0))
	track("ann", C, 1)
	track("ann", L, 2) // no location consent: held
	track("ben", C, 3) // no consent: held
	track("ann", H, 4) // category not allowed: dropped
	equal(t, 1, len(s.ids()))
	st := gate.Stats()
	equal(t, "segment", st.Name)
	equal(t, uint64(1), st.Delivered)
	equal(t, 2, st.Holding)
	equal(t, uint64(1), st.Dropped[consent.ReasonCategory])

	grant(t, l, "ben", consent.PurposeAnalytics, at(5))
	equal(t, 2, len(s.ids()), "ben's held record released to the wrapped handler")
	equal(t, "ben", s.got[1].Event.UserID)

	// Sweeping after the deadline drops ann's location record.
	noErr(t, gate.Sweep(ctx, at(200)))
	st = gate.Stats()
	equal(t, uint64(1), st.Dropped[consent.ReasonHoldExpired])
	equal(t, 0, st.Holding)
	var trail []string
	for _, e := range gate.Audit() {
		trail = append(trail, e.Action.String()+":"+e.Reason.String()+":"+string(e.Purpose))
	}
	equal(t, []string{"hold:no_consent:location", "hold:no_consent:analytics", "drop:category_not_allowed:analytics", "drop:hold_expired:location"}, trail)

	// The middleware applies twice: both chains share the counters.
	other := gate.Middleware()(&sink{})
	noErr(t, other.Handle(ctx, record(t, "ann", C, at(6))))
	equal(t, uint64(3), gate.Stats().Delivered)

	noErr(t, gate.Shutdown(ctx))
	isTrue(t, errors.Is(other.Handle(ctx, record(t, "ann", C, at(7))), consent.ErrClosed))
	late := gate.Middleware()(&sink{})
	isTrue(t, errors.Is(late.Handle(ctx, record(t, "ann", C, at(7))), consent.ErrClosed), "applied after Shutdown")
}

func TestGateConfig(t *testing.T) {
	l := newLedger(t)
	_, err := consent.NewGate(l, auditKey, consent.Destination{Name: "x", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: &sink{}})
	isTrue(t, errors.Is(err, consent.ErrConfig), "Handler must be nil")
	_, err = consent.NewGate(l, auditKey, consent.Destination{Name: "x", Purpose: consent.PurposeMarketing, Categories: []connected.Category{H}})
	isTrue(t, errors.Is(err, consent.ErrHealthToAdTech))
	_, err = consent.NewGate(nil, auditKey, consent.Destination{Name: "x", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}})
	isTrue(t, errors.Is(err, consent.ErrConfig))
	_, err = consent.NewGate(l, nil, consent.Destination{Name: "x", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}})
	isTrue(t, errors.Is(err, consent.ErrConfig), "audit key required")
}

func TestRouterFlushAndShutdownReachHandlers(t *testing.T) {
	l := newLedger(t)
	h := &lifecycle{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: h}})
	noErr(t, err)
	h.err = errors.New("flush failed")
	err = rt.Flush(context.Background())
	isTrue(t, errors.Is(err, h.err) && h.flushes == 1, err)
	h.err = nil
	noErr(t, rt.Shutdown(context.Background()))
	noErr(t, rt.Shutdown(context.Background()))
	equal(t, 2, h.shutdowns, "Shutdown is idempotent and reaches the handler each time")
}

type lifecycle struct {
	sink
	flushes, shutdowns int
	err                error
}

func (h *lifecycle) Flush(context.Context) error    { h.flushes++; return h.err }
func (h *lifecycle) Shutdown(context.Context) error { h.shutdowns++; return h.err }

// The audit key is a parameter now; the deprecated option still supplies
// it for one release, and a key given either way is checked the same.
func TestAuditKeyParameterAndDeprecatedOption(t *testing.T) {
	l := newLedger(t)
	d := consent.Destination{Name: "x", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}}
	_, err := consent.NewGate(l, nil, d)
	var ce *consent.ConfigError
	isTrue(t, errors.As(err, &ce) && ce.Field == "auditKey", "no key: a ConfigError naming auditKey")
	_, err = consent.NewGate(l, []byte("short"), d)
	isTrue(t, errors.Is(err, consent.ErrConfig), "short key refused")
	g, err := consent.NewGate(l, auditKey, d)
	noErr(t, err)
	noErr(t, g.Shutdown(context.Background()))
	g, err = consent.NewGate(l, nil, d, consent.WithAuditKey(auditKey))
	noErr(t, err)
	noErr(t, g.Shutdown(context.Background()))
}
