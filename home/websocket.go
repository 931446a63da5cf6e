package home

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// DecodeWebSocket decodes one Home Assistant websocket API message carrying
// a state_changed event — the message a subscribe_events subscription
// delivers, {"id":…,"type":"event","event":{"event_type":"state_changed",
// "data":{"entity_id","old_state","new_state"},"time_fired","context"}} —
// or the bare event object, into c.
//
// Old is the old_state (HasOld false when it is null: a new entity); a null
// new_state sets Removed. Time is new_state.last_updated, else its
// last_changed, else the event's time_fired. UserInitiated is set when the
// event's (or the new state's) context.user_id is not null. Of the
// attributes, only those State lists are kept; the others are validated
// and dropped.
//
// Errors are *DecodeError values: ErrTooLarge, ErrSyntax and ErrTruncated
// for a payload that is not JSON, ErrMissingField and ErrFieldType for one
// that is not a well-formed state_changed event (an entity id that is not
// domain.object_id, a state that is not a string, a time that is not RFC
// 3339), ErrNotStateChange for a well-formed message of another kind (a
// result, a pong, another event type). On error c is unchanged. The
// decoder does not allocate beyond the strings it keeps (common values are
// interned) and is safe for concurrent use on distinct outputs.
func DecodeWebSocket(b []byte, c *StateChange) error {
	if len(b) > MaxPayload {
		return &DecodeError{Source: SourceWebSocket, Offset: MaxPayload, Err: ErrTooLarge}
	}
	d := decoder{s: jsonscan.New(b), src: SourceWebSocket}
	var out StateChange
	out.Source = SourceWebSocket
	var ev wsEvent
	sawType, isEvent := false, true
	it := d.s.Object()
	for it.Next() {
		switch string(it.Key()) {
		case "type":
			ev, ok := d.is("type", "event")
			if !ok {
				return d.err
			}
			sawType, isEvent = true, ev
		case "event":
			d.prefix = "event"
			d.event(&ev, &out)
			d.prefix = ""
		case "event_type", "data", "time_fired", "context", "origin":
			// A bare event object: read it again as one.
			return decodeBareEvent(b, c)
		default:
			d.s.Skip()
		}
		if d.err != nil {
			return d.err
		}
	}
	d.s.End()
	if d.scanErr("") {
		return d.err
	}
	if sawType && !isEvent || !sawType && !ev.seen {
		return &DecodeError{Source: SourceWebSocket, Field: "type", Offset: -1, Err: ErrNotStateChange}
	}
	if !ev.seen {
		return &DecodeError{Source: SourceWebSocket, Field: "event", Offset: -1, Err: ErrMissingField}
	}
	if err := ev.finish(&out, "event."); err != nil {
		return err
	}
	*c = out
	return nil
}

func decodeBareEvent(b []byte, c *StateChange) error {
	d := decoder{s: jsonscan.New(b), src: SourceWebSocket}
	var out StateChange
	out.Source = SourceWebSocket
	var ev wsEvent
	d.event(&ev, &out)
	if d.err != nil {
		return d.err
	}
	d.s.End()
	if d.scanErr("") {
		return d.err
	}
	if err := ev.finish(&out, ""); err != nil {
		return err
	}
	*c = out
	return nil
}

// wsEvent is what an event object said, checked by finish.
type wsEvent struct {
	seen, sawData, sawEntity, sawNew bool
	stateChanged                     bool
	fired                            time.Time
	userInitiated                    bool
}

func (ev *wsEvent) finish(out *StateChange, prefix string) error {
	missing := func(f string) error {
		return &DecodeError{Source: SourceWebSocket, Field: prefix + f, Offset: -1, Err: ErrMissingField}
	}
	switch {
	case !ev.stateChanged:
		return &DecodeError{Source: SourceWebSocket, Field: prefix + "event_type", Offset: -1, Err: ErrNotStateChange}
	case !ev.sawData:
		return missing("data")
	case !ev.sawEntity:
		return missing("data.entity_id")
	case !ev.sawNew:
		return missing("data.new_state")
	}
	out.UserInitiated = out.UserInitiated || ev.userInitiated
	if out.Time.IsZero() {
		out.Time = ev.fired
	}
	if !out.Removed && out.Time.IsZero() {
		return missing("data.new_state.last_updated")
	}
	if out.Removed && out.Time.IsZero() {
		return missing("time_fired")
	}
	return nil
}

