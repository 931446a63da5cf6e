package plan_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

func mustCompile(t testing.TB, s plan.Spec) *plan.Plan {
	t.Helper()
	p, err := plan.Compile(s)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// fields renders violations as "field Kind" lines for comparison.
func fields(vs []plan.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s %s\n", v.Field, v.Kind)
	}
	return b.String()
}

func validate(t *testing.T, p *plan.Plan, e connected.Event) []plan.Violation {
	t.Helper()
	vs, err := p.ValidateEvent(&e, nil)
	if err != nil {
		t.Fatalf("ValidateEvent: %v", err)
	}
	return vs
}

func TestValidateTypicalEventKeepsPlan(t *testing.T) {
	p := mustCompile(t, typicalSpec())
	if vs := validate(t, p, typicalEvent()); len(vs) != 0 {
		t.Fatalf("violations for a valid event:\n%s", fields(vs))
	}
}

func TestValidateEachKind(t *testing.T) {
	p := mustCompile(t, typicalSpec())
	cases := []struct {
		name  string
		edit  func(connected.Properties)
		want  string
		match string // substring of the reason
	}{
		{"missing required", func(pr connected.Properties) { delete(pr, "order_id") }, "properties.order_id Required\n", "required"},
		{"wrong type", func(pr connected.Properties) { pr["total"] = "129.90" }, "properties.total Type\n", "is string, want number"},
		{"enum", func(pr connected.Properties) { pr["currency"] = "JPY" }, "properties.currency Enum\n", `is not one of "EUR", "USD", "GBP"`},
		{"pattern", func(pr connected.Properties) { pr["order_id"] = "ORD-1" }, "properties.order_id Pattern\n", "does not match"},
		{"range low", func(pr connected.Properties) { pr["total"] = -1 }, "properties.total Range\n", "below the minimum 0"},
		{"range high", func(pr connected.Properties) { pr["total"] = json.Number("100000.5") }, "properties.total Range\n", "above the maximum 100000"},
		{"integer with fraction", func(pr connected.Properties) { pr["items"] = 2.5 }, "properties.items Type\n", "fraction"},
		{"null not allowed", func(pr connected.Properties) { pr["store_id"] = nil }, "properties.store_id Type\n", "is null"},
		{"null allowed", func(pr connected.Properties) { pr["coupon"] = nil }, "", ""},
		{"uint8 is a number", func(pr connected.Properties) { pr["items"] = uint8(3) }, "", ""},
		{"two at once, sorted", func(pr connected.Properties) { pr["gift"] = "yes"; pr["currency"] = 1 },
			"properties.currency Type\nproperties.gift Type\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := typicalEvent()
			c.edit(e.Properties)
			vs := validate(t, p, e)
			if got := fields(vs); got != c.want {
				t.Fatalf("got\n%swant\n%s", got, c.want)
			}
			if c.match != "" && !strings.Contains(vs[0].Reason, c.match) {
				t.Fatalf("reason %q does not say %q", vs[0].Reason, c.match)
			}
		})
	}
}

func nestedSpec() plan.Spec {
	return plan.Spec{Name: "nested", Events: []plan.Event{{
		Name: "Cart Viewed",
		Properties: plan.Object{Strict: true, Properties: []plan.Property{
			{Name: "products", Type: plan.TypeArray, MinItems: plan.Int(1), MaxItems: plan.Int(3), Items: &plan.Property{
				Type: plan.TypeObject, Object: &plan.Object{Properties: []plan.Property{
					{Name: "sku", Type: plan.TypeString, Required: true, MinLength: plan.Int(2), MaxLength: plan.Int(8)},
					{Name: "price", Type: plan.TypeNumber, ExclusiveMinimum: plan.Float(0)},
				}},
			}},
			{Name: "tags", Type: plan.TypeArray, Items: &plan.Property{Type: plan.TypeString, Enum: []any{"new", "sale"}}},
			{Name: "seen_at", Type: plan.TypeString, Format: plan.FormatDateTime},
			{Name: "visitor", Type: plan.TypeString, Format: plan.FormatUUID},
		}},
	}}}
}

