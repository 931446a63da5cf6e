package attention

import (
	"errors"
	"strconv"
	"time"
)

// Sentinel errors. Decode wraps them in a *DecodeError (ErrRawGaze in a
// *GazeError); match them with errors.Is.
var (
	// ErrSyntax: the payload is not JSON.
	ErrSyntax = errors.New("attention: malformed payload")
	// ErrTruncated: the payload ends inside a value.
	ErrTruncated = errors.New("attention: truncated payload")
	// ErrMissingField: a required field is absent.
	ErrMissingField = errors.New("attention: missing field")
	// ErrFieldType: a field holds a value of the wrong type, form or range.
	ErrFieldType = errors.New("attention: invalid field")
	// ErrUnknownType: the message type is not one this package accepts.
	ErrUnknownType = errors.New("attention: unknown message type")
	// ErrTooLarge: the payload is longer than MaxPayload, or a summary has
	// more than MaxBuckets buckets or MaxTargets targets in a bucket.
	ErrTooLarge = errors.New("attention: payload too large")
	// ErrRawGaze: the payload carries raw gaze or eye data — gaze samples,
	// eye transforms, look-at points, poses, rays, fixations — or buckets
	// shorter than MinBucket. Only user-initiated interactions and
	// attention aggregated on the device are accepted, with or without
	// consent.
	ErrRawGaze = errors.New("attention: raw gaze data refused")
	// ErrPermission: an eye-based summary without the platform's eye
	// tracking permission granted, or from a platform that gives apps no
	// eye data at all (visionOS, WebXR, ARCore).
	ErrPermission = errors.New("attention: eye tracking not permitted on this platform")
	// ErrExpired: the data is older than the retention (see Options).
	ErrExpired = errors.New("attention: data past its retention")
	// ErrInvalidOption: an option value is invalid.
	ErrInvalidOption = errors.New("attention: invalid option")
	// ErrNoHashKey: a session id would leave without a Pseudonymizer.
	ErrNoHashKey = errors.New("attention: pseudonymizer required for session ids")
)

// MaxPayload is the largest payload Decode accepts: 64 KiB.
const MaxPayload = 64 << 10

// DecodeError says where and why a payload was refused. It unwraps to one of
// the sentinels. Decode has not modified its output when it returns one.
type DecodeError struct {
	Field  string // JSON path ("buckets[2].targets[0].dwell_ms"), "" for the whole payload
	Offset int    // byte offset in the payload
	Err    error
}

// Error describes the failure; stable enough to log, not to parse.
func (e *DecodeError) Error() string {
	s := "attention: "
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + "offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// GazeError reports raw gaze data found in a payload: the key (or type)
// that carries it and where. It matches ErrRawGaze.
type GazeError struct {
	Field  string // the JSON path of the offending key, or "type"
	Offset int
	Reason string
}

// Error names the field and the reason.
func (e *GazeError) Error() string {
	return "attention: " + e.Field + ": offset " + strconv.Itoa(e.Offset) + ": " + e.Reason + ": " + ErrRawGaze.Error()
}

// Unwrap returns ErrRawGaze.
func (e *GazeError) Unwrap() error { return ErrRawGaze }

// PermissionError reports an eye-based summary that the platform does not
// allow or whose permission is not granted. It matches ErrPermission.
type PermissionError struct {
	Platform   Platform
	Permission string // the permission the platform requires, "" if none exists
	State      string // the state the payload gave, "" if absent
}

// Error says what was missing.
func (e *PermissionError) Error() string {
	if e.Permission == "" {
		return "attention: " + e.Platform.String() + " gives apps no eye data: " + ErrPermission.Error()
	}
	return "attention: " + e.Platform.String() + " requires " + e.Permission + " granted (got " + strconv.Quote(e.State) + "): " + ErrPermission.Error()
}

// Unwrap returns ErrPermission.
func (e *PermissionError) Unwrap() error { return ErrPermission }

// ExpiredError reports data older than its retention at now. It matches
// ErrExpired.
type ExpiredError struct {
	Time      time.Time     // the data's time
	Now       time.Time     // the time it was checked at
	Retention time.Duration // the retention in force
}

// Error gives the times.
func (e *ExpiredError) Error() string {
	return "attention: data of " + e.Time.UTC().Format(time.RFC3339) + " is past its " + e.Retention.String() +
		" retention at " + e.Now.UTC().Format(time.RFC3339) + ": " + ErrExpired.Error()
}

// Unwrap returns ErrExpired.
func (e *ExpiredError) Unwrap() error { return ErrExpired }

// ConfigError reports an invalid option; it matches ErrInvalidOption.
type ConfigError struct {
	Field, Reason string
}

// Error names the field and the reason.
func (e *ConfigError) Error() string {
	return "attention: invalid option: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidOption.
func (e *ConfigError) Unwrap() error { return ErrInvalidOption }
