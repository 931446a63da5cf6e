package home

import (
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// DefaultZigbeeBase is Zigbee2MQTT's default base topic.
const DefaultZigbeeBase = "zigbee2mqtt"

// DecodeZigbee decodes one Zigbee2MQTT device state message — topic
// <base>/<friendly name>, a JSON object of the device's exposed properties
// — received at now into c. base is the configured base_topic ("" means
// DefaultZigbeeBase). Friendly names may contain '/'.
//
// Kept properties: state (ON/OFF, OPEN/CLOSE, LOCK/UNLOCK; the State's
// Value), system_mode (Value when there is no state), power (W), energy
// (kWh), occupancy, presence, contact (true = closed), occupied_heating_setpoint
// or current_heating_setpoint (°C), local_temperature (°C), running_state,
// preset; the others (linkquality, battery, update, ...) are validated and
// dropped. Time is last_seen when the bridge publishes it (ISO 8601 or epoch
// milliseconds), else now. Zigbee2MQTT publishes the device's full state
// each time, so HasOld is false: the Tracker remembers the previous one.
//
// Errors are *DecodeError values: ErrNotStateChange for bridge topics
// (<base>/bridge/...) and a device's availability, set and get topics,
// ErrTopic for a topic not under base, ErrSyntax and ErrTruncated for a
// payload that is not JSON, ErrFieldType for a payload that is not an
// object or a property of the wrong type, ErrTooLarge; a *TimeError for an
// invalid now. On error c is unchanged.
func DecodeZigbee(base, topic string, payload []byte, now time.Time, c *StateChange) error {
	if base == "" {
		base = DefaultZigbeeBase
	}
	if !validTime(now) {
		return &TimeError{Op: "DecodeZigbee"}
	}
	name, ok := strings.CutPrefix(topic, base+"/")
	topicErr := func(err error) error {
		return &DecodeError{Source: SourceZigbee2MQTT, Field: "topic", Offset: -1, Err: err}
	}
	if !ok || name == "" || len(name) > MaxStringLen {
		return topicErr(ErrTopic)
	}
	if strings.HasPrefix(name, "bridge/") || name == "bridge" || strings.HasSuffix(name, "/availability") ||
		strings.HasSuffix(name, "/set") || strings.HasSuffix(name, "/get") || strings.Contains(name, "/set/") || strings.Contains(name, "/get/") {
		return topicErr(ErrNotStateChange)
	}
	if len(payload) > MaxPayload {
		return &DecodeError{Source: SourceZigbee2MQTT, Offset: MaxPayload, Err: ErrTooLarge}
	}
	d := decoder{s: jsonscan.New(payload), src: SourceZigbee2MQTT}
	out := StateChange{Source: SourceZigbee2MQTT, Device: name, Time: now.UTC()}
	st := &out.New
	var mode string
	it := d.s.Object()
	d.scanErr("")
	for it.Next() {
		switch k := it.Key(); string(k) {
		case "state":
			if d.s.Null() {
				break
			}
			if v, ok := d.str("state"); ok {
				st.Value = v
				st.Has |= HasValue
			}
		case "system_mode":
			mode, _ = d.optStr("system_mode")
		case "running_state":
			st.HVACAction, _ = d.optStr("running_state")
		case "preset":
			st.Preset, _ = d.optStr("preset")
		case "power":
			d.zNum("power", &st.Power, st, HasPower)
		case "energy":
			d.zNum("energy", &st.Energy, st, HasEnergy)
		case "occupied_heating_setpoint", "current_heating_setpoint":
			d.zNum(string(k), &st.Setpoint, st, HasSetpoint)
		case "local_temperature":
			d.zNum("local_temperature", &st.Current, st, HasCurrent)
		case "occupancy":
			d.zBool("occupancy", &st.Occupied, st, HasOccupancy)
		case "presence":
			d.zBool("presence", &st.Present, st, HasPresence)
		case "contact":
			d.zBool("contact", &st.Closed, st, HasContact)
		case "last_seen":
			d.lastSeen(&out.Time)
		default:
			if d.s.Skip(); d.s.Failed() {
				d.scanErr(string(k))
			}
		}
		if d.err != nil {
			return d.err
		}
	}
	if d.scanErr("") {
		return d.err
	}
	d.s.End()
	if d.scanErr("") {
		return d.err
	}
	if st.Has&HasValue == 0 && mode != "" {
		st.Value = mode
		st.Has |= HasValue
	}
	*c = out
	return nil
}

func (d *decoder) zNum(field string, dst *float64, st *State, bit Field) {
	v, present, ok := d.num(field)
	if ok && present {
		*dst = v
		st.Has |= bit
	}
}

func (d *decoder) zBool(field string, dst *bool, st *State, bit Field) {
	if d.s.Null() {
		return
	}
	v := d.s.Bool()
	if d.scanErr(field) {
		return
	}
	*dst = v
	st.Has |= bit
}

// lastSeen reads Zigbee2MQTT's last_seen: ISO 8601 (ISO_8601,
// ISO_8601_local) or epoch milliseconds (epoch).
func (d *decoder) lastSeen(t *time.Time) {
	switch d.s.Peek() {
	case 'n':
		d.s.Null()
	case '"':
		if v, ok := d.time("last_seen"); ok && !v.IsZero() {
			*t = v
		}
	default:
		off := d.s.Pos()
		ms, present, ok := d.num("last_seen")
		if !ok || !present {
			return
		}
		v := time.UnixMilli(int64(ms)).UTC()
		if ms < 1 || ms > 1e15 || !validTime(v) {
			d.fail("last_seen", off, ErrFieldType)
			return
		}
		*t = v
	}
}
