package gpp

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by Decode and DecodeUSNat is a
// *ParseError that matches one of them with errors.Is (a section that is a
// TC string also matches the *tcf.ParseError it wraps). Encode functions
// return *EncodeError values matching ErrField.
var (
	// ErrEmpty: the string, or a section between tildes, is empty.
	ErrEmpty = errors.New("gpp: empty string or section")
	// ErrTooLong: the string is longer than MaxLength characters.
	ErrTooLong = errors.New("gpp: string too long")
	// ErrEncoding: a character is not in the base64url alphabet.
	ErrEncoding = errors.New("gpp: not base64url")
	// ErrTruncated: a section ends before a field it must hold.
	ErrTruncated = errors.New("gpp: truncated")
	// ErrHeader: the header's Type is not 3, or its Version not 1.
	ErrHeader = errors.New("gpp: invalid header")
	// ErrSections: the header lists a different number of sections than the
	// string holds, or a section id outside 1..4095.
	ErrSections = errors.New("gpp: sections do not match the header")
	// ErrVersion: a section's own version is not one this package reads.
	ErrVersion = errors.New("gpp: unsupported section version")
	// ErrField: a field holds a value its specification does not define.
	ErrField = errors.New("gpp: invalid field value")
	// ErrTrailingData: non-zero bits after a section's last field.
	ErrTrailingData = errors.New("gpp: trailing data")
	// ErrSection: an embedded TC string (section 2) did not decode; the
	// error also wraps the *tcf.ParseError.
	ErrSection = errors.New("gpp: invalid section")
)

// ParseError says where a GPP string could not be decoded: the section
// (its position among the tilde-separated parts; 0 for the header, and
// for a section decoded on its own, as by DecodeUSNat), its id when
// known, the sub-section (dot-separated part) and field, and the bit
// offset inside that part.
type ParseError struct {
	Section    int // 0 = header
	SectionID  int // 0 when not known
	Subsection int
	Field      string
	Offset     int
	Err        error // a sentinel
	Cause      error // the embedded TC string's *tcf.ParseError, if any
	Detail     string
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("%v: section %d", e.Err, e.Section)
	if e.SectionID != 0 {
		s += fmt.Sprintf(" (id %d)", e.SectionID)
	}
	if e.Subsection != 0 {
		s += fmt.Sprintf(", subsection %d", e.Subsection)
	}
	s += fmt.Sprintf(", bit %d", e.Offset)
	if e.Field != "" {
		s += ", " + e.Field
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the sentinel and, for an embedded TC string, its error.
func (e *ParseError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// EncodeError says which field cannot be encoded. It matches ErrField.
type EncodeError struct {
	Field  string
	Detail string
}

func (e *EncodeError) Error() string { return fmt.Sprintf("gpp: encode %s: %s", e.Field, e.Detail) }

// Unwrap returns ErrField.
func (e *EncodeError) Unwrap() error { return ErrField }
