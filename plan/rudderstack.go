package plan

import (
	"errors"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FromRudderStack loads a RudderStack tracking plan from its JSON export.
// It accepts the Data Catalog API shape, {"name","version","events":[...]}
// with each event {"name","eventType","description","rules"} (eventType
// track, identify, group, page or screen), and the legacy Tracking Plan
// API shape {"rules":{"events":[{"name","rules"}],"identify":{...},
// "group":{...}}} that RudderStack's transformer reads. Each rules object is
// a JSON schema (draft-07 or draft-04) of the whole message: its
// properties.properties, properties.traits and properties.context become
// the Event's Properties, Traits and Context (RudderStack SDKs send
// identify traits in context.traits, which Context covers). Errors are as
// for FromSegment, with Format "rudderstack".
func FromRudderStack(data []byte) (Spec, error) {
	const format = "rudderstack"
	doc, err := decodeJSON(data)
	if err != nil {
		return Spec{}, &ImportError{Format: format, Err: err}
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return Spec{}, &ImportError{Format: format, Err: errors.New("the export is not a JSON object")}
	}
	spec := Spec{Name: planName(top)}
	if _, legacy := top["rules"].(map[string]any); legacy {
		return legacyPlan(format, top, spec)
	}
	list, ok := top["events"].([]any)
	if !ok {
		return Spec{}, &ImportError{Format: format, Path: "events", Err: errors.New("want an events array (Data Catalog API) or a rules object (Tracking Plan API)")}
	}
	for i, raw := range list {
		at := "events[" + strconv.Itoa(i) + "]"
		m, ok := raw.(map[string]any)
		if !ok {
			return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("event is not an object")}
		}
		name, _ := m["name"].(string)
		typ, _ := m["eventType"].(string)
		e := Event{Name: name}
		e.Description, _ = m["description"].(string)
		switch t := connected.Type(strings.ToLower(typ)); t {
		case "", connected.TypeTrack:
			e.Type = connected.TypeTrack
		case connected.TypeIdentify, connected.TypeGroup:
			e.Type, e.Name = t, ""
		case connected.TypePage, connected.TypeScreen:
			e.Type = t
		default:
			return Spec{}, &ImportError{Format: format, Event: name, Path: at + ".eventType", Err: errors.New("unsupported event type " + strconv.Quote(typ))}
		}
		label := e.Name
		if e.Type != connected.TypeTrack {
			label = strings.TrimSpace(string(e.Type) + " " + e.Name)
		}
		c := conv{format: format, event: label}
		if err := c.eventRule(m["rules"], at+".rules", &e); err != nil {
			return Spec{}, err
		}
		spec.Events = append(spec.Events, e)
	}
	return spec, nil
}