func TestValidateNestedPaths(t *testing.T) {
	p := mustCompile(t, nestedSpec())
	e := connected.Event{Type: connected.TypeTrack, Event: "Cart Viewed", UserID: "u1", Properties: connected.Properties{
		"products": []any{
			map[string]any{"sku": "AB12", "price": 10},
			map[string]any{"price": 0},
			map[string]any{"sku": "ÄÖÜßÄÖÜßX", "price": json.Number("3")},
		},
		"tags":     []string{"new", "old"},
		"seen_at":  time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		"visitor":  "not-a-uuid",
		"unknown":  true,
		"unknown2": 1,
	}}
	got := fields(validate(t, p, e))
	want := "properties.products[1].price Range\nproperties.products[1].sku Required\nproperties.products[2].sku Length\n" +
		"properties.tags[1] Enum\nproperties.unknown UnplannedProperty\nproperties.unknown2 UnplannedProperty\nproperties.visitor Format\n"
	want = strings.ReplaceAll(want, "UnplannedProperty", "Unplanned Property")
	if got != want {
		t.Fatalf("got\n%swant\n%s", got, want)
	}
	e.Properties["products"] = []any{}
	if got := fields(validate(t, p, e)); !strings.Contains(got, "properties.products Length") {
		t.Fatalf("empty products not flagged:\n%s", got)
	}
}

// A value the fast path does not know is checked in its wire form.
type sku struct{ Code string }

func (s sku) String() string { return s.Code }

func TestValidateExoticValuesUseWireForm(t *testing.T) {
	p := mustCompile(t, plan.Spec{Events: []plan.Event{{Name: "Scanned", Properties: plan.Object{Properties: []plan.Property{
		{Name: "sku", Type: plan.TypeString, Pattern: `^[A-Z]{2}[0-9]{2}$`},
		{Name: "took", Type: plan.TypeString},
	}}}}})
	e := connected.Event{Type: connected.TypeTrack, Event: "Scanned", UserID: "u1", OriginalTimestamp: time.Now(),
		Properties: connected.Properties{"sku": sku{"AB12"}, "took": 90 * time.Second}}
	if vs := validate(t, p, e); len(vs) != 0 {
		t.Fatalf("Stringer values: %s", fields(vs))
	}
	e.Properties["sku"] = sku{"ab12"}
	if got := fields(validate(t, p, e)); got != "properties.sku Pattern\n" {
		t.Fatalf("got %q", got)
	}
	e.Properties["took"] = make(chan int)
	if _, err := p.ValidateEvent(&e, nil); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Fatalf("unencodable value: err = %v, want connected.ErrInvalidEvent", err)
	}
}