// event reads an event object (prefix set by the caller).
func (d *decoder) event(ev *wsEvent, out *StateChange) {
	ev.seen = true
	base := d.prefix
	it := d.s.Object()
	if d.scanErr("") {
		return
	}
	for it.Next() {
		switch string(it.Key()) {
		case "event_type":
			sc, ok := d.is("event_type", "state_changed")
			if !ok {
				return
			}
			ev.stateChanged = sc
		case "time_fired":
			t, ok := d.time("time_fired")
			if !ok {
				return
			}
			ev.fired = t
		case "context":
			ev.userInitiated = d.context("context")
		case "data":
			ev.sawData = true
			d.prefix = join(base, "data")
			d.data(ev, out)
			d.prefix = base
		default:
			d.s.Skip()
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("")
}

// join returns the JSON path a.b; the paths of the websocket format are
// constants, so reading a payload does not build strings.
func join(a, b string) string {
	switch b {
	case "data":
		switch a {
		case "event":
			return "event.data"
		case "":
			return "data"
		}
	case "old_state":
		switch a {
		case "event.data":
			return "event.data.old_state"
		case "data":
			return "data.old_state"
		}
	case "new_state":
		switch a {
		case "event.data":
			return "event.data.new_state"
		case "data":
			return "data.new_state"
		}
	case "attributes":
		switch a {
		case "event.data.old_state":
			return "event.data.old_state.attributes"
		case "event.data.new_state":
			return "event.data.new_state.attributes"
		case "data.old_state":
			return "data.old_state.attributes"
		case "data.new_state":
			return "data.new_state.attributes"
		}
	}
	if a == "" {
		return b
	}
	return a + "." + b
}

// context reads a context object and reports whether user_id is set.
func (d *decoder) context(field string) bool {
	if d.s.Null() {
		return false
	}
	user := false
	it := d.s.Object()
	for it.Next() {
		if string(it.Key()) == "user_id" {
			if !d.s.Null() {
				d.s.String() // validated, never kept
				user = true
			}
			continue
		}
		d.s.Skip()
	}
	d.scanErr(field)
	return user
}

// data reads the data object of a state_changed event.
func (d *decoder) data(ev *wsEvent, out *StateChange) {
	base := d.prefix
	it := d.s.Object()
	if d.scanErr("") {
		return
	}
	var entity string
	for it.Next() {
		switch string(it.Key()) {
		case "entity_id":
			off := d.s.Pos()
			id, ok := d.str("entity_id")
			if !ok {
				return
			}
			dom, ok := validEntityID(id)
			if !ok {
				d.fail("entity_id", off, ErrFieldType)
				return
			}
			entity, out.Device, out.Domain = id, id, dom
			ev.sawEntity = true
		case "old_state":
			if d.s.Null() {
				continue
			}
			d.prefix = join(base, "old_state")
			var sawID bool
			sawID, _ = d.stateObject(&out.Old, nil)
			out.HasOld = d.err == nil && sawID
			d.prefix = base
		case "new_state":
			ev.sawNew = true
			if d.s.Null() {
				out.Removed = true
				continue
			}
			d.prefix = join(base, "new_state")
			var user bool
			_, user = d.stateObject(&out.New, &entity)
			if d.err == nil {
				out.Time = out.New.LastUpdated
				if out.Time.IsZero() {
					out.Time = out.New.LastChanged
				}
				out.UserInitiated = out.UserInitiated || user
				if out.New.Has&HasValue == 0 {
					d.fail("state", -1, ErrMissingField)
				}
			}
			d.prefix = base
		default:
			d.s.Skip()
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("")
}

// stateObject reads a Home Assistant state object into st. When entity is
// not nil and the object's entity_id differs from *entity (once both are
// known), it fails. It reports whether entity_id was present and whether
// its context names a user.
func (d *decoder) stateObject(st *State, entity *string) (sawID, user bool) {
	it := d.s.Object()
	if d.scanErr("") {
		return false, false
	}
	for it.Next() {
		switch string(it.Key()) {
		case "entity_id":
			off := d.s.Pos()
			id := d.s.String() // compared, not kept
			if d.scanErr("entity_id") {
				return
			}
			if entityDot(id) < 0 || entity != nil && *entity != "" && string(id) != *entity {
				d.fail("entity_id", off, ErrFieldType)
				return
			}
			sawID = true
		case "state":
			v, ok := d.str("state")
			if !ok {
				return
			}
			st.Value = v
			st.Has |= HasValue
		case "attributes":
			base := d.prefix
			d.prefix = join(base, "attributes")
			d.attributes(st)
			d.prefix = base
		case "last_changed":
			st.LastChanged, _ = d.time("last_changed")
		case "last_updated":
			st.LastUpdated, _ = d.time("last_updated")
		case "context":
			user = d.context("context")
		default:
			d.s.Skip()
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("")
	return sawID, user
}

// attributes reads a Home Assistant attributes object, keeping the
// attributes State lists.
func (d *decoder) attributes(st *State) {
	if d.s.Null() {
		return
	}
	it := d.s.Object()
	if d.scanErr("") {
		return
	}
	for it.Next() {
		d.attribute(st, it.Key())
		if d.err != nil {
			return
		}
	}
	d.scanErr("")
}

// attribute reads the value of one attribute named key.
func (d *decoder) attribute(st *State, key []byte) {
	numField := func(name string, dst *float64, bit Field) {
		v, present, ok := d.num(name)
		if ok && present {
			*dst = v
			st.Has |= bit
		}
	}
	switch string(key) {
	case "device_class":
		st.DeviceClass, _ = d.optStr("device_class")
	case "unit_of_measurement":
		st.Unit, _ = d.optStr("unit_of_measurement")
	case "media_content_type":
		st.ContentType, _ = d.optStr("media_content_type")
	case "app_name":
		st.App, _ = d.optStr("app_name")
	case "hvac_action":
		st.HVACAction, _ = d.optStr("hvac_action")
	case "preset_mode":
		st.Preset, _ = d.optStr("preset_mode")
	case "temperature":
		numField("temperature", &st.Setpoint, HasSetpoint)
	case "target_temp_low":
		numField("target_temp_low", &st.SetpointLow, HasSetpointLow)
	case "target_temp_high":
		numField("target_temp_high", &st.SetpointHigh, HasSetpointHigh)
	case "current_temperature":
		numField("current_temperature", &st.Current, HasCurrent)
	default:
		d.s.Skip()
		d.scanErr("")
	}
}
