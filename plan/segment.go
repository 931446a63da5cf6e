package plan

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FromSegment loads a Segment Protocols tracking plan from its JSON export.
// It accepts:
//
//   - the Public API's rules (GET /tracking-plans/{id}/rules): the
//     response {"data":{"rules":[...]}}, the object {"rules":[...]}, or
//     the bare array; each rule is {"type","key","version","jsonSchema",
//     "deprecatedAt"} with type TRACK, IDENTIFY, GROUP, PAGE, SCREEN or
//     COMMON (the common JSON schema, Spec.Common). Rules with a
//     deprecatedAt are not loaded: Segment no longer applies them;
//   - the older Config API / Typewriter shape: {"rules":{"events":[...],
//     "global":{...},"identify_traits":{...},"group_traits":{...}}} or the
//     same keys at the top level, each event {"name","description",
//     "version","rules"}.
//
// Each rule's JSON schema (draft-04 or draft-07) describes the whole
// message; its properties.properties, properties.traits and
// properties.context become the Event's Properties, Traits and Context.
// The supported JSON Schema subset is described on Spec's package doc;
// any other construct is an *UnsupportedError naming the event and the
// JSON path. A document that is not one of these shapes is an
// *ImportError (ErrMalformed). The plan name comes from "display_name" or
// "name" when the export has one.
func FromSegment(data []byte) (Spec, error) {
	const format = "segment"
	doc, err := decodeJSON(data)
	if err != nil {
		return Spec{}, &ImportError{Format: format, Err: err}
	}
	var spec Spec
	if top, ok := doc.(map[string]any); ok {
		spec.Name = planName(top)
		if d, ok := top["data"].(map[string]any); ok {
			doc = d["rules"]
			if doc == nil {
				return Spec{}, &ImportError{Format: format, Path: "data", Err: errors.New("no rules")}
			}
		} else if rules, ok := top["rules"].([]any); ok {
			doc = rules
		} else {
			return legacyPlan(format, top, spec)
		}
	}
	rules, ok := doc.([]any)
	if !ok {
		return Spec{}, &ImportError{Format: format, Err: errors.New("want a rules array, {\"rules\":[...]}, {\"data\":{\"rules\":[...]}} or a Config API plan")}
	}
	for i, raw := range rules {
		at := "rules[" + strconv.Itoa(i) + "]"
		r, ok := raw.(map[string]any)
		if !ok {
			return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("rule is not an object")}
		}
		if d, _ := r["deprecatedAt"].(string); d != "" {
			continue
		}
		typ, _ := r["type"].(string)
		key, _ := r["key"].(string)
		e := Event{Name: key}
		if v, ok := r["version"]; ok {
			n, err := version(v)
			if err != nil {
				return Spec{}, &ImportError{Format: format, Event: key, Path: at + ".version", Err: err}
			}
			e.Version = n
		}
		common := false
		switch strings.ToUpper(typ) {
		case "TRACK":
			e.Type = connected.TypeTrack
		case "IDENTIFY":
			e.Type, e.Name = connected.TypeIdentify, ""
		case "GROUP":
			e.Type, e.Name = connected.TypeGroup, ""
		case "PAGE":
			e.Type = connected.TypePage
		case "SCREEN":
			e.Type = connected.TypeScreen
		case "COMMON":
			common = true
		default:
			return Spec{}, &ImportError{Format: format, Event: key, Path: at + ".type", Err: errors.New("unknown rule type " + strconv.Quote(typ))}
		}
		label := e.Name
		if e.Type != connected.TypeTrack {
			label = strings.TrimSpace(strings.ToLower(typ) + " " + e.Name)
		}
		c := conv{format: format, event: label}
		if err := c.eventRule(r["jsonSchema"], at+".jsonSchema", &e); err != nil {
			return Spec{}, err
		}
		if common {
			if spec.Common != nil {
				return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("a second COMMON rule")}
			}
			spec.Common = &e
			continue
		}
		spec.Events = append(spec.Events, e)
	}
	return spec, nil
}

// legacyPlan reads the Config API / Typewriter / legacy RudderStack shape:
// rules.events[] (or events[]) with name and rules, plus global,
// identify_traits and group_traits.
func legacyPlan(format string, top map[string]any, spec Spec) (Spec, error) {
	body := top
	base := ""
	if r, ok := top["rules"].(map[string]any); ok {
		body, base = r, "rules"
	}
	events, hasEvents := body["events"]
	if !hasEvents {
		return Spec{}, &ImportError{Format: format, Path: base, Err: errors.New("no events: not a tracking plan export")}
	}
	list, ok := events.([]any)
	if !ok && events != nil {
		return Spec{}, &ImportError{Format: format, Path: join(base, "events"), Err: errors.New("events is not an array")}
	}
	for i, raw := range list {
		at := join(base, "events") + "[" + strconv.Itoa(i) + "]"
		m, ok := raw.(map[string]any)
		if !ok {
			return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("event is not an object")}
		}
		name, _ := m["name"].(string)
		e := Event{Name: name, Type: connected.TypeTrack}
		e.Description, _ = m["description"].(string)
		if v, ok := m["version"]; ok {
			if n, err := version(v); err == nil {
				e.Version = n
			}
		}
		c := conv{format: format, event: name}
		if err := c.eventRule(m["rules"], at+".rules", &e); err != nil {
			return Spec{}, err
		}
		spec.Events = append(spec.Events, e)
	}
	extra := []struct {
		key string
		typ connected.Type
	}{{"global", ""}, {"identify_traits", connected.TypeIdentify}, {"group_traits", connected.TypeGroup},
		{"identify", connected.TypeIdentify}, {"group", connected.TypeGroup}}
	for _, x := range extra {
		raw, ok := body[x.key]
		if !ok || raw == nil {
			continue
		}
		at := join(base, x.key)
		var schema any
		switch v := raw.(type) {
		case []any:
			if len(v) == 0 {
				continue // Typewriter writes [] for "no traits planned"
			}
			return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("want an object")}
		case map[string]any:
			schema = v
			if r, ok := v["rules"]; ok { // {name, rules, version} metadata
				schema, at = r, at+".rules"
			}
		default:
			return Spec{}, &ImportError{Format: format, Path: at, Err: errors.New("want an object")}
		}
		label := string(x.typ)
		if x.typ == "" {
			label = "(common)"
		}
		e := Event{Type: x.typ}
		c := conv{format: format, event: label}
		if err := c.eventRule(schema, at, &e); err != nil {
			return Spec{}, err
		}
		if x.typ == "" {
			spec.Common = &e
			continue
		}
		spec.Events = append(spec.Events, e)
	}
	return spec, nil
}

func planName(top map[string]any) string {
	for _, k := range []string{"display_name", "displayName", "name"} {
		if s, ok := top[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// version reads an event version: a number, or a string like "1" or
// "1-0-0" (its first part).
func version(v any) (int, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s, _, _ = strings.Cut(x, "-")
	default:
		return 0, errors.New("version is not a number")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errors.New("version " + strconv.Quote(s) + " is not a non-negative integer")
	}
	return n, nil
}
