package durable

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("durable: store closed")
	// ErrLocked is matched by *LockedError: another Store has the directory.
	ErrLocked = errors.New("durable: directory is locked by another store")
	// ErrCorrupt is matched by every *FormatError.
	ErrCorrupt = errors.New("durable: corrupt file")
	// ErrTruncated means the bytes end inside a header or frame. Wrapped by
	// a *FormatError.
	ErrTruncated = errors.New("durable: truncated")
	// ErrChecksum means a header's or frame's CRC-32C does not match. Wrapped
	// by a *FormatError.
	ErrChecksum = errors.New("durable: checksum mismatch")
	// ErrBadMagic means a file does not start with the configured magic.
	// Wrapped by a *FormatError.
	ErrBadMagic = errors.New("durable: bad magic")
	// ErrFrameSize means a frame claims a length of 0 or over MaxRecord.
	// Wrapped by a *FormatError.
	ErrFrameSize = errors.New("durable: frame length out of range")
	// ErrGeneration means the log belongs to another snapshot generation.
	// Wrapped by a *FormatError.
	ErrGeneration = errors.New("durable: log generation does not match the snapshot")
	// ErrUnsupportedVersion means a format version or schema newer than this
	// code. Wrapped by a *FormatError.
	ErrUnsupportedVersion = errors.New("durable: unsupported version")
	// ErrRecordSize is returned by Append and Compact for an empty record or
	// one over MaxRecord bytes; nothing is written.
	ErrRecordSize = errors.New("durable: record size out of range")
	// ErrSchemaMismatch is returned by Append while the files on disk carry
	// an older schema than Config.Schema: Compact first (see the package doc).
	ErrSchemaMismatch = errors.New("durable: files carry an older schema; compact before appending")
	// ErrConfig is matched by *ConfigError.
	ErrConfig = errors.New("durable: invalid configuration")
)

// FileKind names the file a FormatError is about.
type FileKind string

// The files of a store.
const (
	FileSnapshot FileKind = "snapshot"
	FileLog      FileKind = "log"
)

// FormatError says which file is invalid, where, and why. It matches
// ErrCorrupt and unwraps to the cause (ErrTruncated, ErrChecksum,
// ErrBadMagic, ErrFrameSize, ErrGeneration or ErrUnsupportedVersion).
type FormatError struct {
	File   FileKind // FileSnapshot or FileLog
	Offset int64    // byte offset in the file where the problem starts
	Err    error    // the cause
}

// Error names the file, the offset and the cause.
func (e *FormatError) Error() string {
	return fmt.Sprintf("durable: corrupt %s at offset %d: %v", e.File, e.Offset, e.Err)
}

// Is reports whether target is ErrCorrupt.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// LockedError reports that Open found the directory locked. It matches
// ErrLocked and unwraps to the lock call's error, if any.
type LockedError struct {
	Dir string // the directory, as given to Open
	Err error  // the flock error (EWOULDBLOCK), or nil
}

// Error names the directory.
func (e *LockedError) Error() string {
	return "durable: " + e.Dir + " is locked by another store (one directory, one opener)"
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Unwrap returns the lock call's error.
func (e *LockedError) Unwrap() error { return e.Err }

// ConfigError says which Config field is invalid. It matches ErrConfig.
type ConfigError struct {
	Field  string
	Reason string
}

// Error names the field and the problem.
func (e *ConfigError) Error() string {
	return "durable: invalid configuration: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }
