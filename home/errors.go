package home

import (
	"errors"
	"strconv"
)

// Sentinel errors. Decoders return them wrapped in a *DecodeError; match
// them with errors.Is.
var (
	// ErrSyntax: the payload is not JSON (or, for a statestream state, not
	// a state string).
	ErrSyntax = errors.New("home: malformed payload")
	// ErrTruncated: the payload ends inside a value.
	ErrTruncated = errors.New("home: truncated payload")
	// ErrMissingField: a field the format requires is absent.
	ErrMissingField = errors.New("home: missing field")
	// ErrFieldType: a field holds a value of the wrong type or form (an
	// entity id that is not domain.object_id, a time that is not RFC 3339,
	// a string that is not UTF-8 or is longer than MaxStringLen).
	ErrFieldType = errors.New("home: invalid field")
	// ErrTooLarge: the payload is longer than MaxPayload.
	ErrTooLarge = errors.New("home: payload too large")
	// ErrNotStateChange: a well-formed message that is not a device state
	// change (a websocket result or pong, another event type, a
	// Zigbee2MQTT bridge, availability or command topic). Skip it.
	ErrNotStateChange = errors.New("home: not a state change")
	// ErrTopic: the MQTT topic is not under the configured base topic, or
	// not shaped as the format's topics are.
	ErrTopic = errors.New("home: unexpected topic")
	// ErrInvalidTime: a zero time, or one whose Unix nanoseconds overflow
	// int64, where a time is needed.
	ErrInvalidTime = errors.New("home: invalid time")
	// ErrInvalidOption: a Config or option value is invalid.
	ErrInvalidOption = errors.New("home: invalid option")
	// ErrNoHashKey: an Occurrence was converted without a Pseudonymizer
	// while RawIDs is false: household and device identifiers leave this
	// package only as keyed pseudonyms.
	ErrNoHashKey = errors.New("home: pseudonymizer required for household and device identifiers")
)

// MaxPayload is the largest payload the decoders accept: 64 KiB. Home
// Assistant state objects are a few hundred bytes to a few kilobytes.
const MaxPayload = 64 << 10

// MaxStringLen is the longest string value kept (entity ids, states,
// attribute values): 255 bytes, Home Assistant's own limit for states.
const MaxStringLen = 255

// DecodeError says which payload could not be decoded, where and why. It
// unwraps to one of the sentinels above. A decoder that returns an error
// has not modified its output.
type DecodeError struct {
	Source Source // the format being decoded
	Field  string // JSON path or topic part, e.g. "event.data.new_state.state"; "" for the whole payload
	Offset int    // byte offset in the payload, -1 when not applicable (topics)
	Err    error  // the cause
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *DecodeError) Error() string {
	s := "home: " + e.Source.String()
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Offset >= 0 {
		s += ": offset " + strconv.Itoa(e.Offset)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// ConfigError reports an invalid Config field or option. It unwraps to
// ErrInvalidOption.
type ConfigError struct {
	Field  string
	Reason string
}

// Error names the field and the reason.
func (e *ConfigError) Error() string { return "home: invalid option: " + e.Field + ": " + e.Reason }

// Unwrap returns ErrInvalidOption.
func (e *ConfigError) Unwrap() error { return ErrInvalidOption }

// TimeError reports a time that was refused; it unwraps to ErrInvalidTime.
// A Tracker method that returns it has not changed the tracker.
type TimeError struct {
	Op string // "Observe", "Advance", "DecodeZigbee", ...
}

// Error names the refusing operation.
func (e *TimeError) Error() string { return "home: " + e.Op + ": " + ErrInvalidTime.Error() }

// Unwrap returns ErrInvalidTime.
func (e *TimeError) Unwrap() error { return ErrInvalidTime }
