package plan_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func findEvent(t *testing.T, s plan.Spec, typ connected.Type, name string, version int) plan.Event {
	t.Helper()
	for _, e := range s.Events {
		if e.Type == typ && e.Name == name && (version == 0 || e.Version == version) {
			return e
		}
	}
	t.Fatalf("no %s event %q v%d in %d events", typ, name, version, len(s.Events))
	return plan.Event{}
}

func findProp(t *testing.T, o plan.Object, name string) plan.Property {
	t.Helper()
	for _, p := range o.Properties {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no property %q", name)
	return plan.Property{}
}

func TestFromSegmentPublicAPI(t *testing.T) {
	s, err := plan.FromSegment(readFile(t, "segment_rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 5 {
		t.Fatalf("%d events, want 5 (the deprecated rule skipped)", len(s.Events))
	}
	if s.Common == nil || len(s.Common.Context.Properties) != 1 {
		t.Fatalf("COMMON rule not loaded: %+v", s.Common)
	}
	oc := findEvent(t, s, connected.TypeTrack, "Order Completed", 1)
	oid := findProp(t, oc.Properties, "order_id")
	if oid.Type != plan.TypeString || !oid.Required || oid.Pattern != "^ord_[0-9a-f]{8}$" || oid.Description == "" {
		t.Fatalf("order_id = %+v", oid)
	}
	total := findProp(t, oc.Properties, "total")
	if *total.Minimum != 0 || *total.Maximum != 100000 {
		t.Fatalf("total = %+v", total)
	}
	products := findProp(t, oc.Properties, "products")
	if products.Items == nil || products.Items.Object == nil || *products.MinItems != 1 {
		t.Fatalf("products = %+v", products)
	}
	if price := findProp(t, *products.Items.Object, "price"); price.ExclusiveMinimum == nil {
		t.Fatalf("price = %+v", price)
	}
	if coupon := findProp(t, oc.Properties, "coupon"); coupon.Type != plan.TypeString|plan.TypeNull {
		t.Fatalf("coupon type = %v", coupon.Type)
	}
	if ze := findEvent(t, s, connected.TypeTrack, "Zone Entered", 0); !ze.Properties.Strict {
		t.Fatal("additionalProperties: false not loaded")
	}
	findEvent(t, s, connected.TypeIdentify, "", 0)
	findEvent(t, s, connected.TypePage, "Checkout", 0)
	findEvent(t, s, connected.TypeTrack, "Order Completed", 2)

	p := mustCompile(t, s)
	e := typicalEvent()
	e.Context.Channel = connected.ChannelStore
	e.Properties["products"] = []any{map[string]any{"sku": "A1", "price": 0}}
	if got := fields(validate(t, p, e)); got != "properties.products[0].price Range\n" {
		t.Fatalf("got %q", got)
	}
	e.Context.Extra = map[string]any{"protocols": map[string]any{"event_version": 2}}
	if got := fields(validate(t, p, e)); got != "properties.subtotal Required\n" {
		t.Fatalf("version 2: got %q", got)
	}
	z := connected.Event{Type: connected.TypeTrack, Event: "Zone Entered", AnonymousID: "a", Properties: connected.Properties{"zone": "garden", "rssi": -130, "floor": 2}}
	if got := fields(validate(t, p, z)); got != "properties.floor Unplanned Property\nproperties.rssi Range\nproperties.zone Enum\n" {
		t.Fatalf("zone: got %q", got)
	}
	pg := connected.Event{Type: connected.TypePage, Name: "Checkout", AnonymousID: "a", Properties: connected.Properties{"path": "/cart"}}
	if got := fields(validate(t, p, pg)); got != "properties.path Pattern\n" {
		t.Fatalf("page: got %q", got)
	}
}

func TestFromSegmentLegacyShapes(t *testing.T) {
	rule := `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"context":{"id":"/properties/context"},"traits":{"id":"/properties/traits"},"properties":{"type":"object","id":"/properties/properties","properties":{"qty":{"id":"/properties/properties/properties/qty","type":"integer","minimum":0,"exclusiveMinimum":true}},"required":["qty"]}},"required":["properties"]}`
	for name, doc := range map[string]string{
		"config api": `{"name":"workspaces/w/tracking-plans/rs_1","display_name":"Legacy","rules":{"events":[{"name":"Item Added","version":1,"rules":` + rule + `}],"global":{"rules":{}},"identify_traits":{"rules":{"type":"object","properties":{"traits":{"type":"object","properties":{"age":{"type":"integer"}}}}}},"group_traits":[]}}`,
		"typewriter": `{"events":[{"name":"Item Added","rules":` + rule + `}],"group_traits":null,"identify_traits":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := plan.FromSegment([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			q := findProp(t, findEvent(t, s, connected.TypeTrack, "Item Added", 0).Properties, "qty")
			if !q.Required || q.ExclusiveMinimum == nil || *q.ExclusiveMinimum != 0 || q.Minimum != nil {
				t.Fatalf("qty = %+v (draft-04 exclusiveMinimum: true)", q)
			}
			p := mustCompile(t, s)
			e := connected.Event{Type: connected.TypeTrack, Event: "Item Added", UserID: "u", Properties: connected.Properties{"qty": 0}}
			if got := fields(validate(t, p, e)); got != "properties.qty Range\n" {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestFromRudderStack(t *testing.T) {
	s, err := plan.FromRudderStack(readFile(t, "rudderstack_plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Store Gateway Plan" || len(s.Events) != 3 {
		t.Fatalf("name %q, %d events", s.Name, len(s.Events))
	}
	pv := findEvent(t, s, connected.TypeTrack, "Product Viewed", 0)
	if pv.Description == "" || !pv.Properties.Strict {
		t.Fatalf("Product Viewed = %+v", pv)
	}
	p := mustCompile(t, s)
	e := connected.Event{Type: connected.TypeTrack, Event: "Product Viewed", AnonymousID: "a",
		Properties: connected.Properties{"product_id": "P1", "price": 12.5, "category": "hats", "shelf": "a12", "aisle": 3}}
	want := "properties.aisle Unplanned Property\nproperties.category Enum\nproperties.product_id Length\nproperties.shelf Pattern\n"
	if got := fields(validate(t, p, e)); got != want {
		t.Fatalf("got\n%swant\n%s", got, want)
	}
	id := connected.Event{Type: connected.TypeIdentify, UserID: "u", Context: connected.Context{Extra: map[string]any{"traits": map[string]any{"age": 12}}}}
	if got := fields(validate(t, p, id)); got != "context.traits.age Range\ncontext.traits.email Required\n" {
		t.Fatalf("identify: got %q", got)
	}
	g := connected.Event{Type: connected.TypeGroup, UserID: "u", GroupID: "g", Traits: connected.Traits{"employees": nil}}
	if got := fields(validate(t, p, g)); got != "traits.name Required\n" {
		t.Fatalf("group: got %q", got)
	}
}

func TestFromRudderStackLegacy(t *testing.T) {
	doc := `{"rules":{"events":[{"id":"ev_1","name":"Product clicked","version":"1-0-0","rules":{"type":"object","$schema":"http://json-schema.org/draft-07/schema#","required":["properties"],"properties":{"properties":{"additionalProperties":false,"type":"object","properties":{"name":{"type":["string"]},"price":{"type":["number"]}},"required":["name"]}}}}],"identify":{"type":"object","properties":{"traits":{"type":"object","properties":{"plan":{"type":["string"],"enum":["free","pro"]}}}}}},"name":"workspaces/w/tracking-plans/tp","display_name":"Demo","version":1}`
	s, err := plan.FromRudderStack([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p := mustCompile(t, s)
	e := connected.Event{Type: connected.TypeTrack, Event: "Product clicked", UserID: "u", Properties: connected.Properties{"price": "1"}}
	if got := fields(validate(t, p, e)); got != "properties.name Required\nproperties.price Type\n" {
		t.Fatalf("got %q", got)
	}
	id := connected.Event{Type: connected.TypeIdentify, UserID: "u", Traits: connected.Traits{"plan": "team"}}
	if got := fields(validate(t, p, id)); got != "traits.plan Enum\n" {
		t.Fatalf("identify got %q", got)
	}
}

func TestFromIglu(t *testing.T) {
	s, err := plan.FromIglu(readFile(t, "iglu_checkout.json"), readFile(t, "iglu_zone.json"))
	if err != nil {
		t.Fatal(err)
	}
	kc := findEvent(t, s, connected.TypeTrack, "kiosk_checkout", 1)
	if kc.Schema != "iglu:com.touchpoint-example/kiosk_checkout/jsonschema/1-0-2" || !kc.Properties.Strict {
		t.Fatalf("kiosk_checkout = %+v", kc)
	}
	if pay := findProp(t, kc.Properties, "payment"); len(pay.Enum) != 4 || pay.Type != plan.TypeAny {
		t.Fatalf("payment = %+v", pay)
	}
	if ze := findEvent(t, s, connected.TypeTrack, "zone_entered", 2); ze.Version != 2 {
		t.Fatal("SchemaVer MODEL not the version")
	}
	p := mustCompile(t, s)
	e := connected.Event{Type: connected.TypeTrack, Event: "kiosk_checkout", AnonymousID: "a", Properties: connected.Properties{
		"kiosk_id": "K12", "amount": 20.5, "payment": nil, "basket_size": 0, "receipt_email": "x@y.z", "finished_at": "yesterday"}}
	want := "properties.basket_size Range\nproperties.finished_at Format\nproperties.kiosk_id Pattern\n"
	if got := fields(validate(t, p, e)); got != want {
		t.Fatalf("got\n%swant\n%s", got, want)
	}
	e.Properties = connected.Properties{"kiosk_id": "K123", "amount": 3, "payment": "card"}
	if got := fields(validate(t, p, e)); got != "" {
		t.Fatalf("valid kiosk event: %q", got)
	}
}

func TestImportersRefuseUnsupportedConstructs(t *testing.T) {
	wrap := func(props string) string {
		return `{"type":"object","properties":{"properties":{"type":"object","properties":` + props + `}}}`
	}
	cases := []struct {
		name, format, doc string
		event, path, kw   string
	}{
		{"segment anyOf", "segment", `{"rules":[{"type":"TRACK","key":"Order Completed","version":1,"jsonSchema":` + wrap(`{"sku":{"anyOf":[{"type":"string"},{"type":"number"}]}}`) + `}]}`,
			"Order Completed", "rules[0].jsonSchema.properties.properties.properties.sku.anyOf", "anyOf"},
		{"segment ref", "segment", `[{"type":"TRACK","key":"A","version":1,"jsonSchema":` + wrap(`{"a b":{"$ref":"#/definitions/x"}}`) + `}]`,
			"A", `rules[0].jsonSchema.properties.properties.properties["a b"].$ref`, "$ref"},
		{"segment lookahead", "segment", `[{"type":"TRACK","key":"A","version":1,"jsonSchema":` + wrap(`{"s":{"type":"string","pattern":"^(?!x).*$"}}`) + `}]`,
			"A", "rules[0].jsonSchema.properties.properties.properties.s.pattern", "pattern"},
		{"rudderstack if/then", "rudderstack", `{"events":[{"name":"Product clicked new","eventType":"track","rules":{"type":"object","properties":{"properties":{"type":"object","allOf":[{"if":{}}]}}}}]}`,
			"Product clicked new", "events[0].rules.properties.properties.allOf", "allOf"},
		{"rudderstack userId", "rudderstack", `{"events":[{"name":"","eventType":"identify","rules":{"type":"object","properties":{"userId":{"type":"string"}}}}]}`,
			"identify", "events[0].rules.properties.userId", "userId"},
		{"iglu format", "iglu", `{"$schema":"` + plan.IgluMetaSchema + `","self":{"vendor":"com.acme","name":"ev","format":"jsonschema","version":"1-0-0"},"type":"object","properties":{"phone":{"type":"string","format":"phone"}}}`,
			"ev", "properties.phone.format", "format"},
		{"iglu multipleOf", "iglu", `{"$schema":"` + plan.IgluMetaSchema + `","self":{"vendor":"com.acme","name":"ev","format":"jsonschema","version":"1-0-0"},"type":"object","properties":{"qty":{"type":"integer","multipleOf":6}}}`,
			"ev", "properties.qty.multipleOf", "multipleOf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := load(c.format, []byte(c.doc))
			var ue *plan.UnsupportedError
			if !errors.As(err, &ue) || !errors.Is(err, plan.ErrUnsupported) {
				t.Fatalf("err = %v, want *UnsupportedError", err)
			}
			if ue.Format != c.format || ue.Event != c.event || ue.Path != c.path || ue.Keyword != c.kw {
				t.Fatalf("got %+v, want event %q path %q keyword %q", ue, c.event, c.path, c.kw)
			}
			if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.event) {
				t.Fatalf("message %q does not name the event and path", err)
			}
		})
	}
}

func load(format string, b []byte) error {
	var err error
	switch format {
	case "segment":
		_, err = plan.FromSegment(b)
	case "rudderstack":
		_, err = plan.FromRudderStack(b)
	case "iglu":
		_, err = plan.FromIglu(b)
	}
	return err
}

func TestImportersRefuseMalformedExports(t *testing.T) {
	cases := []struct{ format, doc, path string }{
		{"segment", `{"rules":[{"type":"TRACK","key":"A","version":"x","jsonSchema":{}}]}`, "rules[0].version"},
		{"segment", `{"rules":[{"type":"ALIAS","key":"A","jsonSchema":{}}]}`, "rules[0].type"},
		{"segment", `{"something":"else"}`, ""},
		{"segment", `[{"type":"TRACK","key":"A","jsonSchema":{"properties":{"properties":{"properties":{"n":{"minLength":-1}}}}}}]`, "rules[0].jsonSchema.properties.properties.properties.n.minLength"},
		{"segment", `{"rules":[]} trailing`, ""},
		{"rudderstack", `[]`, ""},
		{"rudderstack", `{"events":[{"name":"A","eventType":"alias","rules":{}}]}`, "events[0].eventType"},
		{"rudderstack", `{"events":[{"name":"A","eventType":"track","rules":{"properties":{"properties":{"required":"x"}}}}]}`, "events[0].rules.properties.properties.required"},
		{"iglu", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`, "$schema"},
		{"iglu", `{"$schema":"` + plan.IgluMetaSchema + `","self":{"vendor":"com.acme","name":"ev","format":"jsonschema","version":"1.0.0"}}`, "self.version"},
	}
	for _, c := range cases {
		err := load(c.format, []byte(c.doc))
		var ie *plan.ImportError
		if !errors.As(err, &ie) || !errors.Is(err, plan.ErrMalformed) || ie.Path != c.path || ie.Format != c.format {
			t.Errorf("%s %s: err = %#v, want *ImportError at %q", c.format, c.doc, err, c.path)
		}
	}
	dup := `{"$schema":"` + plan.IgluMetaSchema + `","self":{"vendor":"com.acme","name":"ev","format":"jsonschema","version":"1-0-0"}}`
	dup2 := strings.Replace(dup, "1-0-0", "1-1-0", 1)
	if _, err := plan.FromIglu([]byte(dup), []byte(dup2)); !errors.Is(err, plan.ErrMalformed) {
		t.Errorf("two schemas as one version: err = %v", err)
	}
}
