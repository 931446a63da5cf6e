package spool

import (
	"errors"
	"fmt"
	"strings"
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
	// The cause is one of this package's sentinels, which say "spool:"
	// themselves: once is enough.
	cause := strings.TrimPrefix(fmt.Sprint(e.Err), "spool: ")
	if e.File == "" {
		return fmt.Sprintf("spool: offset %d: %s", e.Offset, cause)
	}
	return fmt.Sprintf("spool: %s offset %d: %s", e.File, e.Offset, cause)
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// ErrLocked is matched by the *LockError that Open returns when another
// Spool (in this process or another) has the directory open.
var ErrLocked = errors.New("spool: directory in use by another Spool")

// LockError says that Open could not take the directory's lock file. It
// matches ErrLocked when another Spool holds the lock; Err is the cause.
type LockError struct {
	Dir string // the directory (the FS's description of it)
	Err error
}

func (e *LockError) Error() string { return fmt.Sprintf("spool: lock %s: %v", e.Dir, e.Err) }

// Unwrap returns the cause (ErrLocked, or the lock's I/O error).
func (e *LockError) Unwrap() error { return e.Err }

// LossError reports records the spool could not recover: frames that fail
// their checksum, segments deleted or emptied behind its back. It is the
// Err of the transport.Failure reported with transport.ReasonCorrupt, and
// matches ErrCorrupt.
type LossError struct {
	Losses []Loss
}

// Records returns how many records were lost (a lower bound where a Loss is
// Estimated).
func (e *LossError) Records() int {
	n := 0
	for _, l := range e.Losses {
		n += l.Records
	}
	return n
}

func (e *LossError) Error() string {
	if len(e.Losses) == 0 {
		return "spool: no records lost"
	}
	l := e.Losses[0]
	s := fmt.Sprintf("spool: %d records unrecoverable: %d at %s", e.Records(), l.Records, l.Where)
	if l.Estimated {
		s += " (at least)"
	}
	if len(e.Losses) > 1 {
		s += fmt.Sprintf(" and %d more places", len(e.Losses)-1)
	}
	return s
}

// Is reports whether target is ErrCorrupt.
func (e *LossError) Is(target error) bool { return target == ErrCorrupt }