func TestValidateRecordWithoutEventDecodesPayload(t *testing.T) {
	p := mustCompile(t, typicalSpec())
	e := typicalEvent()
	e.MessageID = "m-1"
	e.Properties["currency"] = "CHF"
	b, err := connected.AppendSegment(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := p.Validate(&connected.Record{ID: "m-1", Payload: b}, nil)
	if err != nil || fields(vs) != "properties.currency Enum\n" {
		t.Fatalf("vs=%s err=%v", fields(vs), err)
	}
	if _, err := p.Validate(&connected.Record{ID: "m-2", Payload: []byte(`{"type":`)}, nil); !errors.Is(err, connected.ErrMalformed) {
		t.Fatalf("bad payload: err = %v", err)
	}
}

func TestValidateUnplannedAndTypes(t *testing.T) {
	s := typicalSpec()
	s.Events = append(s.Events,
		plan.Event{Type: connected.TypeIdentify, Traits: plan.Object{Properties: []plan.Property{{Name: "email", Type: plan.TypeString, Format: plan.FormatEmail, Required: true}}}},
		plan.Event{Type: connected.TypePage, Name: "Checkout", Properties: plan.Object{Properties: []plan.Property{{Name: "path", Required: true}}}},
		plan.Event{Type: connected.TypePage, Properties: plan.Object{Properties: []plan.Property{{Name: "url", Type: plan.TypeString, Format: plan.FormatURI}}}},
	)
	p := mustCompile(t, s)
	check := func(e connected.Event, want string) {
		t.Helper()
		if got := fields(validate(t, p, e)); got != want {
			t.Fatalf("%s %q: got\n%swant\n%s", e.Type, e.Event+e.Name, got, want)
		}
	}
	check(connected.Event{Type: connected.TypeTrack, Event: "Order Complete", UserID: "u"}, "event Unplanned Event\n")
	check(connected.Event{Type: connected.TypeIdentify, UserID: "u", Traits: connected.Traits{"email": "a b@c"}}, "traits.email Format\n")
	check(connected.Event{Type: connected.TypeIdentify, UserID: "u", Traits: connected.Traits{"email": "ann@example.com"}}, "")
	check(connected.Event{Type: connected.TypePage, Name: "Checkout", UserID: "u"}, "properties.path Required\n")
	check(connected.Event{Type: connected.TypePage, Name: "Home", UserID: "u", Properties: connected.Properties{"url": "no scheme"}}, "properties.url Format\n")
	check(connected.Event{Type: connected.TypeGroup, GroupID: "g", UserID: "u"}, "")
	check(connected.Event{Type: connected.TypeAlias, UserID: "u", PreviousID: "a"}, "")

	s.AllowUnplannedEvents = true
	p = mustCompile(t, s)
	check(connected.Event{Type: connected.TypeTrack, Event: "Order Complete", UserID: "u"}, "")
}

func TestValidateEventVersions(t *testing.T) {
	s := plan.Spec{Events: []plan.Event{
		{Name: "Order Completed", Version: 2, Properties: plan.Object{Properties: []plan.Property{{Name: "subtotal", Required: true}}}},
		{Name: "Order Completed", Version: 1, Properties: plan.Object{Properties: []plan.Property{{Name: "total", Required: true}}}},
	}}
	p := mustCompile(t, s)
	ev := func(version any) connected.Event {
		e := connected.Event{Type: connected.TypeTrack, Event: "Order Completed", UserID: "u", Properties: connected.Properties{"total": 1}}
		if version != nil {
			e.Context.Extra = map[string]any{"protocols": map[string]any{"event_version": version}}
		}
		return e
	}
	for _, c := range []struct {
		version any
		want    string
	}{{nil, ""}, {1, ""}, {2, "properties.subtotal Required\n"}, {json.Number("2"), "properties.subtotal Required\n"}, {7, "context.protocols.event_version Unplanned Event\n"}} {
		if got := fields(validate(t, p, ev(c.version))); got != c.want {
			t.Errorf("event_version %v: got %q, want %q", c.version, got, c.want)
		}
	}
}

func TestValidateCommonContext(t *testing.T) {
	s := typicalSpec()
	s.Common = &plan.Event{Context: plan.Object{Properties: []plan.Property{
		{Name: "channel", Type: plan.TypeString, Required: true, Enum: []any{"web", "store"}},
		{Name: "device", Type: plan.TypeObject, Object: &plan.Object{Properties: []plan.Property{{Name: "advertisingId", Type: plan.TypeString, Required: true}}}},
	}}}
	p := mustCompile(t, s)
	e := typicalEvent()
	if got := fields(validate(t, p, e)); got != "context.channel Required\n" {
		t.Fatalf("got %q", got)
	}
	e.Context.Channel = connected.ChannelPOS
	e.Context.Device = connected.Device{ID: "till-7", Type: "pos"}
	if got := fields(validate(t, p, e)); got != "context.channel Enum\ncontext.device.advertisingId Required\n" {
		t.Fatalf("got %q", got)
	}
	e.Context.Channel = connected.ChannelStore
	e.Context.Device.Extra = map[string]any{"advertisingId": "ad-1"}
	if got := fields(validate(t, p, e)); got != "" {
		t.Fatalf("got %q", got)
	}
}

func TestCompileRejectsContradictions(t *testing.T) {
	bad := []struct {
		name string
		spec plan.Spec
		is   error
	}{
		{"duplicate", plan.Spec{Events: []plan.Event{{Name: "A"}, {Name: "A"}}}, plan.ErrInvalidSpec},
		{"track without name", plan.Spec{Events: []plan.Event{{}}}, plan.ErrInvalidSpec},
		{"alias", plan.Spec{Events: []plan.Event{{Type: connected.TypeAlias}}}, plan.ErrInvalidSpec},
		{"min above max", plan.Spec{Events: []plan.Event{{Name: "A", Properties: plan.Object{Properties: []plan.Property{{Name: "x", Minimum: plan.Float(2), Maximum: plan.Float(1)}}}}}}, plan.ErrInvalidSpec},
		{"lookahead", plan.Spec{Events: []plan.Event{{Name: "A", Properties: plan.Object{Properties: []plan.Property{{Name: "x", Pattern: `^(?!x)`}}}}}}, plan.ErrUnsupported},
		{"format", plan.Spec{Events: []plan.Event{{Name: "A", Properties: plan.Object{Properties: []plan.Property{{Name: "x", Format: "phone"}}}}}}, plan.ErrUnsupported},
		{"enum object", plan.Spec{Events: []plan.Event{{Name: "A", Properties: plan.Object{Properties: []plan.Property{{Name: "x", Enum: []any{map[string]any{}}}}}}}}, plan.ErrUnsupported},
		{"same property twice", plan.Spec{Events: []plan.Event{{Name: "A", Properties: plan.Object{Properties: []plan.Property{{Name: "x"}, {Name: "x"}}}}}}, plan.ErrInvalidSpec},
	}
	for _, c := range bad {
		if _, err := plan.Compile(c.spec); !errors.Is(err, c.is) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.is)
		}
	}
	var ue *plan.UnsupportedError
	_, err := plan.Compile(bad[4].spec)
	if !errors.As(err, &ue) || ue.Event != "A" || ue.Path != "properties.x" || ue.Keyword != "pattern" {
		t.Fatalf("lookahead error %#v does not say where", err)
	}
}

func TestCompiledPlanIgnoresLaterSpecChanges(t *testing.T) {
	s := typicalSpec()
	p := mustCompile(t, s)
	s.Events[0].Properties.Properties[2].Enum[0] = "JPY"
	s.Events[0].Name = "Renamed"
	if vs := validate(t, p, typicalEvent()); len(vs) != 0 {
		t.Fatalf("plan changed with its spec: %s", fields(vs))
	}
}

func TestValidateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector; run without -race")
	}
	p := mustCompile(t, typicalSpec())
	e := typicalEvent()
	r := &connected.Record{ID: "m1", Type: connected.TypeTrack, Event: &e}
	buf := make([]plan.Violation, 0, 8)
	n := testing.AllocsPerRun(1000, func() {
		vs, err := p.Validate(r, buf[:0])
		if err != nil || len(vs) != 0 {
			panic(fmt.Sprint(err, vs))
		}
	})
	if n != 0 {
		t.Fatalf("Validate of a typical valid event: %v allocations, want 0", n)
	}
	m, err := plan.NewMiddleware(p, plan.Block)
	if err != nil {
		t.Fatal(err)
	}
	h := m.Middleware()(connected.HandlerFunc(func(context_ contextT, r *connected.Record) error { return nil }))
	ctx := bg()
	n = testing.AllocsPerRun(1000, func() {
		if err := h.Handle(ctx, r); err != nil {
			panic(err)
		}
	})
	if n != 0 {
		t.Fatalf("Middleware with a typical valid event: %v allocations, want 0", n)
	}
}
