package spool

import (
	"errors"
	"fmt"
)

var (
	// ErrTruncated: a frame or file ends before its declared length (a torn
	// write at the tail of a segment).
	ErrTruncated = errors.New("spool: truncated frame")
	// ErrCorrupt: a frame's checksum or structure is wrong.
	ErrCorrupt = errors.New("spool: corrupt frame")
	// ErrVersion: a frame or file has a format version this code cannot read
	// (written by a newer release).
	ErrVersion = errors.New("spool: unknown format version")
	// ErrFull is the cause reported when the spool's disk bound refuses a
	// batch (OverflowDropNewest, or OverflowDropOldest with nothing
	// evictable).
	ErrFull = errors.New("spool: disk limit reached")
	// ErrTooLarge: a record cannot be framed (larger than MaxFrameBytes).
	ErrTooLarge = errors.New("spool: record too large to frame")
)

// FormatError says where a spool file could not be read. It matches
// ErrTruncated, ErrCorrupt or ErrVersion with errors.Is.
type FormatError struct {
	File   string // file name, "" when decoding a byte slice
	Offset int64  // byte offset of the frame (or header) in File or the input
	Err    error  // ErrTruncated, ErrCorrupt or ErrVersion, possibly wrapped
}

func (e *FormatError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("spool: offset %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("spool: %s offset %d: %v", e.File, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }
