package plan_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

// exampleClient wires plan middleware into a Client with a fixed clock and
// ids, emitting into a Recorder.
func exampleClient(m *plan.Middleware) (*connected.Client, *connectedtest.Recorder) {
	rec := &connectedtest.Recorder{}
	n := 0
	c, err := connected.New(rec, connected.WithMiddleware(m.Middleware()),
		connected.WithClock(func() time.Time { return time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) }),
		connected.WithIDGenerator(func() string { n++; return fmt.Sprintf("msg-%d", n) }))
	if err != nil {
		panic(err)
	}
	return c, rec
}

func orderSpec() plan.Spec {
	return plan.Spec{Name: "storefront", Events: []plan.Event{{
		Name: "Order Completed",
		Properties: plan.Object{Properties: []plan.Property{
			{Name: "order_id", Type: plan.TypeString, Required: true, Pattern: `^ord_[0-9a-f]{8}$`},
			{Name: "total", Type: plan.TypeNumber, Required: true, Minimum: plan.Float(0)},
			{Name: "currency", Type: plan.TypeString, Enum: []any{"EUR", "USD"}},
		}},
	}}}
}

// The whole flow: define a plan in Go, compile it, and block events that
// break it before they are batched or spooled.
func Example() {
	p, err := plan.Compile(orderSpec())
	if err != nil {
		panic(err)
	}
	m, err := plan.NewMiddleware(p, plan.Block)
	if err != nil {
		panic(err)
	}
	c, rec := exampleClient(m)
	defer c.Shutdown(context.Background())

	ctx := context.Background()
	err = c.Track(ctx, connected.Event{UserID: "user-42", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "total": 59.90, "currency": "EUR"}})
	fmt.Println("valid:", err)
	err = c.Track(ctx, connected.Event{UserID: "user-42", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "A-17", "total": -1}})
	fmt.Println("blocked:", errors.Is(err, plan.ErrViolation))
	fmt.Println("delivered:", len(rec.Records()))
	// Output:
	// valid: <nil>
	// blocked: true
	// delivered: 1
}

func ExampleCompile() {
	p, err := plan.Compile(orderSpec())
	fmt.Println(p.Name(), p.Len(), err)

	_, err = plan.Compile(plan.Spec{Events: []plan.Event{{Name: "Cart Viewed",
		Properties: plan.Object{Properties: []plan.Property{{Name: "items", Minimum: plan.Float(5), Maximum: plan.Float(1)}}}}}})
	fmt.Println(errors.Is(err, plan.ErrInvalidSpec))
	// Output:
	// storefront 1 <nil>
	// true
}

func ExamplePlan_ValidateEvent() {
	p, _ := plan.Compile(orderSpec())
	e := connected.Event{Type: connected.TypeTrack, UserID: "user-42", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "currency": "JPY"}}
	vs, err := p.ValidateEvent(&e, nil)
	for _, v := range vs {
		fmt.Println(v)
	}
	fmt.Println(err)
	// Output:
	// properties.currency: Enum: is not one of "EUR", "USD"
	// properties.total: Required: is required
	// <nil>
}

func ExamplePlan_Validate() {
	p, _ := plan.Compile(orderSpec())
	e := connected.Event{Type: connected.TypeTrack, UserID: "user-42", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "total": 12.5}}
	r := &connected.Record{ID: "msg-1", Type: connected.TypeTrack, Event: &e}
	buf := make([]plan.Violation, 0, 8) // reused: a valid event allocates nothing
	vs, err := p.Validate(r, buf[:0])
	fmt.Println(len(vs), err)
	// Output: 0 <nil>
}

func ExampleFromSegment() {
	b, err := os.ReadFile("testdata/segment_rules.json") // GET /tracking-plans/{id}/rules
	if err != nil {
		panic(err)
	}
	spec, err := plan.FromSegment(b)
	if err != nil {
		panic(err)
	}
	for _, e := range spec.Events {
		fmt.Printf("%s %q v%d: %d properties\n", e.Type, e.Name, e.Version, len(e.Properties.Properties))
	}
	fmt.Println("common context rules:", len(spec.Common.Context.Properties))
	// Output:
	// track "Order Completed" v1: 9 properties
	// track "Order Completed" v2: 3 properties
	// track "Zone Entered" v1: 3 properties
	// identify "" v1: 0 properties
	// page "Checkout" v1: 1 properties
	// common context rules: 1
}

