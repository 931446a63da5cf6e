package gateway

import (
	"errors"
	"fmt"
)

// Formats named in a ParseError.
const (
	FormatOpenMQTTGateway = "openmqttgateway"
	FormatESPresense      = "espresense"
)

var (
	// ErrMalformedJSON: the payload is not one JSON object.
	ErrMalformedJSON = errors.New("gateway: malformed JSON")
	// ErrBadHex: a hex field has an odd length or a non-hex character.
	ErrBadHex = errors.New("gateway: bad hex")
	// ErrMissingField: a required field is absent or empty.
	ErrMissingField = errors.New("gateway: missing field")
	// ErrBadValue: a field has the wrong type or is out of range.
	ErrBadValue = errors.New("gateway: bad value")
	// ErrTopic: the MQTT topic does not have the format's shape.
	ErrTopic = errors.New("gateway: unexpected topic")
)

// ParseError says which format, which field and what went wrong. It
// unwraps to one of the sentinels above (and, for nested errors, to the
// cause, e.g. a *beacon.ParseError for a malformed address).
type ParseError struct {
	Format string // FormatOpenMQTTGateway or FormatESPresense
	Field  string // JSON field, "topic", or "" for the payload as a whole
	Err    error
}

func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("gateway: %s: %v", e.Format, e.Err)
	}
	return fmt.Sprintf("gateway: %s: %s: %v", e.Format, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

func perr(format, field string, err error) error {
	return &ParseError{Format: format, Field: field, Err: err}
}

// wrap joins a sentinel with a cause so that errors.Is matches both.
func wrap(sentinel, cause error) error { return fmt.Errorf("%w: %w", sentinel, cause) }
