package home

import (
	"errors"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// Source is the format a state change was decoded from.
type Source uint8

// The sources.
const (
	// SourceWebSocket: a Home Assistant websocket API state_changed event.
	SourceWebSocket Source = iota + 1
	// SourceStatestream: Home Assistant's MQTT statestream topics.
	SourceStatestream
	// SourceZigbee2MQTT: a Zigbee2MQTT device state payload.
	SourceZigbee2MQTT
)

// String returns "home_assistant_websocket", "home_assistant_statestream"
// or "zigbee2mqtt".
func (s Source) String() string {
	switch s {
	case SourceWebSocket:
		return "home_assistant_websocket"
	case SourceStatestream:
		return "home_assistant_statestream"
	case SourceZigbee2MQTT:
		return "zigbee2mqtt"
	}
	return "unknown"
}

// Field is a bit set saying which optional fields of a State are present.
type Field uint16

// The optional fields of a State.
const (
	HasValue        Field = 1 << iota // Value (the HA state string, Z2M state or system_mode)
	HasSetpoint                       // Setpoint
	HasSetpointLow                    // SetpointLow
	HasSetpointHigh                   // SetpointHigh
	HasCurrent                        // Current
	HasPower                          // Power
	HasEnergy                         // Energy
	HasOccupancy                      // Occupied
	HasPresence                       // Present
	HasContact                        // Closed
)

// State is one device state as the sources describe it, reduced to what
// the Tracker uses. Attributes and properties not listed here are read,
// validated and dropped: titles, names, addresses and coordinates never
// enter a State.
type State struct {
	Has Field // which optional fields are present

	// Value is the state: Home Assistant's state string ("playing",
	// "heat", "home", "on", "1843.2"), Zigbee2MQTT's "state" ("ON") or,
	// for a Zigbee2MQTT thermostat without one, its system_mode.
	Value string

	DeviceClass string // HA device_class attribute ("occupancy", "door", "power")
	Unit        string // HA unit_of_measurement ("W", "kW")
	ContentType string // HA media_content_type ("movie", "tvshow", "music", ...)
	App         string // HA app_name ("Netflix")
	HVACAction  string // HA hvac_action, Z2M running_state ("heating", "idle", "heat")
	Preset      string // HA preset_mode, Z2M preset ("away", "eco")

	Setpoint     float64 // HA temperature, Z2M occupied/current_heating_setpoint
	SetpointLow  float64 // HA target_temp_low
	SetpointHigh float64 // HA target_temp_high
	Current      float64 // HA current_temperature, Z2M local_temperature
	Power        float64 // Z2M power, watts
	Energy       float64 // Z2M energy, kWh

	Occupied bool // Z2M occupancy
	Present  bool // Z2M presence
	Closed   bool // Z2M contact (true = closed)

	LastChanged time.Time // HA last_changed (UTC); zero for Z2M
	LastUpdated time.Time // HA last_updated (UTC); zero for Z2M
}

// StateChange is one decoded state change of one device.
type StateChange struct {
	Source Source
	// Device is the device's id at its source: a Home Assistant entity id
	// ("media_player.living_room_tv") or a Zigbee2MQTT friendly name. It is
	// household-local; events carry it only as a household-scoped
	// pseudonym.
	Device string
	// Domain is the Home Assistant domain ("media_player"); "" for
	// Zigbee2MQTT.
	Domain string
	Old    State // the previous state, when HasOld
	HasOld bool
	New    State
	// Removed: Home Assistant removed the entity (new_state null). New is
	// empty then.
	Removed bool
	// Time is the observation time: new_state.last_updated (last_changed,
	// time_fired), a statestream's published last_updated or receive time,
	// a Zigbee2MQTT last_seen or receive time. UTC.
	Time time.Time
	// UserInitiated: a Home Assistant user caused the change
	// (context.user_id set). The user id itself is not kept.
	UserInitiated bool
}

// intern returns common state and attribute values as constants, so that
// decoding them does not allocate; other values are copied.
func intern(b []byte) string {
	switch string(b) {
	case "on":
		return "on"
	case "off":
		return "off"
	case "ON":
		return "ON"
	case "OFF":
		return "OFF"
	case "playing":
		return "playing"
	case "paused":
		return "paused"
	case "idle":
		return "idle"
	case "standby":
		return "standby"
	case "buffering":
		return "buffering"
	case "home":
		return "home"
	case "not_home":
		return "not_home"
	case "unavailable":
		return "unavailable"
	case "unknown":
		return "unknown"
	case "heat":
		return "heat"
	case "cool":
		return "cool"
	case "heat_cool":
		return "heat_cool"
	case "auto":
		return "auto"
	case "heating":
		return "heating"
	case "cooling":
		return "cooling"
	case "occupancy":
		return "occupancy"
	case "presence":
		return "presence"
	case "door":
		return "door"
	case "power":
		return "power"
	case "W":
		return "W"
	case "kW":
		return "kW"
	case "movie":
		return "movie"
	case "tvshow":
		return "tvshow"
	case "music":
		return "music"
	case "video":
		return "video"
	case "episode":
		return "episode"
	case "locked":
		return "locked"
	case "unlocked":
		return "unlocked"
	case "media_player":
		return "media_player"
	case "climate":
		return "climate"
	case "person":
		return "person"
	case "binary_sensor":
		return "binary_sensor"
	case "sensor":
		return "sensor"
	case "Netflix":
		return "Netflix"
	case "YouTube":
		return "YouTube"
	case "tv":
		return "tv"
	case "speaker":
		return "speaker"
	case "receiver":
		return "receiver"
	case "app":
		return "app"
	case "none":
		return "none"
	case "away":
		return "away"
	case "eco":
		return "eco"
	case "manual":
		return "manual"
	}
	return string(b)
}

// decoder carries one payload's scanner and the error to report.
type decoder struct {
	s      jsonscan.Scanner
	src    Source
	err    error
	prefix string // JSON path of the object being read, joined to field names on error only
	// The text of the time read last (aliasing the payload, or a copy
	// String made of an escaped one) and its value: see time.
	lastTime []byte
	lastT    time.Time
}

func (d *decoder) path(field string) string {
	switch {
	case d.prefix == "":
		return field
	case field == "":
		return d.prefix
	}
	return d.prefix + "." + field
}

// fail records the first error: field names where, cause says why.
func (d *decoder) fail(field string, off int, cause error) {
	if d.err == nil {
		d.err = &DecodeError{Source: d.src, Field: d.path(field), Offset: off, Err: cause}
	}
}

// scanErr converts a scanner error into a *DecodeError for field, once.
func (d *decoder) scanErr(field string) bool {
	err := d.s.Err()
	if err == nil {
		return false
	}
	if d.err == nil {
		var se *jsonscan.SyntaxError
		off := d.s.Pos()
		cause := ErrSyntax
		if errors.As(err, &se) {
			off = se.Offset
			switch {
			case errors.Is(se.Err, jsonscan.ErrTruncated):
				cause = ErrTruncated
			case errors.Is(se.Err, jsonscan.ErrType):
				cause = ErrFieldType
			}
		}
		d.err = &DecodeError{Source: d.src, Field: d.path(field), Offset: off, Err: cause}
	}
	return true
}

// str reads a string value to keep: UTF-8, at most MaxStringLen bytes.
func (d *decoder) str(field string) (string, bool) {
	off := d.s.Pos()
	b := d.s.String()
	if d.scanErr(field) {
		return "", false
	}
	if len(b) > MaxStringLen || !jsonscan.ValidUTF8(b) {
		d.fail(field, off, ErrFieldType)
		return "", false
	}
	return intern(b), true
}

// is reads a string value that is compared, not kept: whether it is
// want. It checks it like str.
func (d *decoder) is(field, want string) (eq, ok bool) {
	off := d.s.Pos()
	b := d.s.String()
	if d.scanErr(field) {
		return false, false
	}
	if len(b) > MaxStringLen || !jsonscan.ValidUTF8(b) {
		d.fail(field, off, ErrFieldType)
		return false, false
	}
	return string(b) == want, true
}

// optStr reads a string or null ("" for null).
func (d *decoder) optStr(field string) (string, bool) {
	if d.s.Null() {
		return "", true
	}
	return d.str(field)
}

// num reads a number or null (ok with present false for null).
func (d *decoder) num(field string) (v float64, present, ok bool) {
	if d.s.Null() {
		return 0, false, true
	}
	v = d.s.Number()
	if d.scanErr(field) {
		return 0, false, false
	}
	return v, true, true
}

// time reads an RFC 3339 string (or null: zero time).
func (d *decoder) time(field string) (time.Time, bool) {
	if d.s.Null() {
		return time.Time{}, true
	}
	off := d.s.Pos()
	b := d.s.String()
	if d.scanErr(field) {
		return time.Time{}, false
	}
	// A state change repeats its times (last_changed, last_updated and
	// time_fired are often one instant, in the same text): the text
	// parsed last is compared before it is parsed again.
	if d.lastTime != nil && string(b) == string(d.lastTime) {
		return d.lastT, true
	}
	t, ok := jsonscan.ParseTime(b)
	if !ok || !validTime(t) {
		d.fail(field, off, ErrFieldType)
		return time.Time{}, false
	}
	d.lastTime, d.lastT = b, t
	return t, true
}

// validTime reports whether t is usable: not zero, Unix nanoseconds in
// int64.
func validTime(t time.Time) bool {
	return !t.IsZero() && t.After(minTime) && t.Before(maxTime)
}

var (
	minTime = time.Unix(0, -1<<63+1).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// validEntityID reports whether id is domain.object_id with both parts
// from [a-z0-9_] and non-empty, as Home Assistant requires.
func validEntityID(id string) (domain string, ok bool) {
	dot := entityDot(id)
	if dot < 0 {
		return "", false
	}
	return id[:dot], true
}

// entityDot returns the index of the dot of a valid entity id (see
// validEntityID), or -1. It takes the bytes of a payload as they are, so
// checking an id that is not kept does not copy it.
func entityDot[T string | []byte](id T) int {
	dot := -1
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == '.':
			if dot >= 0 {
				return -1
			}
			dot = i
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		default:
			return -1
		}
	}
	if dot <= 0 || dot == len(id)-1 {
		return -1
	}
	return dot
}