func ExampleFromRudderStack() {
	b, err := os.ReadFile("testdata/rudderstack_plan.json") // Data Catalog API export
	if err != nil {
		panic(err)
	}
	spec, err := plan.FromRudderStack(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(spec.Name)
	for _, e := range spec.Events {
		fmt.Printf("%s %q\n", e.Type, e.Name)
	}
	// Output:
	// Store Gateway Plan
	// track "Product Viewed"
	// identify ""
	// group ""
}

func ExampleFromIglu() {
	checkout, _ := os.ReadFile("testdata/iglu_checkout.json")
	zone, _ := os.ReadFile("testdata/iglu_zone.json")
	spec, err := plan.FromIglu(checkout, zone)
	if err != nil {
		panic(err)
	}
	for _, e := range spec.Events {
		fmt.Println(e.Name, e.Version, e.Schema)
	}
	// Output:
	// kiosk_checkout 1 iglu:com.touchpoint-example/kiosk_checkout/jsonschema/1-0-2
	// zone_entered 2 iglu:com.touchpoint-example/zone_entered/jsonschema/2-0-0
}

func ExampleUnsupportedError() {
	_, err := plan.FromSegment([]byte(`[{"type":"TRACK","key":"Order Completed","version":1,"jsonSchema":
		{"properties":{"properties":{"properties":{"total":{"anyOf":[{"type":"number"},{"type":"string"}]}}}}}}]`))
	var ue *plan.UnsupportedError
	if errors.As(err, &ue) {
		fmt.Println(ue.Event)
		fmt.Println(ue.Path)
		fmt.Println(ue.Keyword)
	}
	// Output:
	// Order Completed
	// rules[0].jsonSchema.properties.properties.properties.total.anyOf
	// anyOf
}

func ExampleNewMiddleware() {
	p, _ := plan.Compile(orderSpec())
	m, err := plan.NewMiddleware(p, plan.Block)
	if err != nil {
		panic(err)
	}
	c, _ := exampleClient(m)
	defer c.Shutdown(context.Background())
	err = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "total": "12"}})
	var ve *plan.ViolationError
	if errors.As(err, &ve) {
		fmt.Println(ve.MessageID, ve.Violations[0])
	}
	// Output: msg-1 properties.total: Type: is string, want number
}

// Forward passes violating events on with their violations in
// context.protocols.violations.
func ExampleNewMiddleware_forward() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Forward)
	c, rec := exampleClient(m)
	defer c.Shutdown(context.Background())
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "total": 5, "currency": "GBP"}})
	e, _ := connected.DecodeSegment(rec.Records()[0].Payload)
	fmt.Println(e.Context.Extra["protocols"])
	// Output: map[violations:[map[description:is not one of "EUR", "USD" field:properties.currency type:Enum]]]
}

// Report passes events on unchanged; the handler and counters see the
// violations.
func ExampleNewMiddleware_report() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Report)
	c, rec := exampleClient(m)
	defer c.Shutdown(context.Background())
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Placed"})
	fmt.Println(len(rec.Records()), m.Stats().ByKind[plan.KindUnplannedEvent])
	// Output: 1 1
}

func ExampleWithViolationHandler() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Report, plan.WithViolationHandler(
		func(_ context.Context, r *connected.Record, vs []plan.Violation) {
			for _, v := range vs {
				fmt.Println(r.ID, v.Kind, v.Field)
			}
		}))
	c, _ := exampleClient(m)
	defer c.Shutdown(context.Background())
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "x", "total": 1}})
	// Output: msg-1 Pattern properties.order_id
}

func ExampleWithMaxAttached() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Forward, plan.WithMaxAttached(1))
	c, rec := exampleClient(m)
	defer c.Shutdown(context.Background())
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed"})
	e, _ := connected.DecodeSegment(rec.Records()[0].Payload)
	fmt.Println(e.Context.Extra["protocols"].(map[string]any)["violationsOmitted"])
	// Output: 1
}

func ExampleWithMaxEventBytes() {
	p, _ := plan.Compile(orderSpec())
	_, err := plan.NewMiddleware(p, plan.Forward, plan.WithMaxEventBytes(64<<10))
	fmt.Println(err)
	// Output: <nil>
}

func ExampleMiddleware_Swap() {
	strict, _ := plan.Compile(orderSpec())
	lax, _ := plan.Compile(plan.Spec{Name: "anything goes", AllowUnplannedEvents: true})
	m, _ := plan.NewMiddleware(strict, plan.Block)
	c, _ := exampleClient(m)
	defer c.Shutdown(context.Background())
	e := connected.Event{UserID: "u1", Event: "Coupon Applied"}
	fmt.Println(errors.Is(c.Track(context.Background(), e), plan.ErrViolation))
	old := m.Swap(lax) // e.g. after reloading the exported plan
	fmt.Println(old.Name(), "->", m.Plan().Name())
	fmt.Println(c.Track(context.Background(), e))
	// Output:
	// true
	// storefront -> anything goes
	// <nil>
}

func ExampleMiddleware_Stats() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Block)
	c, _ := exampleClient(m)
	defer c.Shutdown(context.Background())
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "ord_0a1b2c3d", "total": 1}})
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed"})
	s := m.Stats()
	fmt.Println(s.Checked, s.Valid, s.Blocked, s.ByKind[plan.KindRequired])
	// Output: 2 1 1 2
}

func ExampleMiddleware_Wrap() {
	p, _ := plan.Compile(orderSpec())
	m, _ := plan.NewMiddleware(p, plan.Block)
	sink := &connectedtest.Recorder{}
	h := connected.Chain(sink, m.Middleware()) // a chain built by hand
	e := connected.Event{Type: connected.TypeTrack, UserID: "u1", Event: "Order Completed"}
	err := h.Handle(context.Background(), &connected.Record{ID: "msg-1", Type: connected.TypeTrack, Event: &e})
	fmt.Println(errors.Is(err, plan.ErrViolation), len(sink.Records()))
	// Output: true 0
}

func ExampleType_Has() {
	t := plan.TypeNumber | plan.TypeNull
	fmt.Println(t, t.Has(plan.TypeInteger), t.Has(plan.TypeString))
	// Output: number|null true false
}

func ExampleKind_String() {
	fmt.Println(plan.KindUnplannedProperty)
	// Output: Unplanned Property
}

func ExampleMode_String() {
	fmt.Println(plan.Block, plan.Forward, plan.Report)
	// Output: block forward report
}
