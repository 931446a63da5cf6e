package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

type capture struct {
	mu    sync.Mutex
	calls []capturedCall
}

type capturedCall struct {
	id string
	vs []plan.Violation
}

func (c *capture) handler(_ context.Context, r *connected.Record, vs []plan.Violation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, capturedCall{r.ID, vs})
}

// client returns a Client emitting through plan middleware in mode into a
// Recorder, with a fixed clock and ids.
func client(t *testing.T, p *plan.Plan, mode plan.Mode, opts ...plan.MiddlewareOption) (*connected.Client, *connectedtest.Recorder, *plan.Middleware, *capture) {
	t.Helper()
	cap := &capture{}
	m, err := plan.NewMiddleware(p, mode, append([]plan.MiddlewareOption{plan.WithViolationHandler(cap.handler)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	rec := &connectedtest.Recorder{}
	n := 0
	c, err := connected.New(rec, connected.WithMiddleware(m.Middleware()),
		connected.WithClock(func() time.Time { return time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) }),
		connected.WithIDGenerator(func() string { n++; return "msg-" + string(rune('0'+n)) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c, rec, m, cap
}

func badEvent() connected.Event {
	e := typicalEvent()
	e.Properties["currency"] = "JPY"
	delete(e.Properties, "order_id")
	return e
}

func TestMiddlewareBlock(t *testing.T) {
	c, rec, m, cap := client(t, mustCompile(t, typicalSpec()), plan.Block)
	ctx := context.Background()
	if err := c.Track(ctx, typicalEvent()); err != nil {
		t.Fatal(err)
	}
	err := c.Track(ctx, badEvent())
	var ve *plan.ViolationError
	if !errors.As(err, &ve) || !errors.Is(err, plan.ErrViolation) {
		t.Fatalf("err = %v, want *ViolationError", err)
	}
	if ve.MessageID != "msg-2" || ve.Event != "Order Completed" || fields(ve.Violations) != "properties.currency Enum\nproperties.order_id Required\n" {
		t.Fatalf("error = %+v", ve)
	}
	if got := rec.Records(); len(got) != 1 || got[0].ID != "msg-1" {
		t.Fatalf("next handler saw %d records; the blocked one must never reach it", len(got))
	}
	s := m.Stats()
	if s.Checked != 2 || s.Valid != 1 || s.Violating != 1 || s.Blocked != 1 || s.ByKind[plan.KindEnum] != 1 || s.ByKind[plan.KindRequired] != 1 {
		t.Fatalf("stats = %+v", s)
	}
	if len(cap.calls) != 1 || cap.calls[0].id != "msg-2" || len(cap.calls[0].vs) != 2 {
		t.Fatalf("handler calls = %+v", cap.calls)
	}
}

func TestMiddlewareForwardAttachesViolations(t *testing.T) {
	c, rec, m, cap := client(t, mustCompile(t, typicalSpec()), plan.Forward)
	e := badEvent()
	e.Context.Extra = map[string]any{"protocols": map[string]any{"event_version": 1}, "app": map[string]any{"name": "till"}}
	if err := c.Track(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := rec.Records()
	if len(got) != 1 {
		t.Fatalf("%d records forwarded", len(got))
	}
	r := got[0]
	var msg struct {
		MessageID string `json:"messageId"`
		Context   struct {
			App       map[string]any `json:"app"`
			Protocols struct {
				EventVersion int `json:"event_version"`
				Violations   []struct {
					Type, Field, Description string
				} `json:"violations"`
			} `json:"protocols"`
		} `json:"context"`
	}
	if err := json.Unmarshal(r.Payload, &msg); err != nil {
		t.Fatal(err)
	}
	v := msg.Context.Protocols.Violations
	if msg.MessageID != "msg-1" || r.ID != "msg-1" || len(v) != 2 || v[0].Type != "Enum" || v[0].Field != "properties.currency" || v[0].Description == "" ||
		v[1].Type != "Required" || v[1].Field != "properties.order_id" {
		t.Fatalf("payload %s", r.Payload)
	}
	if msg.Context.Protocols.EventVersion != 1 || msg.Context.App["name"] != "till" {
		t.Fatalf("existing context keys lost: %s", r.Payload)
	}
	if r.Event == nil || r.Event.Context.Extra["protocols"] == nil {
		t.Fatal("the forwarded record's Event does not carry the violations")
	}
	if _, ok := e.Context.Extra["protocols"].(map[string]any)["violations"]; ok {
		t.Fatal("the caller's event was modified")
	}
	if back, err := connected.DecodeSegment(r.Payload); err != nil || back.MessageID != "msg-1" {
		t.Fatalf("forwarded payload does not decode: %v", err)
	}
	if s := m.Stats(); s.Forwarded != 1 || s.Violating != 1 || len(cap.calls) != 1 {
		t.Fatalf("stats %+v, handler calls %d", s, len(cap.calls))
	}
}

func TestMiddlewareForwardLimitsAndErrors(t *testing.T) {
	p := mustCompile(t, typicalSpec())
	c, rec, m, _ := client(t, p, plan.Forward, plan.WithMaxAttached(1))
	if err := c.Track(context.Background(), badEvent()); err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Context struct {
			Protocols struct {
				Violations []any `json:"violations"`
				Omitted    int   `json:"violationsOmitted"`
			} `json:"protocols"`
		} `json:"context"`
	}
	if err := json.Unmarshal(rec.Records()[0].Payload, &msg); err != nil || len(msg.Context.Protocols.Violations) != 1 || msg.Context.Protocols.Omitted != 1 {
		t.Fatalf("limit: %s (%v)", rec.Records()[0].Payload, err)
	}
	e := badEvent()
	e.Context.Extra = map[string]any{"protocols": "v2"}
	if err := c.Track(context.Background(), e); !errors.Is(err, plan.ErrAttach) {
		t.Fatalf("non-object context.protocols: err = %v", err)
	}
	if s := m.Stats(); s.Failed != 1 || len(rec.Records()) != 1 {
		t.Fatalf("stats %+v, %d records", s, len(rec.Records()))
	}
}

func TestMiddlewareReport(t *testing.T) {
	c, rec, m, cap := client(t, mustCompile(t, typicalSpec()), plan.Report)
	if err := c.Track(context.Background(), badEvent()); err != nil {
		t.Fatal(err)
	}
	got := rec.Records()
	if len(got) != 1 {
		t.Fatalf("%d records", len(got))
	}
	var msg map[string]any
	if err := json.Unmarshal(got[0].Payload, &msg); err != nil {
		t.Fatal(err)
	}
	if _, ok := msg["context"].(map[string]any)["protocols"]; ok {
		t.Fatal("Report mode changed the payload")
	}
	if s := m.Stats(); s.Reported != 1 || s.Violating != 1 || s.ByKind[plan.KindRequired] != 1 {
		t.Fatalf("stats %+v", s)
	}
	if len(cap.calls) != 1 || fields(cap.calls[0].vs) != "properties.currency Enum\nproperties.order_id Required\n" {
		t.Fatalf("handler calls = %+v", cap.calls)
	}
}

func TestMiddlewarePayloadOnlyRecords(t *testing.T) {
	m, err := plan.NewMiddleware(mustCompile(t, typicalSpec()), plan.Block)
	if err != nil {
		t.Fatal(err)
	}
	var passed atomic.Int64
	h := m.Middleware()(connected.HandlerFunc(func(context.Context, *connected.Record) error { passed.Add(1); return nil }))
	e := badEvent()
	e.MessageID, e.OriginalTimestamp = "m-9", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := connected.AppendSegment(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(context.Background(), &connected.Record{ID: "m-9", Payload: b}); !errors.Is(err, plan.ErrViolation) {
		t.Fatalf("replayed record: err = %v", err)
	}
	if err := h.Handle(context.Background(), &connected.Record{ID: "m-10", Payload: []byte("{")}); !errors.Is(err, connected.ErrMalformed) {
		t.Fatalf("undecodable record: err = %v", err)
	}
	if s := m.Stats(); passed.Load() != 0 || s.Failed != 1 || s.Blocked != 1 {
		t.Fatalf("passed %d, stats %+v", passed.Load(), s)
	}
}

func TestMiddlewareSwapConcurrentSafe(t *testing.T) {
	strict := mustCompile(t, typicalSpec())
	lax := mustCompile(t, plan.Spec{Name: "lax", AllowUnplannedEvents: true})
	m, err := plan.NewMiddleware(strict, plan.Block)
	if err != nil {
		t.Fatal(err)
	}
	var ok, blocked atomic.Int64
	h := m.Middleware()(connected.HandlerFunc(func(context.Context, *connected.Record) error { ok.Add(1); return nil }))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 300; i++ {
				e := badEvent()
				if err := h.Handle(context.Background(), &connected.Record{ID: "x", Event: &e}); err != nil {
					blocked.Add(1)
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 100; i++ {
			if i%2 == 0 {
				m.Swap(lax)
			} else {
				m.Swap(strict)
			}
		}
	})
	wg.Wait()
	if ok.Load()+blocked.Load() != 1200 || m.Stats().Checked != 1200 {
		t.Fatalf("ok %d + blocked %d != 1200", ok.Load(), blocked.Load())
	}
	if prev := m.Swap(lax); prev != strict && prev != lax {
		t.Fatal("Swap returned a plan it was never given")
	}
	e := badEvent()
	if err := h.Handle(context.Background(), &connected.Record{ID: "y", Event: &e}); err != nil {
		t.Fatalf("after swapping in the lax plan: %v", err)
	}
	if m.Swap(nil) != lax || m.Plan() != lax {
		t.Fatal("Swap(nil) changed the plan")
	}
}

func TestNewMiddlewareRejectsBadConfig(t *testing.T) {
	p := mustCompile(t, typicalSpec())
	for name, f := range map[string]func() (*plan.Middleware, error){
		"nil plan": func() (*plan.Middleware, error) { return plan.NewMiddleware(nil, plan.Block) },
		"mode":     func() (*plan.Middleware, error) { return plan.NewMiddleware(p, plan.Mode(9)) },
		"nil handler": func() (*plan.Middleware, error) {
			return plan.NewMiddleware(p, plan.Report, plan.WithViolationHandler(nil))
		},
		"max attached": func() (*plan.Middleware, error) { return plan.NewMiddleware(p, plan.Forward, plan.WithMaxAttached(0)) },
		"max bytes": func() (*plan.Middleware, error) {
			return plan.NewMiddleware(p, plan.Forward, plan.WithMaxEventBytes(10))
		},
		"nil option": func() (*plan.Middleware, error) { return plan.NewMiddleware(p, plan.Forward, nil) },
	} {
		if m, err := f(); err == nil || m != nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
