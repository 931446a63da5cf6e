package beacon

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by a parser in this package is a
// *ParseError whose Err is one of these (match with errors.Is), except
// ErrNotBeacon, which Parse returns bare for advertisements that carry no
// beacon payload at all.
var (
	// ErrTruncated: the input ends before the structure or frame does.
	ErrTruncated = errors.New("beacon: truncated data")
	// ErrLength: a length field or the input length is wrong for the format
	// (too long, or an inner length byte that disagrees with the layout).
	ErrLength = errors.New("beacon: wrong length")
	// ErrUnknownFormat: a frame type, beacon code, version or company id
	// that this package does not decode.
	ErrUnknownFormat = errors.New("beacon: unknown format")
	// ErrReserved: a reserved (RFU) value where the specification forbids
	// one, e.g. an Eddystone-URL scheme >= 0x04 or a reserved URL byte.
	ErrReserved = errors.New("beacon: reserved value")
	// ErrInvalid: a value that is out of range or malformed, e.g. a URL
	// that cannot be encoded or a malformed textual identifier.
	ErrInvalid = errors.New("beacon: invalid value")
	// ErrNotBeacon is returned by Parse, ParseAD, the manufacturer-data
	// parsers, ParseServiceData and ParseEddystone when the input is well
	// formed but carries no beacon payload this package knows (a phone's
	// Apple "Nearby" data, a keyboard, a tag's sensor frame under the
	// Eddystone UUID, ...). It is not a malformation: gateways usually
	// track such devices by address or skip them.
	ErrNotBeacon = errors.New("beacon: no beacon payload")
)

// ParseError says what could not be decoded and where. Offset is the byte
// offset, within the slice handed to the function that returned the error,
// at which the problem was found (for ErrTruncated it is usually the input
// length, where the missing bytes would have started). 0 <= Offset <=
// len(input) always holds.
type ParseError struct {
	Format Format // the format being decoded
	Offset int    // byte offset in the input
	Err    error  // one of the sentinels above
}

func (e *ParseError) Error() string {
	return "beacon: " + e.Format.String() + " at offset " + strconv.Itoa(e.Offset) + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the sentinel, so errors.Is(err, ErrTruncated) works.
func (e *ParseError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	const p = "beacon: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func perr(f Format, off int, err error) error {
	return &ParseError{Format: f, Offset: off, Err: err}
}

// Errors of the Tracker.
var (
	// ErrLate: a sighting is older than the newest time seen minus the
	// allowed clock skew (WithMaxSkew). It was not applied.
	ErrLate = errors.New("beacon: sighting too late")
	// ErrNoSignal: a sighting has neither a valid RSSI nor a distance. It
	// was not applied.
	ErrNoSignal = errors.New("beacon: sighting without valid RSSI or distance")
	// ErrConfig: NewTracker or Restore was given an invalid configuration
	// or a snapshot that does not fit the zones.
	ErrConfig = errors.New("beacon: invalid configuration")
)
