package fleet

import (
	"errors"
	"strconv"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrCorrupt is matched by every *FormatError: bytes that are not a
	// valid fleet message.
	ErrCorrupt = errors.New("fleet: corrupt message")
	// ErrInvalid is matched by every *FieldError: a value that cannot be
	// encoded or applied (an empty id, a subject without keys, ...).
	ErrInvalid = errors.New("fleet: invalid message")
	// ErrUnsupportedVersion means a message of a wire version this code
	// cannot read; it is wrapped by a *FormatError.
	ErrUnsupportedVersion = errors.New("fleet: unsupported wire version")
	// ErrErased means the message concerns an erased person (one of its
	// subject keys carries a tombstone): it was not applied, so a replay
	// cannot bring the person back.
	ErrErased = errors.New("fleet: subject erased")
	// ErrNoGraph means a Hub without an identity graph (WithGraph) was given
	// a message or request that needs one (a link fact, an erasure, an
	// export).
	ErrNoGraph = errors.New("fleet: hub has no identity graph")
	// ErrNotFound means the fleet holds nothing about the identifier asked.
	ErrNotFound = errors.New("fleet: nothing held about this identifier")
	// ErrClosed is returned by a Hub or Follower after Close.
	ErrClosed = errors.New("fleet: closed")
)

// FormatError says why bytes are not a fleet message, and where. It never
// quotes the bytes (they may hold personal data). It matches ErrCorrupt.
type FormatError struct {
	// Kind is the message kind when it was read before the error, else "".
	Kind Kind
	// Field is the JSON field at fault ("" for the whole message).
	Field string
	// Offset is the byte offset of a JSON syntax error, else 0.
	Offset int64
	// Err is the cause.
	Err error
}

func (e *FormatError) Error() string {
	s := "fleet: corrupt message"
	if e.Kind != "" {
		s += " (" + string(e.Kind) + ")"
	}
	if e.Field != "" {
		s += " field " + e.Field
	}
	if e.Offset > 0 {
		s += " at offset " + strconv.FormatInt(e.Offset, 10)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is matches ErrCorrupt.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// FieldError says which field of a value to encode or apply is invalid. It
// matches ErrInvalid.
type FieldError struct {
	Kind   Kind
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return "fleet: invalid " + string(e.Kind) + " " + e.Field + ": " + e.Reason
}

// Is matches ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// ErasedError says that a message was refused because a subject key of it
// is tombstoned. It matches ErrErased.
type ErasedError struct {
	ID   string // the message id
	Kind Kind
}

func (e *ErasedError) Error() string {
	return "fleet: " + string(e.Kind) + " " + e.ID + " refused: subject erased"
}

// Is matches ErrErased.
func (e *ErasedError) Is(target error) bool { return target == ErrErased }
