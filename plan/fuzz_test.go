package plan_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

// checkImport holds for every importer and every input: no panic; an error
// is an *ImportError or an *UnsupportedError; a loaded Spec is the same
// when loaded again, compiles or is refused with a typed error, and a
// compiled plan validates events without error.
func checkImport(t *testing.T, load func() (plan.Spec, error)) {
	s, err := load()
	if err != nil {
		var ie *plan.ImportError
		var ue *plan.UnsupportedError
		if !errors.As(err, &ie) && !errors.As(err, &ue) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if errors.Is(err, plan.ErrMalformed) == errors.Is(err, plan.ErrUnsupported) {
			t.Fatalf("error matches both or neither sentinel: %v", err)
		}
		return
	}
	again, _ := load()
	if !reflect.DeepEqual(s, again) {
		t.Fatal("loading the same export twice gave different specs")
	}
	p, err := plan.Compile(s)
	if err != nil {
		if !errors.Is(err, plan.ErrInvalidSpec) && !errors.Is(err, plan.ErrUnsupported) {
			t.Fatalf("Compile: untyped error %v", err)
		}
		return
	}
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, e := range s.Events {
		ev := connected.Event{Type: e.Type, Event: e.Name, UserID: "u", GroupID: "g", MessageID: "m", OriginalTimestamp: at,
			Properties: connected.Properties{"a": 1, "b": "x", "c": []any{nil, true}, "d": map[string]any{"e": 2.5}}}
		if ev.Type == "" || ev.Type == connected.TypeTrack {
			ev.Type = connected.TypeTrack
		} else {
			ev.Event, ev.Name = "", e.Name
			if ev.Type == connected.TypeIdentify || ev.Type == connected.TypeGroup {
				ev.Name = ""
			}
		}
		if _, err := p.ValidateEvent(&ev, nil); err != nil {
			t.Fatalf("ValidateEvent: %v", err)
		}
	}
}

func FuzzFromSegment(f *testing.F) {
	f.Add(readFile(f, "segment_rules.json"))
	f.Add([]byte(`{"rules":{"events":[{"name":"A","rules":{"properties":{"properties":{"properties":{"x":{"type":"integer","minimum":0,"exclusiveMinimum":true}}}}}}],"identify_traits":[]}}`))
	f.Add([]byte(`[{"type":"COMMON","jsonSchema":{"properties":{"context":{"properties":{"ip":{"format":"ipv4"}}}}}}]`))
	f.Add([]byte(`{"events":[{"name":"B","rules":null}],"group_traits":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkImport(t, func() (plan.Spec, error) { return plan.FromSegment(b) })
	})
}

func FuzzFromRudderStack(f *testing.F) {
	f.Add(readFile(f, "rudderstack_plan.json"))
	f.Add([]byte(`{"rules":{"events":[{"name":"P","rules":{"type":"object","properties":{"properties":{"type":"object","properties":{"n":{"type":["string","null"],"maxLength":3}}}}}}],"identify":{"type":"object"}}}`))
	f.Add([]byte(`{"events":[{"name":"S","eventType":"screen","rules":{"properties":{"properties":{"additionalProperties":false}}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkImport(t, func() (plan.Spec, error) { return plan.FromRudderStack(b) })
	})
}

func FuzzFromIglu(f *testing.F) {
	f.Add(readFile(f, "iglu_checkout.json"), readFile(f, "iglu_zone.json"))
	f.Add([]byte(`{"$schema":"`+plan.IgluMetaSchema+`","self":{"vendor":"com.acme","name":"a","format":"jsonschema","version":"1-0-0"},"properties":{"x":{"enum":[1,"a",null,true]}}}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkImport(t, func() (plan.Spec, error) { return plan.FromIglu(a, b) })
	})
}
